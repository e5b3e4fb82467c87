"""A live item in a section that is not live (unpublished, or a draft) is not public:
not served, not in the section listings, the sitemap, public search or OAI-PMH; the same
item in a live section is (``cms.content.visibility``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from lxml import etree
from wagtail.models import Page

from cms.content.models import RadioSegmentPage, SectionIndexPage
from cms.content.visibility import is_public, public_pages, under_unpublished_page
from tests.cms.conftest import complete_metadata
from tests.cms.integrity.test_public_privacy import archive_settings  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}


def item(parent: Page, slug: str, master: Any, capture: Any) -> RadioSegmentPage:
    page = RadioSegmentPage(title=f"Tin {slug}", slug=slug, audio=master, live=False)
    parent.add_child(instance=page)
    complete_metadata(page)
    page.save()
    with capture(execute=True):  # the archive catalogue follows on commit
        page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def pages(
    home: Page, section: Page, master_factory: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Page]:
    """A live item in the live section, and live items in a withdrawn section (published,
    then unpublished without its pages) and in a sub-section of it."""
    master = master_factory("vi_speech.ogg")
    withdrawn = SectionIndexPage(title="Chuyên mục cũ", slug="chuyen-muc-cu")
    home.add_child(instance=withdrawn)
    withdrawn.save_revision().publish()
    inner = SectionIndexPage(title="Mục con", slug="muc-con")
    withdrawn.add_child(instance=inner)
    inner.save_revision().publish()
    capture = django_capture_on_commit_callbacks
    shown = item(section, "hien", master, capture)
    hidden = item(withdrawn, "an", master, capture)
    deep = item(inner, "an-sau", master, capture)
    with capture(execute=True):
        withdrawn.unpublish()
    for page in (shown, hidden, deep, inner):
        page.refresh_from_db()
        assert page.live
    return {"shown": shown, "hidden": hidden, "deep": deep, "inner": inner}


def test_the_rule_excludes_pages_under_a_page_that_is_not_live(pages: dict[str, Page]) -> None:
    public = set(public_pages().values_list("pk", flat=True))
    assert pages["shown"].pk in public and is_public(pages["shown"])
    for name in ("hidden", "deep", "inner"):
        assert pages[name].pk not in public, name
        assert not is_public(pages[name]), name
        assert under_unpublished_page(pages[name])
    assert not under_unpublished_page(pages["shown"])
    # as a subquery too (public search narrows its hits this way)
    typed = public_pages(RadioSegmentPage.objects.all())
    assert list(typed.values_list("pk", flat=True)) == [pages["shown"].pk]


def test_not_served_and_not_listed(client: Client, pages: dict[str, Page]) -> None:
    assert client.get("/vi/phat-thanh/hien/").status_code == 200
    assert client.get("/vi/chuyen-muc-cu/an/").status_code == 404
    assert client.get("/vi/chuyen-muc-cu/muc-con/an-sau/").status_code == 404
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locs = etree.fromstring(response.content).xpath("//s:loc/text()", namespaces=SITEMAP)
    paths = {loc.split("://", 1)[1].split("/", 1)[1] for loc in locs}
    assert "vi/phat-thanh/hien/" in paths
    assert not [path for path in paths if "chuyen-muc-cu" in path], paths


def test_not_harvested(client: Client, pages: dict[str, Page]) -> None:
    """Withdrawing the section withdraws its items from the catalogue (deleted records)."""
    response = client.get("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    live = {
        header.findtext("o:identifier", namespaces=OAI)
        for header in root.iterfind(".//o:header", OAI)
        if header.get("status") != "deleted"
    }
    assert f"oai:archive.test.vn:{pages['shown'].translation_key}" in live
    for name in ("hidden", "deep"):
        assert f"oai:archive.test.vn:{pages[name].translation_key}" not in live, name
