"""OAI-PMH 2.0: the six verbs, both formats, sets, dates, keyset resumption tokens,
deleted records, and protocol errors (never a 500) for malformed requests."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

from cms.archive import catalog, metadata_profile
from cms.archive.models import ArchiveItem, ArchiveItemSet

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
}


def oai(client: Any, method: str = "get", **params: Any) -> etree._Element:
    response = getattr(client, method)("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return etree.fromstring(response.content)


def error_code(root: etree._Element) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


@pytest.fixture
def catalogued(radio_item: Any) -> ArchiveItem:
    row = catalog.sync_item(radio_item.translation_key)
    assert row is not None
    return row


@pytest.mark.django_db
def test_identify_and_formats_and_sets(client, catalogued) -> None:
    root = oai(client, verb="Identify")
    assert root.findtext("o:Identify/o:deletedRecord", namespaces=NS) == "persistent"
    assert root.findtext("o:Identify/o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert root.findtext("o:Identify/o:baseURL", namespaces=NS).endswith("/oai/")
    root = oai(client, verb="ListMetadataFormats")
    prefixes = root.xpath("//o:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc", "vn_cms"]
    root = oai(client, verb="ListSets")
    specs = root.xpath("//o:setSpec/text()", namespaces=NS)
    for spec in ("topic", "topic:crc", "province:P2025-20", "language:km", "type:radio_report"):
        assert spec in specs


@pytest.mark.django_db
def test_get_record_in_both_formats(client, catalogued) -> None:
    identifier = f"oai:archive.test.vn:{catalogued.translation_key}"
    root = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    titles = root.xpath("//dc:title", namespaces=NS)
    langs = {t.get("{http://www.w3.org/XML/1998/namespace}lang"): t.text for t in titles}
    assert langs["km"] == "សិទ្ធិកុមារនៅតាមភូមិ"
    specs = root.xpath("//o:header/o:setSpec/text()", namespaces=NS)
    assert "language:cjm" in specs and "province:P2025-20" in specs

    root = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="vn_cms")
    embedded = root.xpath("//*[local-name()='jsonld']/text()")[0]
    record = json.loads(embedded)
    metadata_profile.validate(record)
    assert record["cms:translationKey"] == str(catalogued.translation_key)


@pytest.mark.django_db
def test_withdrawn_item_is_a_persistent_deleted_record(client, radio_item, catalogued) -> None:
    for page in radio_item.get_translations(inclusive=True):
        page.specific.unpublish()
    catalog.sync_item(radio_item.translation_key)
    identifier = f"oai:archive.test.vn:{radio_item.translation_key}"
    root = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert root.find(".//o:header", NS).get("status") == "deleted"
    assert root.find(".//o:metadata", NS) is None
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert root.find(".//o:header", NS).get("status") == "deleted"


def bulk_rows(count: int, datestamp: dt.datetime, spec: str | None = None) -> list[ArchiveItem]:
    record = {
        "dc:title": [{"@value": "Bản ghi", "@language": "vi"}],
        "arc:record": {"arc:recordCode": "X"},
        "@id": "urn:uuid:x",
    }
    rows = ArchiveItem.objects.bulk_create(
        [
            ArchiveItem(
                translation_key=uuid.uuid4(),
                record_code=f"R{n}",
                title=f"Bản ghi {n}",
                datestamp=datestamp,
                metadata=record,
            )
            for n in range(count)
        ]
    )
    if spec:
        ArchiveItemSet.objects.bulk_create([ArchiveItemSet(item=r, spec=spec) for r in rows])
    return rows


@pytest.mark.django_db
def test_keyset_paging_with_equal_datestamps_returns_each_record_once(client, settings) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_PAGE_SIZE": 10}
    moment = timezone.now() - dt.timedelta(hours=1)
    rows = bulk_rows(25, moment, spec="language:vi")
    bulk_rows(5, moment)  # not in the set
    seen: list[str] = []
    params: dict[str, str] = {
        "verb": "ListIdentifiers",
        "metadataPrefix": "oai_dc",
        "set": "language:vi",
    }
    cursors = []
    for _ in range(10):
        root = oai(client, **params)
        seen += root.xpath("//o:header/o:identifier/text()", namespaces=NS)
        token = root.find(".//o:resumptionToken", NS)
        if token is None or not token.text:
            assert token.get("completeListSize") == "25"
            break
        cursors.append(token.get("cursor"))
        params = {"verb": "ListIdentifiers", "resumptionToken": token.text}
    assert cursors == ["0", "10"]
    assert sorted(seen) == sorted(f"oai:archive.test.vn:{r.translation_key}" for r in rows)
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
def test_from_until_at_day_and_second_granularity(client) -> None:
    old = dt.datetime(2025, 3, 1, 10, 0, 5, 500_000, tzinfo=dt.UTC)
    bulk_rows(1, old)
    bulk_rows(1, dt.datetime(2025, 3, 2, 0, 0, 0, tzinfo=dt.UTC))

    def count(**params: str) -> int:
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        if error_code(root) == "noRecordsMatch":
            return 0
        return len(root.findall(".//o:header", NS))

    assert count(until="2025-03-01") == 1
    assert count(**{"from": "2025-03-01", "until": "2025-03-01"}) == 1
    assert count(**{"from": "2025-03-01T10:00:05Z", "until": "2025-03-01T10:00:05Z"}) == 1
    assert count(**{"from": "2025-03-01T10:00:06Z"}) == 1
    assert count(**{"from": "2025-03-02"}) == 1
    assert count(**{"from": "2025-03-03"}) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01T00:00:00.5Z"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2025-01-01",
                "until": "2025-02-01T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a b"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:1"},
            "idDoesNotExist",
        ),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "a\x00b"}, "badArgument"),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:archive.test.vn:not-a-uuid"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
    ],
)
def test_malformed_requests_get_protocol_errors(client, params, code) -> None:
    for method in ("get", "post"):
        root = oai(client, method, **params)
        assert error_code(root) == code, (method, params)
        request = root.find("o:request", NS)
        if code in ("badVerb", "badArgument"):
            assert not request.attrib


@pytest.mark.django_db
def test_token_of_another_verb_is_refused(client, settings, catalogued) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_PAGE_SIZE": 1}
    bulk_rows(2, timezone.now() - dt.timedelta(minutes=5))
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(".//o:resumptionToken", NS).text
    assert error_code(oai(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_code(oai(client, verb="ListIdentifiers", resumptionToken=tampered)) == (
        "badResumptionToken"
    )
