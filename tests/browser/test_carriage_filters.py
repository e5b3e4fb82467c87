"""An editor follows the carriage in Wagtail's listing: the filters drilldown of the slim
header narrows the packages without a page reload, and the active filter shows as a pill."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cms.stations.models import BroadcastPackage
from tests.browser.conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_editor_filters_the_carriage_dashboard(
    live_server: Any, page: Page, make_user: Any, artifacts: Any
) -> None:
    make_user("bientap", "editor")
    BroadcastPackage.objects.create(title="Bản tin sáng", released_at=timezone.now())
    BroadcastPackage.objects.create(title="Bản tin nháp")
    login(page, live_server.url, "bientap")
    page.goto(f"{live_server.url}/admin/carriage/")
    rows = page.locator("table.listing tbody tr[data-package]")
    expect(rows).to_have_count(2)
    page.screenshot(path=str(artifacts / "carriage-dashboard.png"), full_page=True)
    page.get_by_role("button", name="Hiện bộ lọc").click()
    page.get_by_role("button", name="Trạng thái").click()
    page.get_by_label("Chưa phát hành").check()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bản tin nháp")
    expect(page.locator(".w-pill")).to_have_count(1)
    assert "state=unreleased" in page.url
    page.screenshot(path=str(artifacts / "carriage-dashboard-filtered.png"), full_page=True)
