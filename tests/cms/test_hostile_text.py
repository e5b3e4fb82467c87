"""Hostile text in every script reaches every output escaped, never as markup.

Editors paste from Word and the web; translators type in Khmer, Cham and H'Mông. Whatever
they type (or an attacker with a reporter's account types) must come out as text on the
public page, in search results, in the OAI-PMH XML and in the station portal.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from tests.cms.conftest import complete_metadata

pytestmark = pytest.mark.django_db

SCRIPT_TAG = '<script>alert("xss")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HOSTILE_TITLE = f"Quyền trẻ em {SCRIPT_TAG} សិទ្ធិកុមារ"
HOSTILE_SUMMARY = f"Tóm tắt {ATTRIBUTE} ꨀꨇꩉ"
HOSTILE_SCRIPT = f"Kính thưa bà con</textarea>{SCRIPT_TAG} Nyob zoo"


def assert_no_markup(body: str) -> None:
    assert SCRIPT_TAG not in body
    assert "<img src=x" not in body
    assert "</textarea><script>" not in body


@pytest.fixture
def hostile_item(section: Any, master_factory: Any) -> Any:
    from cms.content.models import RadioSegmentPage

    master = master_factory("vi_speech.ogg", title=f"Bản ghi {SCRIPT_TAG}")
    page = RadioSegmentPage(
        title=HOSTILE_TITLE,
        slug="quyen-tre-em",
        summary=HOSTILE_SUMMARY,
        script=HOSTILE_SCRIPT,
        audio=master,
        live=False,
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.summary = HOSTILE_SUMMARY
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_public_page_shows_hostile_text_as_text(hostile_item: Any, client: Client) -> None:
    response = client.get(hostile_item.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert_no_markup(body)
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in body
    assert "សិទ្ធិកុមារ" in body


def test_search_results_and_snippets_escape_hostile_text(hostile_item: Any, client: Client) -> None:
    for query in ("quyen tre em", "សិទ្ធិ", SCRIPT_TAG, "nyob zoo"):
        response = client.get("/vi/search/", {"q": query})
        assert response.status_code == 200
        body = response.content.decode()
        assert_no_markup(body)
    assert "quyen-tre-em" in client.get("/vi/search/", {"q": "quyen tre em"}).content.decode()


def test_oai_records_carry_hostile_text_as_xml_text(hostile_item: Any, client: Client) -> None:
    from cms.archive import catalog

    catalog.sync_item(hostile_item.translation_key)
    response = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    titles = root.xpath("//*[local-name()='title']/text()")
    assert HOSTILE_TITLE in titles
    assert not root.xpath("//*[local-name()='script']"), "no element smuggled into the record"


def test_station_portal_escapes_station_names(make_station_user: Any) -> None:
    user = make_station_user("tram-xa-1", name=f"Đài {SCRIPT_TAG}")
    client = Client()
    client.force_login(user)
    response = client.get("/stations/")
    assert response.status_code == 200
    body = response.content.decode()
    assert_no_markup(body)
    assert "Đài &lt;script&gt;" in body


def test_decomposed_vietnamese_is_stored_composed(section: Any, master_factory: Any) -> None:
    """Text pasted from some Word versions arrives decomposed (NFD); it is stored NFC."""
    from cms.content.models import RadioSegmentPage

    decomposed = unicodedata.normalize("NFD", "Quyền trẻ em được học tập")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    page = RadioSegmentPage(
        title=decomposed,
        slug="nfd",
        summary=decomposed,
        script=decomposed,
        audio=master_factory("vi_speech.ogg"),
        live=False,
    )
    section.add_child(instance=page)
    page.full_clean()
    page.save()
    page.refresh_from_db()
    for value in (page.title, page.summary, page.script):
        assert unicodedata.is_normalized("NFC", value)
