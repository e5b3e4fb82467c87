"""A page's weight on a first visit from a phone (issue 14: 8), for the browser tests.

Counted twice: the bytes of every response body Chromium received (the test server sends
everything uncompressed), and the bytes production would send for the same bodies (static
CSS as whitenoise's level-9 ``.gz`` served by nginx ``gzip_static``, HTML gzipped by nginx
at its default level 1, the rest as is).
"""

from __future__ import annotations

import gzip
from typing import Any

from playwright.sync_api import Browser, Page

from tests.browser.conftest import TIMEOUT_MS

PHONE = {"width": 360, "height": 740}


def new_phone(browser: Browser, locale: str = "vi-VN") -> Page:
    context = browser.new_context(locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def served(url: str, content_type: str, body: bytes) -> int:
    """What production sends for this body: static CSS as whitenoise's level-9 ``.gz``
    (nginx ``gzip_static``), HTML gzipped by nginx (its default level 1), the rest as is."""
    if content_type.startswith("text/css"):
        return len(gzip.compress(body, compresslevel=9, mtime=0))
    if content_type.startswith("text/html"):
        return len(gzip.compress(body, compresslevel=1, mtime=0))
    return len(body)


def first_visit(browser: Browser, url: str) -> tuple[int, int, dict[str, int], Page]:
    """A first visit (no cache) on a new phone: (bytes received, bytes as production sends
    them, body sizes received by URL, the page; the caller closes its context)."""
    page = new_phone(browser)
    received: dict[str, int] = {}
    production: dict[str, int] = {}

    def finished(request: Any) -> None:
        response = request.response()
        received[request.url] = request.sizes()["responseBodySize"]
        if response is not None:
            kind = response.headers.get("content-type", "")
            production[request.url] = served(request.url, kind, response.body())

    page.on("requestfinished", finished)
    page.goto(url, wait_until="load")
    page.evaluate("async () => { await document.fonts.ready; }")
    page.wait_for_load_state("networkidle")
    return sum(received.values()), sum(production.values()), received, page
