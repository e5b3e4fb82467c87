"""Issue 15, defect 9: a restore keeps the item's history. Delete an exported item,
``import_archive`` it back, export again: the original first-publication dates
(``dcterms:created``, ``cms:versions[].issued``) and PREMIS events survive, the recovery
event names the store and version the bag came from, and an unchanged restored item
needs no new archival version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree
from wagtail.actions.delete_page import DeletePageAction
from wagtail.models import Page

from cms.archive import xsd
from cms.archive.exporter import export
from cms.archive.models import ArchiveEvent, EventType, ItemVersion
from cms.archive.targets import DirectoryTarget, configured_targets

NS = {"p": "http://www.loc.gov/premis/v3"}


def record(bag_dir: Path) -> dict[str, Any]:
    return json.loads((bag_dir / "data/metadata/record.jsonld").read_text("utf-8"))


def premis_events(bag_dir: Path) -> dict[str, tuple[str, str]]:
    """eventIdentifierValue -> (eventType, eventDateTime), schema-checked."""
    tree = xsd.assert_valid_premis((bag_dir / "data/metadata/events.premis.xml").read_bytes())
    return {
        e.findtext("p:eventIdentifier/p:eventIdentifierValue", namespaces=NS): (
            e.findtext("p:eventType", namespaces=NS),
            e.findtext("p:eventDateTime", namespaces=NS),
        )
        for e in tree.findall("p:event", NS)
    }


def dates(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "created": data["dcterms:created"],
        "issued": {v["language"]: v["issued"] for v in data["cms:versions"]},
    }


def delete_item(page: Any, user: Any) -> None:
    """Delete every language version as the admin does (the media library stays)."""
    for version in [*list(page.get_translations(inclusive=False)), page]:
        DeletePageAction(Page.objects.get(pk=version.pk), user=user).execute()


@pytest.mark.django_db
def test_restore_keeps_dates_and_history_and_needs_no_new_version(
    radio_item, make_user, tmp_path
) -> None:
    key = str(radio_item.translation_key)
    usb = tmp_path / "USB lưu trữ"
    assert export([DirectoryTarget(usb)]).ok
    v1 = usb / "items" / key / "v0001"
    original = record(v1)
    original_events = premis_events(v1)
    assert original["dcterms:created"] and all(v["issued"] for v in original["cms:versions"])

    delete_item(radio_item, make_user("quantri", is_superuser=True, is_staff=True))
    assert not Page.objects.filter(translation_key=key).exists()
    call_command("import_archive", str(v1))

    restored = Page.objects.filter(translation_key=key).specific()
    assert {p.locale.language_code: p.first_published_at.isoformat() for p in restored} == (
        dates(original)["issued"]
    )
    (recovery,) = ArchiveEvent.objects.filter(translation_key=key, event_type=EventType.IMPORT)
    assert recovery.object_name == f"items/{key}/v0001"
    assert recovery.target == f"dir:{usb.resolve()}"

    # Unchanged: the same store has v0001 and nothing is made; a new disk gets v0001 itself.
    assert [(o.status, o.version) for o in export([DirectoryTarget(usb)]).outcomes] == [
        ("unchanged", 1)
    ]
    fresh = tmp_path / "fresh"
    assert [(o.status, o.version) for o in export([DirectoryTarget(fresh)]).outcomes] == [
        ("exported", 1)
    ]
    assert ItemVersion.objects.filter(item__translation_key=key).count() == 1
    assert record(fresh / "items" / key / "v0001") == original

    # Changed after the restore: the new version keeps the dates and the whole history.
    vi = restored.get(locale__language_code="vi")
    vi.summary = "Bản tóm tắt sau khi khôi phục."
    vi.save_revision().publish()
    report = export([DirectoryTarget(usb)])
    assert [(o.status, o.version) for o in report.outcomes] == [("exported", 2)]
    v2 = usb / "items" / key / "v0002"
    assert dates(record(v2)) == dates(original)
    after = premis_events(v2)
    for identifier, (kind, when) in original_events.items():
        assert after.get(identifier) == (kind, when), identifier
    kinds = [kind for kind, _when in after.values()]
    assert kinds.count("creation") == [k for k, _w in original_events.values()].count("creation")
    assert "deletion" in kinds and "recovery" in kinds
    text = (v2 / "data/metadata/events.premis.xml").read_text("utf-8")
    assert f"items/{key}/v0001" in text.split(">recovery<", 1)[1][:800]


@pytest.mark.django_db
def test_restore_from_s3_names_the_store_and_version(s3, radio_item, make_user) -> None:
    key = str(radio_item.translation_key)
    targets = configured_targets()
    assert export(targets).ok
    delete_item(radio_item, make_user("quantri", is_superuser=True, is_staff=True))
    call_command("import_archive", "--from-s3", key)
    (recovery,) = ArchiveEvent.objects.filter(translation_key=key, event_type=EventType.IMPORT)
    assert recovery.target == "s3://national-archive/cms"
    assert recovery.object_name == f"items/{key}/v0001"
    premis = etree.fromstring(recovery.premis.encode("utf-8"))
    assert premis.findall("p:event", NS)  # the source bag's history, carried
    assert [(o.status, o.version) for o in export(targets).outcomes] == [("unchanged", 1)]
