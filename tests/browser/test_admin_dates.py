"""A reporter types a production date the Vietnamese way and it is kept, not replaced.

Before: Wagtail's date picker read the box with its own ``Y-m-d`` format on blur, could not
read "30/11/2026" and put today's date in its place, which was then saved.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import admin_errors, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


def test_reporter_types_a_production_date(
    live_server: Any, page: Page, make_user: Any, section: Any, artifacts: Any
) -> None:
    from cms.content.models import RadioSegmentPage

    item = RadioSegmentPage(
        title="Nước sạch cho đồng bào",
        slug="nuoc-sach-cho-dong-bao",
        live=False,
        production_date=datetime.date(2025, 10, 1),
    )
    section.add_child(instance=item)
    item.save_revision()
    make_user("phongvien", "reporter")
    login(page, live_server.url, "phongvien")

    page.goto(f"{live_server.url}/admin/pages/{item.pk}/edit/")
    page.get_by_role("tab", name="Siêu dữ liệu").click()
    field = page.locator("#id_production_date")
    expect(field).to_have_value("01/10/2025")
    field.click()
    field.press("Control+a")
    field.press_sequentially("30/11/2026")
    field.press("Tab")  # blur: the picker used to replace the text with today
    expect(field).to_have_value("30/11/2026")
    page.screenshot(path=str(artifacts / "admin-date-typed.png"))

    with page.expect_navigation():
        page.locator("footer button[type=submit]:visible").first.click()  # "Lưu bản nháp"
    assert admin_errors(page) == [], "saving the draft was refused"
    expect(page.locator(".messages .success")).to_be_visible()
    item.refresh_from_db()
    assert item.get_latest_revision_as_object().production_date == datetime.date(2026, 11, 30)

    page.reload()
    page.get_by_role("tab", name="Siêu dữ liệu").click()
    expect(page.locator("#id_production_date")).to_have_value("30/11/2026")
    page.locator("#id_production_date").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "admin-date-saved.png"))

    # What cannot be read is refused with a Vietnamese message and stays in the box.
    field = page.locator("#id_production_date")
    field.click()
    field.press("Control+a")
    field.press_sequentially("31/02/2026")
    field.press("Tab")
    expect(field).to_have_value("31/02/2026")
    with page.expect_navigation():
        page.locator("footer button[type=submit]:visible").first.click()
    page.get_by_role("tab", name="Siêu dữ liệu").click()
    expect(page.get_by_text("Không đọc được ngày này")).to_be_visible()
    expect(page.locator("#id_production_date")).to_have_value("31/02/2026")
    page.locator("#id_production_date").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "admin-date-refused.png"))
    item.refresh_from_db()
    assert item.get_latest_revision_as_object().production_date == datetime.date(2026, 11, 30)
