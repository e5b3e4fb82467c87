"""Browser tests: Debian's Chromium driven through Playwright against ``live_server``.

The live server runs in a thread of the test process, so settings overridden with the
``settings`` fixture (``MEDIA_ROOT``, ``VAR_DIR``) apply to the requests it serves. Static
files (``/static/fonts/...``) are served by pytest-django's ``StaticFilesHandler``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, sync_playwright

from cms.editorial.roles import ROLES

# Playwright's sync API keeps an asyncio loop in the main thread; Django then refuses ORM
# calls from the test body unless told that this (single-threaded test) use is fine.
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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pw-12345!"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def browser() -> Iterator[Browser]:
    """A Chromium per test: Playwright's event loop, kept alive across tests, makes Django
    hand out a different connection object that lacks the serialized test data, so the next
    ``serialized_rollback`` test would silently start with an empty database."""
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context (no cookies) per test; a screenshot is kept when the test fails.

    Every browser test also proves the Content Security Policy breaks nothing it uses: a
    script, style, font or media file the policy refused fails the test at teardown.
    """
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=str(artifacts / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Transactional tests commit, so on-commit rendition jobs would run ffmpeg inline
    # (ImmediateBackend) for every master; renditions are not what these tests look at.
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    return settings.MEDIA_ROOT


@pytest.fixture
def make_user(django_user_model: Any) -> Any:
    def make(username: str, role: str | None = None, **extra: Any) -> Any:
        user = django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)
        if role:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        return user

    return make


def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real admin login form."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base_url}/admin/")


def logout(page: Page) -> None:
    page.context.clear_cookies()


@pytest.fixture
def home() -> Any:
    from wagtail.models import Locale, Site
    from wagtail.models import Page as WagtailPage

    from cms.content.models import HomePage

    root = WagtailPage.get_first_root_node()
    page = HomePage(
        title="Trang chủ", slug="trang-chu", locale=Locale.objects.get(language_code="vi")
    )
    root.add_child(instance=page)
    page.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = page
    site.save()
    return page


@pytest.fixture
def section(home: Any) -> Any:
    from cms.content.models import SectionIndexPage

    page = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def master_factory(samples: Path) -> Any:
    """A master stored as the upload form would store it (checked by content)."""
    from cms.media.uploads import master_from_file

    def make(sample: str, language: str = "vi", title: str | None = None) -> Any:
        return master_from_file(samples / sample, title or sample, language)

    return make


def admin_errors(page: Page) -> list[str]:
    """The admin's error messages (banner and field errors), to show in a failed assert."""
    page.wait_for_load_state("load")
    return [
        text.strip()
        for text in page.locator(".messages .error, .error-message").all_inner_texts()
        if text.strip()
    ]
