"""End-to-end export to a real S3-protocol server (moto_server on loopback) and to a
directory: versions, idempotence, tombstones, and every bag valid by ``bagit``."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from cms.archive.exporter import export
from cms.archive.models import (
    ArchiveEvent,
    ArchiveItem,
    EventType,
    ExportRecord,
    ExportStatus,
    ItemVersion,
)
from cms.archive.targets import S3Target, configured_targets
from cms.archive.tasks import run_export
from cms.content.models import ItemPage

from .conftest import CJM_NAME, KM_NAME, VI_NAME


def object_state(s3: Any, bucket: str) -> dict[str, tuple[str, Any]]:
    client = s3.client()
    state = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            state[entry["Key"]] = (entry["ETag"], entry["LastModified"])
    return state


def download_bag(s3: Any, bucket: str, key: str, label: str, dest: Path) -> bagit.Bag:
    target = S3Target(bucket, "cms", s3.url)
    target.download_prefix(f"items/{key}/{label}", dest)
    bag = bagit.Bag(str(dest))
    bag.validate()
    return bag


@pytest.mark.django_db
def test_export_reexport_change_and_withdraw(s3, radio_item, tmp_path) -> None:
    key = str(radio_item.translation_key)
    targets = configured_targets()
    assert [t.name for t in targets] == ["s3://national-archive/cms", "s3://second-copy/cms"]

    report = export(targets)
    assert report.ok, report
    (outcome,) = report.outcomes
    assert outcome.status == "exported" and outcome.version == 1
    for bucket in ("national-archive", "second-copy"):
        bag = download_bag(s3, bucket, key, "v0001", tmp_path / bucket / "v1")
        assert bag.info["Record-Code"] == outcome.record_code
        assert bag.info["Source-Organization"] == "Sở Tư pháp"
        payload = set(bag.payload_entries())
        for name in (
            f"data/vi/master/{VI_NAME}",
            f"data/km/master/{KM_NAME}",
            f"data/cjm/master/{CJM_NAME}",
        ):
            assert unicodedata.normalize("NFC", name) in payload
        assert "data/metadata/record.jsonld" in payload
        assert "data/metadata/events.premis.xml" in payload
        assert set(bag.algorithms) == {"sha256", "sha512"}
    keys = object_state(s3, "national-archive")
    assert f"cms/items/{key}/v0001/data/km/master/{KM_NAME}" in keys
    assert f"cms/items/{key}/v0001.done.json" in keys
    latest = json.loads(
        s3.client()
        .get_object(Bucket="national-archive", Key=f"cms/items/{key}/latest.json")["Body"]
        .read()
    )
    assert latest["version"] == 1
    record = ExportRecord.objects.get(target="s3://national-archive/cms")
    assert record.status == ExportStatus.DONE and record.finished_at is not None
    assert all(o["etag"] for o in record.objects_stored)
    assert ArchiveItem.objects.get(translation_key=key).deleted is False

    # Unchanged: nothing uploaded, nothing rewritten, no new version.
    before = object_state(s3, "national-archive")
    report = export(targets)
    assert [o.status for o in report.outcomes] == ["unchanged"]
    assert report.outcomes[0].uploaded_objects == 0
    assert object_state(s3, "national-archive") == before
    assert ItemVersion.objects.count() == 1

    # Changed: a new version beside the old one.
    km = radio_item.get_translation(radio_item.locale.__class__.objects.get(language_code="km"))
    km.specific.title = "សិទ្ធិកុមារ (កែប្រែ)"
    km.specific.save_revision().publish()
    report = export(targets)
    assert [(o.status, o.version) for o in report.outcomes] == [("exported", 2)]
    after = object_state(s3, "national-archive")
    assert f"cms/items/{key}/v0001.done.json" in after
    assert f"cms/items/{key}/v0002.done.json" in after
    v2 = download_bag(s3, "national-archive", key, "v0002", tmp_path / "v2")
    record_v2 = json.loads((Path(v2.path) / "data/metadata/record.jsonld").read_text("utf-8"))
    assert {"@value": "សិទ្ធិកុមារ (កែប្រែ)", "@language": "km"} in record_v2["dc:title"]
    premis = (Path(v2.path) / "data/metadata/events.premis.xml").read_text("utf-8")
    assert "replication" in premis and "ingestion" in premis and "dissemination" in premis
    # Every content file of the bag is a PREMIS file object with the manifest's SHA-256.
    tree = etree.fromstring(premis.encode("utf-8"))
    ns = {"p": "http://www.loc.gov/premis/v3"}
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    digests = {
        o.findtext("p:objectIdentifier/p:objectIdentifierValue", namespaces=ns): o.findtext(
            "p:objectCharacteristics/p:fixity/p:messageDigest", namespaces=ns
        )
        for o in tree.findall("p:object", ns)
        if o.get(xsi_type) == "premis:file"
    }
    content = {
        path: d["sha256"]
        for path, d in v2.payload_entries().items()
        if not path.startswith("data/metadata/")
    }
    assert digests == content
    assert tree[0].get(xsi_type) == "premis:intellectualEntity"

    # Withdrawn: a tombstone; the catalogue keeps a deleted record.
    for page in radio_item.get_translations(inclusive=True):
        page.specific.unpublish()
    report = export(targets)
    assert [(o.status, o.version) for o in report.outcomes] == [("withdrawn", 3)]
    tombstone = json.loads(
        s3.client()
        .get_object(Bucket="second-copy", Key=f"cms/items/{key}/v0003.tombstone.json")["Body"]
        .read()
    )
    assert tombstone["kind"] == "tombstone" and tombstone["previousVersion"] == 2
    assert ArchiveItem.objects.get(translation_key=key).deleted is True
    assert ArchiveEvent.objects.filter(event_type=EventType.WITHDRAWAL).count() == 2
    before = object_state(s3, "second-copy")
    assert [o.status for o in export(targets, keys=[radio_item.translation_key]).outcomes] == [
        "unchanged"
    ]
    assert export(targets).outcomes == []  # nothing left to look at
    assert object_state(s3, "second-copy") == before


@pytest.mark.django_db
def test_export_refuses_items_that_are_not_ready(s3, radio_item) -> None:
    # A published item can lose a field through a script or a vocabulary change.
    ItemPage.objects.filter(pk=radio_item.pk).update(retention_period="")
    report = export(configured_targets())
    (outcome,) = report.outcomes
    assert outcome.status == "not_ready"
    assert "Thời hạn bảo quản" in outcome.missing
    assert not object_state(s3, "national-archive")


@pytest.mark.django_db
def test_missing_bucket_is_reported_and_nothing_is_marked_done(s3, settings, radio_item) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "S3_BUCKET": "no-such-bucket"}
    report = export(configured_targets())
    assert "no-such-bucket" in report.aborted and "bucket" in report.aborted
    assert not ExportRecord.objects.filter(status=ExportStatus.DONE).exists()
    with pytest.raises(CommandError, match="export stopped"):
        call_command("export_archive")


@pytest.mark.django_db
def test_dry_run_changes_nothing(s3, radio_item, capsys) -> None:
    call_command("export_archive", "--dry-run")
    assert "would_export" in capsys.readouterr().out
    assert not ExportRecord.objects.exists() and not object_state(s3, "national-archive")


@pytest.mark.django_db
def test_export_to_directory_keeps_unicode_names(radio_item, exhibition_item, tmp_path) -> None:
    usb = tmp_path / "USB ổ đĩa"
    call_command("export_archive", "--to-dir", str(usb))
    bags = sorted(usb.glob("items/*/v0001"))
    assert len(bags) == 2
    for bag_dir in bags:
        bagit.Bag(str(bag_dir)).validate()
        assert (bag_dir.parent / "v0001.done.json").exists()
    radio_bag = usb / "items" / str(radio_item.translation_key) / "v0001"
    on_disk = {p.name for p in radio_bag.rglob("*") if p.is_file()}
    assert {VI_NAME, KM_NAME, CJM_NAME} <= on_disk
    script = (radio_bag / "data/km/text/script.txt").read_text("utf-8")
    assert script.startswith("អ្នកប្រកាស")
    assert not list(usb.rglob(".partial-*"))
    # Items picked one at a time by record code; unchanged ones are left alone.
    code = ArchiveItem.objects.get(translation_key=radio_item.translation_key).record_code
    call_command("export_archive", "--to-dir", str(usb), "--item", code)
    assert ExportRecord.objects.filter(status=ExportStatus.DONE).count() == 2


@pytest.mark.django_db
def test_since_and_the_scheduled_task(settings, radio_item, tmp_path, capsys) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "SECOND_COPY_DIR": str(tmp_path / "copy")}
    call_command("export_archive", "--since", "2999-01-01", "--dry-run")
    assert "would_export: 0" in capsys.readouterr().out
    result = run_export.enqueue()
    assert result.return_value["summary"]["exported"] == 1
    assert next((tmp_path / "copy").rglob("v0001.done.json"))
