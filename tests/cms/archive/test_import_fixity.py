"""Export → delete → import gives back the same content and checksums; fixity checks find
a changed master or bag, record an event per check and alert the admins."""

from __future__ import annotations

import hashlib
from pathlib import Path

import bagit
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from wagtail.models import Page

from cms.archive import fixity
from cms.archive.exporter import export
from cms.archive.models import ArchiveEvent, EventOutcome, EventType
from cms.archive.targets import DirectoryTarget, configured_targets
from cms.content.models import RadioSegmentPage
from cms.media.models import MediaMaster

from .conftest import CJM_NAME, KM_NAME, VI_NAME


def payload_manifest(bag_dir: Path) -> dict[str, str]:
    """Content files only: metadata files carry page ids and dates that change on restore."""
    bag = bagit.Bag(str(bag_dir))
    return {
        path: digests["sha256"]
        for path, digests in bag.payload_entries().items()
        if not path.startswith("data/metadata/")
    }


@pytest.mark.django_db
def test_export_delete_import_round_trip(s3, radio_item, tmp_path) -> None:
    key = radio_item.translation_key
    export(configured_targets())
    usb = tmp_path / "usb"
    export([DirectoryTarget(usb)])
    original = usb / "items" / str(key) / "v0001"
    before = payload_manifest(original)
    assert f"data/km/master/{KM_NAME}" in before and f"data/cjm/master/{CJM_NAME}" in before
    masters_before = {m.language: m.sha256 for m in MediaMaster.objects.all()}

    section_id = radio_item.get_parent().pk
    versions = list(radio_item.get_translations(inclusive=True).specific())
    for page in versions:
        page.unpublish()
    for page in versions:
        Page.objects.get(pk=page.pk).delete()
    MediaMaster.objects.all().delete()
    assert not Page.objects.filter(translation_key=key).exists()

    call_command("import_archive", "--from-s3", str(key))

    restored = RadioSegmentPage.objects.filter(translation_key=key, live=True)
    assert sorted(p.locale.language_code for p in restored) == ["cjm", "km", "vi"]
    vi = restored.get(locale__language_code="vi")
    assert vi.get_parent().pk == section_id
    assert vi.audio.original_name == VI_NAME
    assert restored.get(locale__language_code="km").script.startswith("អ្នកប្រកាស")
    assert {m.language: m.sha256 for m in MediaMaster.objects.all()} == masters_before
    assert [t.code for t in vi.topics.all()] == ["crc"]
    assert vi.audio.renditions.get(profile="loudspeaker").status == "done"

    again = tmp_path / "again"
    (outcome,) = export([DirectoryTarget(again)], keys=[key]).outcomes
    # Page ids changed, so the record (and the version) is new; the content is the same.
    assert outcome.status == "exported" and outcome.version == 2
    assert payload_manifest(again / "items" / str(key) / "v0002") == before
    assert ArchiveEvent.objects.filter(event_type=EventType.IMPORT).count() == 1

    with pytest.raises(CommandError, match="still exists"):
        call_command("import_archive", str(original))


@pytest.mark.django_db
def test_import_refuses_a_damaged_bag(radio_item, tmp_path) -> None:
    usb = tmp_path / "usb"
    export([DirectoryTarget(usb)])
    bag_dir = usb / "items" / str(radio_item.translation_key) / "v0001"
    script = bag_dir / "data/vi/text/script.txt"
    script.write_text("đã bị sửa", encoding="utf-8")
    with pytest.raises(CommandError, match="invalid bag"):
        call_command("import_archive", str(bag_dir))


@pytest.mark.django_db
def test_fixity_finds_changed_master_and_bags_and_alerts(s3, settings, radio_item, tmp_path):
    settings.ADMINS = [("Lưu trữ", "archive@example.vn")]
    second = tmp_path / "second copy"
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "SECOND_COPY_DIR": str(second)}
    assert export(configured_targets()).ok

    report = fixity.run(configured_targets())
    assert report.ok, report.failures
    # 3 masters + one bag in each of the two buckets and the directory.
    assert report.checked == 6
    assert not mail.outbox

    master = MediaMaster.objects.get(language="km")
    with open(master.file.path, "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02")
    bag_file = (
        second / "items" / str(radio_item.translation_key) / "v0001" / "data/vi/text/script.txt"
    )
    bag_file.write_text("thay đổi trái phép", encoding="utf-8")
    target = configured_targets()[0]
    stored = next(
        k
        for k in target.client.list_objects_v2(Bucket="national-archive")["Contents"]
        if k["Key"].endswith(f"master/{VI_NAME}")
    )
    target.client.put_object(Bucket="national-archive", Key=stored["Key"], Body=b"corrupt")

    with pytest.raises(CommandError, match="mismatches"):
        call_command("fixity_check")
    failures = ArchiveEvent.objects.filter(
        event_type=EventType.FIXITY_CHECK, outcome=EventOutcome.FAILURE
    )
    assert failures.count() == 3
    assert failures.filter(master=master).exists()
    assert len(mail.outbox) == 1 and "toàn vẹn" in mail.outbox[0].subject
    assert "script.txt" in mail.outbox[0].body
    assert hashlib.sha256(Path(master.file.path).read_bytes()).hexdigest() != master.sha256
