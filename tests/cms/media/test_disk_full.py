"""The disk fills up during a rendition: a clear failure, no corrupt output, master intact,
and the job succeeds when it is retried after room is made.

Real parts: a real small file system (tmpfs) that really runs out of space, real ffmpeg,
PostgreSQL. Two places can fill: the worker's temporary directory (ffmpeg writing the
output) and the media storage (the finished output being stored).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cms.media.models import MediaRendition, RenditionStatus
from cms.media.renditions import run
from cms.media.uploads import master_from_file
from media_pipeline.hashing import sha256_file
from tests.support import SmallDisk

pytestmark = pytest.mark.django_db

DURATION = 40  # seconds: the broadcast WAV (48 kHz, 16 bit, stereo) is about 7.7 MB


@pytest.fixture
def master(media_root: Path, tmp_path: Path) -> Any:
    source = tmp_path / "bản tin trưa.wav"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-f", "lavfi",
            "-i", f"sine=frequency=440:sample_rate=48000:duration={DURATION}",
            "-ac", "2", "-c:a", "pcm_s16le", str(source),
        ],
        check=True, timeout=120,
    )  # fmt: skip
    return master_from_file(source, "Bản tin trưa", "vi")


def visible_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def check_recovers(client: Any, editor: Any, master: Any, rendition: MediaRendition,
                   capture: Any) -> None:  # fmt: skip
    """The editor sees the reason on the renditions page, presses Thử lại, and gets a
    complete broadcast WAV."""
    client.force_login(editor)
    page = client.get(f"/admin/media-masters/{master.pk}/renditions/")
    assert page.status_code == 200
    assert "Ổ đĩa của máy chủ đã đầy" in page.content.decode()
    with capture(execute=True):
        response = client.post(f"/admin/media-masters/{master.pk}/renditions/{rendition.pk}/retry/")
    assert response.status_code == 302
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.DONE, rendition.error_detail
    assert rendition.error_code == ""
    output = Path(rendition.file.path)
    assert sha256_file(output) == rendition.sha256
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries",
             "stream=codec_name,sample_rate,channels:format=duration", "-of", "json",
             str(output)],
            check=True, capture_output=True, timeout=60,
        ).stdout
    )  # fmt: skip
    stream = probe["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == (
        "pcm_s16le",
        "48000",
        2,
    )
    assert abs(float(probe["format"]["duration"]) - DURATION) < 0.05


def test_full_temporary_disk_while_ffmpeg_writes(
    master: Any,
    media_root: Path,
    tmp_path: Path,
    small_disks: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    client: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    master_digest = sha256_file(Path(master.file.path))
    scratch = small_disks(tmp_path / "tmp đầy", "2m")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    rendition = MediaRendition.objects.create(master=master, profile="broadcast", key="full-tmp")

    run(rendition.pk)
    rendition.refresh_from_db()
    # transient: tried again automatically (the immediate test queue runs retries at once),
    # then failed for the editor to see
    assert (rendition.status, rendition.attempts) == (RenditionStatus.FAILED, 3)
    assert rendition.error_code == "disk_full", rendition.error_detail
    assert "No space left on device" in rendition.error_detail
    assert rendition.file.name == ""
    assert (
        not (media_root / "renditions").exists() or visible_files(media_root / "renditions") == []
    )
    assert visible_files(scratch) == [], "the job's temporary files were left behind"
    assert sha256_file(Path(master.file.path)) == master_digest

    SmallDisk.grow(scratch)
    check_recovers(
        client, make_user("bientap", "editor"), master, rendition,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert sha256_file(Path(master.file.path)) == master_digest


def test_full_media_disk_while_the_output_is_stored(
    master: Any,
    media_root: Path,
    small_disks: Callable[..., Path],
    client: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    master_digest = sha256_file(Path(master.file.path))
    # the renditions live on their own (full) file system; the masters are elsewhere
    store = small_disks(media_root / "renditions", "2m")
    rendition = MediaRendition.objects.create(master=master, profile="broadcast", key="full-media")

    run(rendition.pk)
    rendition.refresh_from_db()
    assert (rendition.status, rendition.attempts) == (RenditionStatus.FAILED, 3)
    assert rendition.error_code == "disk_full", rendition.error_detail
    assert rendition.file.name == ""
    assert visible_files(store) == [], "a partial rendition is visible in the media storage"
    assert sha256_file(Path(master.file.path)) == master_digest

    SmallDisk.grow(store)
    check_recovers(
        client, make_user("bientap", "editor"), master, rendition,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    assert Path(rendition.file.path).is_relative_to(store)
    assert sha256_file(Path(master.file.path)) == master_digest
