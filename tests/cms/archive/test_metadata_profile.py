"""The metadata profile: one record per item with every language, valid against the schema,
and the readiness list the archivist sees."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from cms.archive import metadata_profile
from cms.archive.items import load_item
from cms.archive.metadata_profile import RecordInvalid
from cms.archive.readiness import readiness
from cms.archive.record import record_code, validated_record
from cms.content.models import RadioSegmentPage

from .conftest import CJM_NAME, KM_NAME, VI_NAME


@pytest.mark.django_db
def test_record_has_all_languages_dublin_core_edm_and_archival_fields(radio_item) -> None:
    item = load_item(radio_item.translation_key)
    assert item is not None and item.languages == ["vi", "km", "cjm"]
    record, files = validated_record(item)

    assert {f"dc:{name}" for name in metadata_profile.DC_ELEMENTS} <= set(record)
    titles = {v["@language"]: v["@value"] for v in record["dc:title"]}
    assert titles["vi"] == "Quyền trẻ em ở thôn bản"
    assert titles["km"] == "សិទ្ធិកុមារនៅតាមភូមិ"
    assert record["dc:language"] == ["vi", "km", "cjm"]
    assert record["dc:identifier"][0] == record["arc:record"]["arc:recordCode"]

    aggregation = record[metadata_profile.AGGREGATION_KEY]
    assert record["edm:type"] == "SOUND"
    assert aggregation["edm:dataProvider"]["code"] == "so-tu-phap"
    assert aggregation["edm:provider"]["code"] == "P2025-20"
    assert aggregation["edm:rights"]["@id"] == "http://creativecommons.org/licenses/by/4.0/"
    assert aggregation["edm:isShownAt"]["@id"] == record["cms:versions"][0]["url"] != ""
    # The web rendition is missing, so isShownBy falls back to the master; the km and cjm
    # recordings are further views.
    assert aggregation["edm:isShownBy"]["@id"].startswith("http://cms.test/")
    assert len(aggregation["edm:hasView"]) == 2

    archival = record["arc:record"]
    assert archival["arc:retentionPeriod"] == "permanent"
    assert archival["arc:languages"] == ["vie", "khm", "cjm"]
    assert archival["arc:startDate"] == "2025-10-01"
    # Three masters and three scripts; renditions are derived, not documents.
    assert archival["arc:documentCount"] == 6

    tags = record["cms:tags"]
    assert [t["code"] for t in tags["cms:topics"]] == ["crc"]
    assert tags["cms:coverage"][0]["code"] == "P2025-20"
    assert tags["cms:coverage"][0]["validFrom"] == "2025-07-01"
    assert tags["cms:funding"] == "state_budget"
    assert tags["cms:bulletinClass"] == "normal"
    assert tags["cms:channels"][0] == {
        "code": "commune-loudspeaker",
        "name": tags["cms:channels"][0]["name"],
        "isDigital": False,
    }

    paths = {f.path for f in files}
    assert f"vi/master/{VI_NAME}" in paths
    assert f"km/master/{KM_NAME}" in paths
    assert f"cjm/master/{CJM_NAME}" in paths
    assert "vi/renditions/loudspeaker/Phóng sự.loudspeaker.mp3" in paths
    km = next(v for v in record["cms:versions"] if v["language"] == "km")
    assert km["fields"]["master"] == f"data/km/master/{KM_NAME}"


@pytest.mark.django_db
def test_record_is_deterministic(radio_item) -> None:
    first, _ = validated_record(load_item(radio_item.translation_key))
    radio_item.save_revision().publish()  # republished without a change
    second, _ = validated_record(load_item(radio_item.translation_key))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@pytest.mark.django_db
def test_generated_record_code_is_stable_and_editor_code_wins(radio_item) -> None:
    generated = record_code(radio_item)
    assert generated == f"CMS.{radio_item.translation_key.hex[:12].upper()}"
    radio_item.record_code = "HS-2025/15"
    assert record_code(radio_item) == "HS-2025/15"


@pytest.mark.django_db
def test_schema_rejects_a_record_missing_archival_fields(radio_item) -> None:
    record, _ = validated_record(load_item(radio_item.translation_key))
    broken = copy.deepcopy(record)
    del broken["arc:record"]["arc:retentionPeriod"]
    broken["edm:type"] = "MOVIE"
    with pytest.raises(RecordInvalid) as caught:
        metadata_profile.validate(broken)
    text = str(caught.value)
    assert "arc:retentionPeriod" in text and "MOVIE" in text
    jsonschema.Draft202012Validator.check_schema(metadata_profile.schema())


@pytest.mark.django_db
def test_readiness_names_what_is_missing(section, radio_item) -> None:
    assert readiness(radio_item) == []
    draft = RadioSegmentPage(title="Bản nháp", slug="ban-nhap", live=False)
    section.add_child(instance=draft)
    missing = readiness(draft)
    for label in ("Chưa xuất bản", "Chủ đề", "Bản ghi gốc", "Thời hạn bảo quản"):
        assert label in missing


@pytest.mark.django_db
def test_exhibition_images_dedupe_names_case_insensitively(exhibition_item) -> None:
    record, files = validated_record(load_item(exhibition_item.translation_key))
    images = sorted(f.path for f in files if f.role == "image")
    # "Ảnh sinh hoạt.jpg" and "ảnh sinh hoạt.JPG" would collide on a FAT/exFAT USB disk.
    assert len(images) == 2 and len({p.casefold() for p in images}) == 2
    assert record["edm:type"] == "IMAGE"
    assert any(f.path == "vi/text/captions.txt" for f in files)
