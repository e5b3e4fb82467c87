"""Issue 15, defect 5: one version label names one bag. A version is built once and every
target — the S3 stores in the nightly run, a USB disk the archivist fills later, a second
disk after that — receives it byte for byte, although the item's event log grew in between
(the replication to S3, a fixity check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.management import call_command

from cms.archive import xsd
from cms.archive.exporter import export
from cms.archive.models import ArchiveEvent, EventOutcome, EventType, ItemVersion
from cms.archive.targets import S3Target, configured_targets


def files_of(bag_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(bag_dir).as_posix(): p.read_bytes()
        for p in sorted(bag_dir.rglob("*"))
        if p.is_file()
    }


def oxum(bag_dir: Path) -> str:
    return str(bagit.Bag(str(bag_dir)).info["Payload-Oxum"])


def from_s3(s3: Any, bucket: str, key: str, dest: Path) -> Path:
    S3Target(bucket, "cms", s3.url).download_prefix(f"items/{key}/v0001", dest)
    bagit.Bag(str(dest)).validate()
    return dest


@pytest.mark.django_db
def test_a_version_is_the_same_bag_in_every_store(s3, radio_item, tmp_path) -> None:
    key = str(radio_item.translation_key)
    report = export(configured_targets())
    assert [(o.status, o.version) for o in report.outcomes] == [("exported", 1)]
    national = from_s3(s3, "national-archive", key, tmp_path / "national")
    second = from_s3(s3, "second-copy", key, tmp_path / "second")

    # The history grows after the bag was made: a fixity check (the replications to S3
    # are already in the log).
    ArchiveEvent.objects.create(
        translation_key=radio_item.translation_key,
        event_type=EventType.FIXITY_CHECK,
        outcome=EventOutcome.SUCCESS,
        detail="all objects match",
        agent="cms.archive.fixity",
    )
    usb = tmp_path / "USB lưu trữ"
    call_command("export_archive", "--to-dir", str(usb))
    again = tmp_path / "ổ thứ hai"
    call_command("export_archive", "--to-dir", str(again))
    assert ItemVersion.objects.filter(item__translation_key=key).count() == 1

    reference = files_of(national)
    assert any(p.startswith("data/vi/master/") for p in reference)
    xsd.assert_valid_premis(reference["data/metadata/events.premis.xml"])
    for copy in (second, usb / "items" / key / "v0001", again / "items" / key / "v0001"):
        bagit.Bag(str(copy)).validate()
        assert oxum(copy) == oxum(national)
        copied = files_of(copy)
        assert (
            copied["data/metadata/events.premis.xml"]
            == reference["data/metadata/events.premis.xml"]
        )
        assert sorted(copied) == sorted(reference)
        differing = [path for path in reference if copied[path] != reference[path]]
        assert differing == [], (copy, differing)
    # The event log did grow: the next version of the item will carry it.
    assert (
        ArchiveEvent.objects.filter(
            translation_key=radio_item.translation_key, event_type=EventType.EXPORT
        ).count()
        == 4
    )


@pytest.mark.django_db
def test_a_changed_file_known_only_by_name_gets_the_next_label(radio_item, tmp_path) -> None:
    """A rendition's extra file (a poster frame) has no recorded digest: if it changes in
    storage, v0001 cannot be made again as it was, so the new bytes go out as v0002."""
    from cms.media.models import MediaRendition

    rendition = MediaRendition.objects.filter(master=radio_item.audio).first()
    assert rendition is not None
    storage = rendition.file.storage
    extra = storage.save(f"renditions/vi/{rendition.master_id}/khung hình.txt", _content(b"1"))
    rendition.extra_files = {"frame": extra}
    rendition.save()
    key = str(radio_item.translation_key)
    first = tmp_path / "first"
    assert [o.version for o in export([_dir(first)]).outcomes] == [1]
    storage.delete(extra)
    storage.save(extra, _content(b"2"))
    later = tmp_path / "later"
    report = export([_dir(later)])
    assert [(o.status, o.version) for o in report.outcomes] == [("exported", 2)]
    assert not (later / "items" / key / "v0001").exists()
    bagit.Bag(str(later / "items" / key / "v0002")).validate()
    assert files_of(first / "items" / key / "v0001") != files_of(later / "items" / key / "v0002")


def _content(data: bytes) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(data)


def _dir(path: Path) -> Any:
    from cms.archive.targets import DirectoryTarget

    return DirectoryTarget(path)
