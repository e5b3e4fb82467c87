"""Faults during export: the S3 server dies or freezes in the middle of a multipart upload.
The run reports it, marks nothing done, and the next run completes the same version."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.management import CommandError, call_command

from cms.archive.exporter import export
from cms.archive.models import ExportRecord, ExportStatus, ItemVersion
from cms.archive.targets import DirectoryTarget, S3Target, configured_targets
from cms.content.models import RadioSegmentPage
from tests.cms.conftest import complete_metadata
from tests.support import SmallDisk

from .conftest import VI_NAME, make_master

BIG_NAME = "Phóng sự dài – bản gốc.wav"


@pytest.fixture
def big_item(section: Any, samples: Path, tmp_path: Path) -> RadioSegmentPage:
    """An item whose master (about 40 MB) goes up in several multipart parts."""
    wav = tmp_path / "big.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=220",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-c:a",
            "pcm_s16le",
            str(wav),
        ],
        check=True,
    )
    master = make_master(wav.read_bytes(), BIG_NAME, "vi")
    small = make_master((samples / "vi_speech.ogg").read_bytes(), VI_NAME, "vi")
    page = RadioSegmentPage(
        title="Phóng sự dài",
        slug="phong-su-dai",
        audio=master,
        live=False,
        script="Bản ghi lời đầy đủ.",
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    other = RadioSegmentPage(title="Bản tin ngắn", slug="ban-tin-ngan", audio=small, live=False)
    section.add_child(instance=other)
    complete_metadata(other)
    other.save_revision().publish()
    page.refresh_from_db()
    return page


class Saboteur(threading.Thread):
    """Watches the server from outside (no in-process hooks) and, once a multipart upload
    is in flight, does something to the server process."""

    def __init__(self, s3: Any, action: str) -> None:
        super().__init__(daemon=True)
        self.s3 = s3
        self.action = action
        self.fired = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        client = self.s3.client()
        deadline = time.monotonic() + 60
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                uploads = client.list_multipart_uploads(Bucket="national-archive")
            except Exception:
                return
            if uploads.get("Uploads"):
                process = self.s3.process
                if self.action == "kill":
                    process.kill()
                    process.wait(timeout=10)
                else:
                    os.kill(process.pid, signal.SIGSTOP)
                self.fired.set()
                return
            time.sleep(0.01)


def multipart_settings(settings: Any) -> None:
    settings.CMS_ARCHIVE = {
        **settings.CMS_ARCHIVE,
        "MULTIPART_CHUNKSIZE": 5 * 1024 * 1024,
        "MULTIPART_THRESHOLD": 8 * 1024 * 1024,
        "MAX_CONCURRENCY": 1,
        "MAX_ATTEMPTS": 2,
        "CONNECT_TIMEOUT": 1,
        "READ_TIMEOUT": 2,
    }


def assert_bags_complete(s3: Any, key: str, tmp_path: Path) -> None:
    for bucket in ("national-archive", "second-copy"):
        target = S3Target(bucket, "cms", s3.url)
        assert target.read_json(f"items/{key}/v0001.done.json")["version"] == 1
        dest = tmp_path / f"check-{bucket}"
        target.download_prefix(f"items/{key}/v0001", dest)
        bagit.Bag(str(dest)).validate()
        assert (dest / "data" / "vi" / "master" / BIG_NAME).stat().st_size > 40_000_000


@pytest.mark.django_db
def test_server_killed_during_multipart_upload_then_restarted(
    s3, settings, big_item, tmp_path
) -> None:
    multipart_settings(settings)
    key = str(big_item.translation_key)
    saboteur = Saboteur(s3, "kill")
    saboteur.start()
    try:
        report = export(configured_targets())
    finally:
        saboteur.stop.set()
        saboteur.join(10)
    assert saboteur.fired.is_set(), "the upload finished before the server could be stopped"
    assert report.aborted and "national-archive" in report.aborted
    assert not ExportRecord.objects.filter(
        version__item__translation_key=key, status=ExportStatus.DONE
    ).exists()
    failed = ExportRecord.objects.get(
        version__item__translation_key=key, target="s3://national-archive/cms"
    )
    assert failed.status == ExportStatus.FAILED and failed.error

    # moto keeps objects in memory: the restarted server is empty, like a replaced store.
    s3.start()
    for bucket in ("national-archive", "second-copy"):
        s3.client().create_bucket(Bucket=bucket)
    report = export(configured_targets())
    assert report.ok, report
    # The other item may have been completed before the kill (its objects went with the
    # in-memory server; a real store keeps them): only the interrupted one is checked.
    outcome = next(o for o in report.outcomes if o.translation_key == key)
    assert outcome.status == "exported" and outcome.version == 1
    assert ItemVersion.objects.get(item__translation_key=key).number == 1
    assert_bags_complete(s3, key, tmp_path)
    # No orphaned multipart upload is left behind.
    assert not s3.client().list_multipart_uploads(Bucket="national-archive").get("Uploads")


@pytest.mark.django_db
def test_server_frozen_mid_export_resumes_without_reuploading(
    s3, settings, big_item, tmp_path
) -> None:
    multipart_settings(settings)
    key = str(big_item.translation_key)
    saboteur = Saboteur(s3, "stop")
    saboteur.start()
    try:
        report = export(configured_targets())
    finally:
        saboteur.stop.set()
        saboteur.join(10)
        if saboteur.fired.is_set():
            os.kill(s3.process.pid, signal.SIGCONT)
    assert saboteur.fired.is_set()
    assert report.aborted
    assert not S3Target("national-archive", "cms", s3.url).read_json(f"items/{key}/v0001.done.json")

    report = export(configured_targets())
    assert report.ok, report
    outcome = next(o for o in report.outcomes if o.translation_key == key)
    assert outcome.status == "exported" and outcome.version == 1
    # Objects stored before the freeze are recognised by their SHA-256 and not sent again.
    primary = ExportRecord.objects.get(
        version__item__translation_key=key, target="s3://national-archive/cms"
    )
    assert primary.attempts == 2 and primary.status == ExportStatus.DONE
    assert 0 < primary.uploaded_bytes < primary.size
    assert_bags_complete(s3, key, tmp_path)


@pytest.mark.django_db
def test_full_disk_leaves_no_partial_bag_and_next_run_completes(radio_item, tmp_path) -> None:
    """The disk refuses to write (the process's file size limit stands in for a full USB
    disk): the run stops with a clear message, removes its partial bag, marks nothing done."""
    usb = tmp_path / "usb"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, hard))
    try:
        report = export([DirectoryTarget(usb)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert "hết dung lượng đĩa" in report.aborted
    assert not list(usb.rglob(".partial-*")) and not list(usb.rglob("v0001"))
    assert not ExportRecord.objects.filter(status=ExportStatus.DONE).exists()

    report = export([DirectoryTarget(usb)])
    assert report.ok and report.outcomes[0].version == 1
    bagit.Bag(str(next(usb.rglob("v0001")))).validate()


@pytest.fixture
def small_disk(tmp_path: Path, small_disks: Any) -> Path:
    """A real 1 MB file system, like a nearly full USB disk."""
    return small_disks(tmp_path / "USB đầy", "1m")


def visible_names(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["built in place (--to-dir)", "copied (second directory)"])
def test_full_usb_disk_leaves_no_partial_bag_and_next_run_completes(
    radio_item, tmp_path, small_disk, how
) -> None:
    """The bag (about 3.5 MB) does not fit: a clear failure, nothing half-made on the disk,
    nothing marked done; with room on the disk the next run completes the same version."""
    key = str(radio_item.translation_key)
    if how.startswith("built"):
        with pytest.raises(CommandError, match="hết dung lượng đĩa"):
            call_command("export_archive", "--to-dir", str(small_disk))
    else:
        report = export([DirectoryTarget(tmp_path / "nas"), DirectoryTarget(small_disk)])
        assert "hết dung lượng đĩa" in report.aborted and str(small_disk) in report.aborted
        # The first directory has its copy; only the full disk's record is not done.
        assert ExportRecord.objects.filter(status=ExportStatus.DONE).count() == 1
    on_disk = visible_names(small_disk)
    assert not [n for n in on_disk if ".partial" in n or "v0001" in n], on_disk
    assert not ExportRecord.objects.filter(
        target=DirectoryTarget(small_disk).name, status=ExportStatus.DONE
    ).exists()
    failed = ExportRecord.objects.get(target=DirectoryTarget(small_disk).name)
    assert failed.status == ExportStatus.FAILED and "hết dung lượng đĩa" in failed.error

    # The archivist frees room (here: the file system grows) and runs the export again.
    SmallDisk.grow(small_disk, "64m")
    if how.startswith("built"):
        call_command("export_archive", "--to-dir", str(small_disk))
    else:
        assert export([DirectoryTarget(tmp_path / "nas"), DirectoryTarget(small_disk)]).ok
    bag_dir = small_disk / "items" / key / "v0001"
    bagit.Bag(str(bag_dir)).validate()
    assert (bag_dir.parent / "v0001.done.json").exists()
    assert sum(p.stat().st_size for p in bag_dir.rglob("*") if p.is_file()) > 1024 * 1024
    assert ItemVersion.objects.get().number == 1
    assert not [n for n in visible_names(small_disk) if ".partial" in n]
