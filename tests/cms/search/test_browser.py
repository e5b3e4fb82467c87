"""A visitor searches without diacritics and in Khmer, and narrows by a facet."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cms.content.models import RadioSegmentPage

from .browser_support import (
    BROWSER_MARKS,
    chromium,
    no_renditions,
    published_radio_section,
    tab,
)
from .conftest import add_item, translate

pytestmark = BROWSER_MARKS
__all__ = ["chromium", "no_renditions", "tab"]


@pytest.fixture
def items(no_renditions: None, master_factory: Any) -> None:
    section = published_radio_section()
    master = master_factory("vi_speech.ogg")
    segment = add_item(
        section,
        RadioSegmentPage(
            title="Quyền trẻ em ở thôn bản",
            slug="quyen-tre-em",
            audio=master,
            script="Mọi trẻ em đều có quyền được học tập và vui chơi.",
        ),
    )
    add_item(
        section,
        RadioSegmentPage(title="Bình đẳng giới", slug="binh-dang", audio=master),
        topics=("gender-equality",),
    )
    translate(
        segment,
        "km",
        title="សិទ្ធិកុមារនៅតាមភូមិ",
        script="កុមារគ្រប់រូបមានសិទ្ធិសិក្សា លេងកម្សាន្ត។",
    )


def test_search_without_diacritics_by_facet_and_in_khmer(
    items: None, live_server: Any, tab: Page
) -> None:
    tab.goto(f"{live_server.url}/vi/")
    tab.fill("header input[name=q]", "quyen tre em")
    tab.locator("header form.search button").click()
    tab.wait_for_url("**/vi/search/?q=quyen+tre+em")
    hits = tab.locator("ol.hits > li")
    expect(hits.first.get_by_role("link")).to_have_text("Quyền trẻ em ở thôn bản")
    expect(hits.first.locator("mark")).to_have_text(["trẻ", "em", "quyền"])
    expect(tab.locator(".result-count")).to_have_attribute("data-total", "2")

    # Narrow to Khmer with the language filter, then open the result.
    tab.locator("details.search-filters > summary").click()
    tab.locator('[data-facet="language"]').get_by_role("checkbox", name="ភាសាខ្មែរ").check()
    tab.locator("details.search-filters button.apply").click()
    expect(tab.locator(".result-count")).to_have_attribute("data-total", "1")
    tab.locator("ol.hits a").first.click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("សិទ្ធិកុមារនៅតាមភូមិ")

    # A Khmer word from inside an unspaced sentence, typed in the page's own form.
    tab.goto(f"{live_server.url}/km/search/")
    tab.fill("#id_q", "សិក្សា")
    tab.locator("form.search-page .search-row button").click()
    expect(tab.locator("ol.hits > li")).to_have_count(1)
    expect(tab.locator("ol.hits mark")).to_have_text("សិក្សា")
    expect(tab.locator("ol.hits > li")).to_have_attribute("lang", "km")
