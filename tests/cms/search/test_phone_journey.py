"""A listener finds a segment about children ("trẻ em") on a 360x740 phone (issue 14: 4):
types the query, sees results on the first screen, opens the filter panel, ticks a box,
applies, and opens the item. Screenshots: ``test-artifacts/search-phone-*.png``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cms.content.models import RadioSegmentPage, VideoPage

from .browser_support import (
    ARTIFACTS,
    BROWSER_MARKS,
    TIMEOUT_MS,
    chromium,
    no_renditions,
    published_radio_section,
)
from .conftest import add_item

pytestmark = BROWSER_MARKS
__all__ = ["chromium", "no_renditions"]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    refused: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


@pytest.fixture
def items(no_renditions: None, master_factory: Any) -> None:
    section = published_radio_section()
    audio = master_factory("vi_speech.ogg")
    add_item(
        section,
        RadioSegmentPage(
            title="Quyền trẻ em ở thôn bản",
            slug="quyen-tre-em",
            audio=audio,
            script="Mọi trẻ em sống trên núi đều có quyền được học tập.",
        ),
        units=("P-20",),  # tagged before the 2025 reform: Lạng Sơn (đến 30/06/2025)
        topics=("gender-equality",),
    )
    add_item(
        section,
        VideoPage(
            title="Trẻ em đến trường",
            slug="tre-em-den-truong",
            video=master_factory("silent_no_audio.mp4"),
            transcript="Video về trẻ em đến trường trên bản.",
        ),
        product_type="video",
        units=("P2025-92",),
        topics=("gender-equality",),
    )
    add_item(
        section,
        RadioSegmentPage(
            title="Nước sạch trên núi",
            slug="nuoc-sach",
            audio=audio,
            script="Bể nước đặt trên đồi cao.",
        ),
        topics=("gender-equality",),
    )


def on_first_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + 24 <= PHONE["height"]


def test_listener_finds_a_segment_about_children_on_a_phone(
    items: None, live_server: Any, phone: Page
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    taps = 0
    phone.goto(f"{live_server.url}/vi/")
    phone.locator("header input[name=q]").tap()
    taps += 1
    phone.keyboard.type("trẻ em")
    phone.locator("header form.search button").tap()
    taps += 1
    phone.wait_for_url("**/vi/search/?q=*")
    expect(phone.locator(".result-count")).to_have_attribute("data-total", "2")
    # results on the first screen, above the (collapsed) filters' contents
    assert on_first_screen(phone, "ol.hits > li h2"), "the results are not on the first screen"
    assert phone.locator("select[multiple]").count() == 0  # no Ctrl-click list boxes
    expect(phone.locator("details.search-filters")).not_to_have_attribute("open", "")
    # whole words highlighted, with the accents typed: never "trê" of "trên"
    marks = phone.locator("ol.hits mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} <= {"trẻ", "em"}, marks
    phone.screenshot(path=str(ARTIFACTS / "search-phone-results.png"))

    # Only the radio items: open the panel, tick "Bản tin phát thanh", apply.
    phone.locator("details.search-filters > summary").tap()
    taps += 1
    radio = phone.locator('[data-facet="item_type"]').get_by_role("checkbox").first
    label = phone.locator('[data-facet="item_type"] li').first.inner_text()
    expect(radio).to_be_visible()
    box = radio.bounding_box()
    assert box is not None and box["width"] >= 18 and box["height"] >= 18, box  # tappable
    # today's units only; the item tagged with the former province is under today's
    area = phone.locator('[data-facet="unit"]')
    expect(area.get_by_text("Lạng Sơn", exact=True)).to_have_count(1)
    expect(area).to_contain_text("gồm cả: Lạng Sơn (đến 30/06/2025)")
    radio.tap()
    taps += 1
    apply = phone.locator("details.search-filters button.apply")
    assert on_first_screen(phone, "details.search-filters button.apply"), "Apply is off screen"
    phone.screenshot(path=str(ARTIFACTS / "search-phone-filters-open.png"))
    apply.tap()
    taps += 1
    phone.wait_for_url(re.compile(r".*item_type=radio_segment.*"))
    expect(phone.locator(".result-count")).to_have_attribute("data-total", "1")
    expect(phone.locator("ol.hits > li h2")).to_have_text(["Quyền trẻ em ở thôn bản"])
    assert on_first_screen(phone, "ol.hits > li h2")
    expect(phone.locator("details.search-filters summary")).to_contain_text("đang chọn 1")
    phone.screenshot(path=str(ARTIFACTS / "search-phone-filtered.png"))

    # The area filter: today's Lạng Sơn finds the item tagged with the former province.
    phone.goto(f"{live_server.url}/vi/search/?q=tr%E1%BA%BB+em")
    phone.locator("details.search-filters > summary").tap()
    area.get_by_role("checkbox", name="Lạng Sơn").tap()
    phone.screenshot(path=str(ARTIFACTS / "search-phone-area-panel.png"), full_page=True)
    phone.locator("details.search-filters button.apply").tap()
    phone.wait_for_url(re.compile(r".*unit=\d+.*"))
    expect(phone.locator("ol.hits > li h2")).to_have_text(["Quyền trẻ em ở thôn bản"])

    phone.goto(f"{live_server.url}/vi/search/?q=tr%E1%BA%BB+em&item_type=radio_segment")
    phone.locator("ol.hits a").first.tap()
    taps += 1
    expect(phone.get_by_role("heading", level=1)).to_have_text("Quyền trẻ em ở thôn bản")
    assert "phat-thanh" in phone.url
    # query, search, open filters, tick, apply, open the item; no scrolling needed
    assert taps == 6, (taps, label)
