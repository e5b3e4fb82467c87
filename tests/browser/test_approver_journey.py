"""The approver's journey (issue 14, item 17): an item a reporter submitted, passed on by the
editor, approved and published by the office head from the page editor.

Before: the approver's main button was "Lưu bản nháp"; the menu began with "Xuất bản" and
"Hủy quy trình duyệt", the approval ("Duyệt") came later and, although it published the
page, the message only said "Đã cập nhật trang …". Publishing took 3 clicks from the
dashboard (open the item, unfold the menu, find "Duyệt" among five entries).

Now each step has one primary action named for what it does ("Duyệt, chuyển sang bước Phê
duyệt" for the editor, "Duyệt và xuất bản" for the approver), no bare "Xuất bản" beside it,
"Hủy quy trình duyệt" last, and a message saying what happened: 2 clicks from the dashboard.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from cms.content.models import RadioSegmentPage
from cms.editorial.roles import TASKS
from tests.cms.search.conftest import add_item

from .conftest import admin_errors, login, logout

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

TITLE = "Nước sạch về bản Khuổi Khon"


class Clicks:
    """Counts what a person clicks (to compare journeys before and after)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: Locator) -> None:
        self.count += 1
        target.click()


def footer_buttons(page: Page, screenshot: Path | None = None) -> tuple[str, list[str]]:
    """The page editor's main action button and the entries of its menu, as shown."""
    footer = page.locator("footer")
    primary = footer.locator("button:visible").first.inner_text().strip()
    footer.locator("[data-w-dropdown-target=toggle]:visible").first.click()
    menu = footer.locator("[data-w-dropdown-target=content]")
    entries = [
        text.strip()
        for text in menu.locator("button:visible, a:visible").all_inner_texts()
        if text.strip()
    ]
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    page.keyboard.press("Escape")
    return primary, entries


def test_approver_approves_and_publishes_a_submitted_item(
    live_server: Any, page: Page, make_user: Any, section: Any, master_factory: Any, artifacts: Any
) -> None:
    master = master_factory("vi_segment_48k_stereo.wav", title="Bản ghi nước sạch")
    reporter = make_user("phongvien", "reporter")
    item = add_item(
        section,
        RadioSegmentPage(title=TITLE, slug="nuoc-sach", audio=master),
        publish=False,
        production_date=datetime.date(2025, 10, 1),
    )
    item.get_workflow().start(item, reporter)
    assert item.current_workflow_task.name == TASKS[0][0]

    # The editor: one primary action that says where the item goes next.
    make_user("bientap", "editor")
    login(page, live_server.url, "bientap")
    page.goto(f"{live_server.url}/admin/pages/{item.pk}/edit/")
    primary, entries = footer_buttons(page)
    assert primary == f"Duyệt, chuyển sang bước {TASKS[1][0]}", (primary, entries)
    assert "Xuất bản" not in entries
    with page.expect_navigation():
        page.locator("footer button[data-workflow-action-name=approve]:visible").first.click()
    assert admin_errors(page) == []
    success = page.locator(".messages .success")
    expect(success).to_contain_text(f"Đã duyệt bước {TASKS[0][0]}")
    expect(success).to_contain_text(f"chuyển sang bước {TASKS[1][0]}")
    logout(page)

    # The approver (office head), from the dashboard.
    make_user("lanhdao", "approver")
    clicks = Clicks()
    login(page, live_server.url, "lanhdao")
    clicks(page.locator("main").get_by_role("link", name=TITLE).first)
    page.wait_for_url(f"**/admin/pages/{item.pk}/edit/**")
    primary, entries = footer_buttons(page, artifacts / "approver-editor-menu.png")
    page.screenshot(path=str(artifacts / "approver-editor-buttons.png"))
    assert primary == "Duyệt và xuất bản", (primary, entries)
    assert "Xuất bản" not in entries, entries  # no second way to publish beside it
    assert entries[-1] == "Hủy quy trình duyệt", entries  # cancelling is last, not first
    assert entries[:2] == ["Duyệt và xuất bản, kèm nhận xét", "Yêu cầu sửa"], entries

    with page.expect_navigation():
        clicks(page.locator("footer button[data-workflow-action-name=approve]:visible").first)
    assert admin_errors(page) == []
    messages = page.locator(".messages").inner_text()
    assert f"Đã duyệt và xuất bản trang “{TITLE}”." in messages, messages
    assert "Đã cập nhật trang" not in messages, messages
    page.screenshot(path=str(artifacts / "approver-published-message.png"))
    assert clicks.count == 2  # before: 3 (open, unfold the menu, "Duyệt")

    item.refresh_from_db()
    assert item.live and item.current_workflow_state is None
    logout(page)
    response = page.goto(live_server.url + item.url)
    assert response is not None and response.status == 200
