"""Chromium through Playwright for the search and report browser tests.

Launch arguments copied from tests/browser/conftest.py (owned elsewhere); imported by the
browser tests of tests/cms/search and tests/cms/reports.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API keeps an asyncio loop in the main thread; Django then refuses ORM
# calls from the test body unless told this single-threaded use is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = "pw-12345!"
TIMEOUT_MS = 15_000

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """Function-scoped on purpose: while Playwright's loop runs in the main thread, Django's
    ``connections`` (an asgiref Local) hands out another connection object, one without
    ``_test_serialized_contents``, so the next test's ``serialized_rollback`` silently
    restores nothing and starts without locales and groups."""
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = chromium.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if getattr(request.node, "_failed", False):  # pragma: no cover - diagnostics only
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def no_renditions(settings: Any) -> None:
    """Committed masters would run ffmpeg rendition jobs inline; not what these test."""
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}


def repair_page_tree() -> None:
    """Child counts after ``serialized_rollback`` restored the tree (see
    tests/browser/conftest.py for why they can be wrong)."""
    from wagtail.models import Page as WagtailPage

    for node in WagtailPage.objects.all():
        count = WagtailPage.objects.filter(path__startswith=node.path, depth=node.depth + 1).count()
        if count != node.numchild:
            WagtailPage.objects.filter(pk=node.pk).update(numchild=count)


def published_radio_section() -> Any:
    """A published Vietnamese home page (the default site's root) with its published radio
    section, after repairing the tree; returns the section."""
    repair_page_tree()
    from wagtail.models import Locale, Site
    from wagtail.models import Page as WagtailPage

    from cms.content.models import HomePage, SectionIndexPage

    vi = Locale.objects.get(language_code="vi")
    home = HomePage(title="Trang chủ", slug="trang-chu", locale=vi)
    WagtailPage.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    section = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


def login(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base_url}/admin/")
