"""A reporter finds terms in the pickers by typing without diacritics, and a new page's
address is ASCII although the admin's script fills the slug with Vietnamese letters."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import admin_errors, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TITLE = "Nước sạch cho đồng bào"


def search_in_chooser(page: Page, field: str, query: str, label: str, other: str) -> None:
    """Type ``query`` in the chooser's search box: ``label`` is listed, ``other`` (listed
    before searching) is not."""
    page.locator(f"[data-contentpath={field}] button:visible").first.click()
    modal = page.locator(".modal-dialog")
    expect(modal.get_by_role("link", name=other, exact=True)).to_be_visible()
    search = modal.locator("input[name=q]")
    search.fill(query)
    expect(modal.get_by_role("link", name=other, exact=True)).to_be_hidden()
    expect(modal.get_by_role("link", name=label, exact=True)).to_be_visible()


def test_reporter_searches_pickers_and_gets_an_ascii_address(
    live_server: Any, page: Page, make_user: Any, section: Any, artifacts: Any
) -> None:
    from cms.content.models import RadioSegmentPage

    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")
    page.goto(f"{live_server.url}/admin/pages/add/content/radiosegmentpage/{section.pk}/")
    page.locator("#id_title").press_sequentially(TITLE)
    page.locator("#id_title").press("Tab")  # the script fills the slug from the title
    expect(page.locator("#id_slug")).not_to_have_value("")

    page.get_by_role("tab", name="Siêu dữ liệu").click()
    search_in_chooser(page, "product_type", "phong su", "Phóng sự phát thanh", "Bản tin")
    page.screenshot(path=str(artifacts / "admin-picker-search.png"))
    page.locator(".modal-dialog").get_by_role("link", name="Phóng sự phát thanh").click()
    expect(page.locator("[data-contentpath=product_type]")).to_contain_text("Phóng sự phát thanh")
    search_in_chooser(page, "producing_unit", "so tu phap", "Sở Tư pháp", "Công an tỉnh")
    page.locator(".modal-dialog").get_by_role("link", name="Sở Tư pháp").click()

    with page.expect_navigation():
        page.locator("footer button[type=submit]:visible").first.click()  # "Lưu bản nháp"
    assert admin_errors(page) == [], "saving the draft was refused"
    item = RadioSegmentPage.objects.get(title=TITLE)
    assert item.slug == "nuoc-sach-cho-dong-bao"
    assert item.get_latest_revision_as_object().product_type.name == "Phóng sự phát thanh"
    page.get_by_role("tab", name="Quảng bá").click()
    expect(page.locator("#id_slug")).to_have_value("nuoc-sach-cho-dong-bao")
    page.screenshot(path=str(artifacts / "admin-ascii-slug.png"))
