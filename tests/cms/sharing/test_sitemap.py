"""``/sitemap.xml`` (issue 18: 3): every public page of every language once, absolute URLs,
``lastmod``, ``xhtml:link`` hreflang alternates to its public versions; no draft, private,
internal or expired page. Parsed with lxml."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree
from wagtail.models import Page, PageViewRestriction

from cms.content.models import RadioSegmentPage
from tests.cms.sharing.test_share_meta import publish, translate_item

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def segment(section: Any, slug: str, master: Any) -> Any:
    return publish(RadioSegmentPage(title=slug, slug=slug, audio=master), section)


def sitemap(client: Client) -> dict[str, dict[str, Any]]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    entries: dict[str, dict[str, Any]] = {}
    for url in root.findall("s:url", NS):
        loc = url.findtext("s:loc", namespaces=NS)
        assert loc not in entries, f"{loc} listed twice"
        entries[loc] = {
            "lastmod": url.findtext("s:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href")
                for link in url.findall("x:link[@rel='alternate']", NS)
            },
        }
    return entries


def test_sitemap_lists_every_public_page_once_with_its_alternates(
    home: Any, section: Any, master_factory: Any
) -> None:
    master = master_factory("vi_speech.ogg")
    public = segment(section, "tin-cong-khai", master)
    for parent in (home, section):
        translate_item(parent, "km")
    km = translate_item(public, "km", title="ព័ត៌មាន")
    # a translation that is only a draft (its parents are made as live aliases of the
    # Vietnamese home and section: public pages, listed)
    from wagtail.models import Locale

    draft_en = public.copy_for_translation(
        Locale.objects.get(language_code="en"), copy_parents=True
    )
    assert not draft_en.live
    private = segment(section, "tin-mat-khau", master)
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    internal = segment(section, "tin-noi-bo", master)
    RadioSegmentPage.objects.filter(pk=internal.pk).update(access_level="internal")
    expired = segment(section, "tin-het-han", master)
    Page.objects.filter(pk=expired.pk).update(expire_at=timezone.now() - datetime.timedelta(days=1))
    withdrawn = segment(section, "tin-go-xuong", master)
    withdrawn.unpublish()
    draft = RadioSegmentPage(title="Nháp", slug="nhap", audio=master, live=False)
    section.add_child(instance=draft)

    entries = sitemap(Client())
    paths = {loc.split("://", 1)[1].split("/", 1)[1] for loc in entries}
    assert paths == {
        "vi/",
        "vi/phat-thanh/",
        "vi/phat-thanh/tin-cong-khai/",
        "km/",
        "km/phat-thanh/",
        "km/phat-thanh/tin-cong-khai/",
        "en/",
        "en/phat-thanh/",
    }
    assert all(loc.startswith("http") for loc in entries)
    assert all(entry["lastmod"] for entry in entries.values())

    vi_loc = public.get_full_url()
    km_loc = km.get_full_url()
    expected = {"vi": vi_loc, "km": km_loc, "x-default": vi_loc}
    assert entries[vi_loc]["alternates"] == expected
    assert entries[km_loc]["alternates"] == expected
    assert (
        entries[vi_loc]["lastmod"]
        == timezone.localtime(public.last_published_at).date().isoformat()
    )


def test_sitemap_without_translations_has_no_alternates(home: Any) -> None:
    entries = sitemap(Client())
    assert list(entries) == [home.get_full_url()]
    assert entries[home.get_full_url()]["alternates"] == {}
