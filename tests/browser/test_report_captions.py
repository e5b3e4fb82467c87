"""The plan report's table captions are for screen readers only (issue 14, gap noted in
the closing note of session 13): Wagtail's ``w-sr-only`` hides them from sight and keeps
them as the tables' accessible names."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cms.reports.models import ReportingMembership
from cms.taxonomy.models import ProducingUnit
from tests.browser.test_office_head_report import this_year  # noqa: F401 (fixture)

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.mark.usefixtures("this_year")
def test_report_captions_are_named_tables_but_not_visible(
    live_server: Any, page: Page, make_user: Any, artifacts: Any
) -> None:
    head = make_user("lanhdao", "approver")
    ReportingMembership.objects.create(
        user=head,
        producing_unit=ProducingUnit.objects.get(code="so-tu-phap", locale__language_code="vi"),
    )
    login(page, live_server.url, "lanhdao")
    page.goto(live_server.url + "/admin/reports/")
    captions = page.locator("table[data-table] caption, .report-figure caption")
    assert captions.count() >= 2
    for index in range(captions.count()):
        caption = captions.nth(index)
        box = caption.bounding_box()
        assert box is not None and box["width"] <= 1 and box["height"] <= 1, (
            caption.inner_text(),
            box,
        )
    # Still the table's name for a screen reader.
    expect(page.get_by_role("table", name="Chỉ tiêu của kế hoạch")).to_have_count(1)
    page.screenshot(path=str(artifacts / "report-captions-hidden.png"), full_page=True)
