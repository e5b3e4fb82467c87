"""``/robots.txt``: plain text; crawlers may read every public page (each URL of the
sitemap), not the admin, the station portal or the station API; the sitemap is named
with its absolute URL. Read with the standard library's robots.txt parser."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from django.test import Client
from lxml import etree

from cms.content.models import RadioSegmentPage
from tests.cms.sharing.test_share_meta import publish

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def robots(client: Client) -> tuple[RobotFileParser, str]:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode("utf-8")
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser, text


def test_public_site_allowed_private_endpoints_not(
    home: Any, section: Any, master_factory: Any
) -> None:
    publish(
        RadioSegmentPage(title="Tin", slug="tin", audio=master_factory("vi_speech.ogg")), section
    )
    client = Client()
    parser, text = robots(client)
    assert parser.site_maps() == ["http://testserver/sitemap.xml"], text
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    locs = etree.fromstring(sitemap.content).xpath("//s:loc/text()", namespaces=NS)
    pages = [urlsplit(loc).path for loc in locs]
    assert "/vi/phat-thanh/tin/" in pages
    for url in [*pages, "/", "/vi/", "/oai/?verb=Identify", "/vi/feeds/radio.xml"]:
        assert parser.can_fetch("*", url), url
    for url in (
        "/admin/",
        "/admin/pages/3/edit/",
        "/stations/",
        "/stations/goi/7/tai-ve/",
        "/stations/goi/7/tep/data/a.mp3",
        "/api/stations/v1/packages",
        "/api/stations/v1/packages/7/bag.zip",
        "/api/stations/v1/packages/7/files/data/a.mp3",
    ):
        assert not parser.can_fetch("Googlebot", url), url
    assert robots(Client(HTTP_HOST="localhost"))[0].site_maps() == ["http://localhost/sitemap.xml"]


def test_only_read_requests() -> None:
    assert Client().post("/robots.txt").status_code == 405
    assert Client().head("/robots.txt").status_code == 200
