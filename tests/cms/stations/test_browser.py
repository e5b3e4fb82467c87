"""The portal in Debian's Chromium: log in, see the emergency on top, download and verify in
the browser (fetch + WebCrypto SHA-256), confirm receipt and airing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cms.stations.models import PackageDelivery

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Same launch as tests/browser/conftest.py (Debian's Chromium, never `playwright install`).
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


@pytest.fixture
def browser(db: None) -> Iterator[Browser]:
    """Started after the database is set up: Playwright runs an event loop in this thread,
    and the serialized-rollback restore must not run under it."""
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


def test_station_operator_downloads_verifies_and_confirms(
    live_server: Any, page: Page, make_item, make_station, make_package, release, units,
    station_user,
) -> None:  # fmt: skip
    item = make_item("Quyền trẻ em ở thôn bản")
    station = make_station("xa-cao-loc", unit="cao_loc")
    other = make_station("can-tho", unit="can_tho")
    release(make_package("Gói tuần 42", [item], units=[units["cao_loc"]]))
    [urgent] = release(
        make_package("Bão số 5 khẩn cấp", [item], "emergency", units=[units["cao_loc"]])
    )
    release(make_package("Gói Cần Thơ", [item], units=[units["can_tho"]]))
    station_user("dai-xa", station)
    station_user("dai-can-tho", other)

    page.goto(f"{live_server.url}/stations/")
    page.fill("input[name=username]", "dai-xa")
    page.fill("input[name=password]", "pw-12345!")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Gói phát sóng của đài")
    cards = page.locator("[data-package]")
    expect(cards.first).to_contain_text("Bão số 5 khẩn cấp")  # emergency pinned on top
    expect(page.locator("main")).not_to_contain_text("Gói Cần Thơ")

    cards.first.locator("a").click()
    expect(page.locator("#expected-sha256")).to_have_text(urgent.build.zip_sha256)
    page.click("#fetch-verify")
    expect(page.locator("#verify-result")).to_have_text("Mã kiểm tra khớp: tệp nguyên vẹn.")
    expect(page.locator("#fetch-percent")).to_have_text("100%")
    expect(page.locator("#sha256-input")).to_have_value(urgent.build.zip_sha256)
    page.click("text=Xác nhận đã nhận đủ")
    expect(page.locator(".messages")).to_contain_text("Đã xác nhận nhận gói")

    page.fill("#id_aired_date", "2026-01-05")
    page.fill("#id_aired_time", "06:30")
    page.check("input[name=items]")
    page.click("text=Ghi nhận đã phát")
    expect(page.locator("#airing-history")).to_contain_text("05/01/2026 06:30")
    delivery = PackageDelivery.objects.get(pk=urgent.pk)
    assert delivery.received_at is not None and delivery.aired_at is not None

    # Another station's package is simply not found.
    response = page.goto(f"{live_server.url}/stations/goi/{delivery.package_id + 2}/")
    assert response is not None and response.status == 404
