"""Issue 15, defect 2: every OAI-PMH response is valid against the official schemas.

Validated with lxml against the vendored OAI-PMH.xsd + oai_dc.xsd (with simpledc and xml.xsd)
+ oai-identifier.xsd + the project's own vn_cms.xsd (``cms.archive.xsd``, offline): every
verb, both metadata formats, every resumption page, every error code, GET and POST, live and
deleted records, and records in several languages and scripts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

from cms.archive import catalog, oai_formats, xsd
from cms.archive.models import ArchiveItem, ArchiveItemSet

NS = {"o": "http://www.openarchives.org/OAI/2.0/"}
METHODS = ("get", "post")
PREFIXES = ("oai_dc", "vn_cms")


def valid(client: Any, method: str, **params: Any) -> etree._Element:
    response = getattr(client, method)("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    try:
        return xsd.assert_valid_oai(response.content)
    except etree.DocumentInvalid as error:  # show the response with the schema's complaint
        raise AssertionError(f"{method} {params}: {error}\n{response.content.decode()}") from error


def error_code(root: etree._Element) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


@pytest.fixture
def repository(settings, radio_item, exhibition_item) -> dict[str, Any]:
    """Two multilingual items, one withdrawn record (with its sets), one page per record."""
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_PAGE_SIZE": 1}
    live = [catalog.sync_item(radio_item.translation_key)]
    live.append(catalog.sync_item(exhibition_item.translation_key))
    assert all(row is not None and not row.deleted for row in live)
    gone = ArchiveItem.objects.create(
        translation_key=uuid.uuid4(),
        record_code="CMS-GONE",
        title="Bản tin đã rút",
        deleted=True,
        datestamp=timezone.now() - dt.timedelta(days=1),
        metadata={"dc:title": [{"@value": "Bản tin đã rút", "@language": "vi"}]},
    )
    ArchiveItemSet.objects.create(item=gone, spec="language:vi")
    return {"live": live, "deleted": gone}


def identifier(row: ArchiveItem) -> str:
    return f"oai:archive.test.vn:{row.translation_key}"


def test_vendored_schemas_load_without_the_network() -> None:
    # The parser refuses the network; loading would fail if an import needed it.
    assert isinstance(xsd.oai_pmh_schema(), etree.XMLSchema)
    assert isinstance(xsd.premis_schema(), etree.XMLSchema)


@pytest.mark.django_db
def test_served_vn_cms_schema_is_the_one_validated_against(client) -> None:
    response = client.get("/oai/schemas/vn_cms.xsd")
    assert response.status_code == 200
    assert response.content.decode() == oai_formats.VN_CMS_XSD
    etree.XMLSchema(etree.fromstring(response.content))


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
def test_identify_formats_and_sets_are_valid(client, repository, method) -> None:
    root = valid(client, method, verb="Identify")
    assert root.find("o:Identify/o:description", NS) is not None
    root = valid(client, method, verb="ListMetadataFormats")
    assert root.xpath("//o:metadataPrefix/text()", namespaces=NS) == list(PREFIXES)
    for row in [*repository["live"], repository["deleted"]]:
        valid(client, method, verb="ListMetadataFormats", identifier=identifier(row))
    root = valid(client, method, verb="ListSets")
    assert "language:vi" in root.xpath("//o:setSpec/text()", namespaces=NS)


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_get_record_is_valid_for_live_and_deleted_records(client, repository, method, prefix):
    for row in repository["live"]:
        root = valid(
            client, method, verb="GetRecord", identifier=identifier(row), metadataPrefix=prefix
        )
        assert root.find(".//o:metadata", NS) is not None
    root = valid(
        client,
        method,
        verb="GetRecord",
        identifier=identifier(repository["deleted"]),
        metadataPrefix=prefix,
    )
    assert root.find(".//o:header", NS).get("status") == "deleted"


def harvest(client: Any, method: str, verb: str, **params: str) -> list[etree._Element]:
    """Every page of a list request, each one validated; returns the pages."""
    pages = [valid(client, method, verb=verb, **params)]
    while True:
        token = pages[-1].find(f"o:{verb}/o:resumptionToken", NS)
        if token is None or not token.text:
            return pages
        pages.append(valid(client, method, verb=verb, resumptionToken=token.text))


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_page_of_every_list_is_valid(client, repository, method, verb, prefix) -> None:
    pages = harvest(client, method, verb, metadataPrefix=prefix)
    assert len(pages) == 3  # one record per page, three records, the last token empty
    headers = [h for page in pages for h in page.iterfind(".//o:header", NS)]
    assert sorted(h.findtext("o:identifier", namespaces=NS) for h in headers) == sorted(
        identifier(row) for row in [*repository["live"], repository["deleted"]]
    )
    assert [h.get("status") for h in headers].count("deleted") == 1
    selective = harvest(
        client,
        method,
        verb,
        metadataPrefix=prefix,
        set="language:vi",
        **{"from": "2000-01-01", "until": "2999-12-31"},
    )
    assert sum(len(page.findall(".//o:header", NS)) for page in selective) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
def test_every_error_code_is_valid(client, repository, method) -> None:
    token = harvest(client, "get", "ListIdentifiers", metadataPrefix="oai_dc")[0]
    good_token = token.findtext(".//o:resumptionToken", namespaces=NS)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "x"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": identifier(repository["deleted"])}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a b"}, "badArgument"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": good_token}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {
                "verb": "ListIdentifiers",
                "metadataPrefix": "marc21",
                "set": "language:vi",
                "from": "2025-01-01",
            },
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "marc21",
                "identifier": identifier(repository["live"][0]),
            },
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:1"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": f"oai:archive.test.vn:{uuid.uuid4()}",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:archive.test.vn:nope"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
        (
            {
                "verb": "ListIdentifiers",
                "metadataPrefix": "vn_cms",
                "set": "province:nowhere",
                "until": "2999-01-01T00:00:00Z",
            },
            "noRecordsMatch",
        ),
    ]
    for params, code in cases:
        root = valid(client, method, **params)
        assert error_code(root) == code, (method, params)
