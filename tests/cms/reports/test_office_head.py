"""Office heads (the approver role, "Lãnh đạo duyệt") open the plan report (issue 14, item 19).

Before: ``lanhdao`` got "bạn không có quyền" at /admin/reports/ and had no menu entry, and
the project's menu and Wagtail's own reports menu were both called "Báo cáo"."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from cms.reports.models import ReportingMembership
from cms.taxonomy.models import ProducingUnit
from tests.cms.reports.test_reports import YEAR, counts

pytestmark = pytest.mark.django_db

REPORT_URLS = ("/admin/reports/", "/admin/reports/export.xlsx", "/admin/reports/export.csv")
PLAN_REPORT_LABEL = "Báo cáo kế hoạch"


def top_level_menu(client: Any) -> list[dict[str, Any]]:
    """The main menu's top-level items (label, url, ...) from the sidebar of /admin/."""
    response = client.get("/admin/")
    assert response.status_code == 200
    raw = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert raw, "sidebar props not found"
    modules = json.loads(raw.group(1))["modules"]
    main = next(m for m in modules if m["_type"] == "wagtail.sidebar.MainMenuModule")
    return [item["_args"][0] for item in main["_args"][0]]


def test_office_head_sees_the_report_office_wide_or_for_their_unit(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    client.force_login(make_user("lanhdao", "approver"))
    response = client.get("/admin/reports/", YEAR)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Năm 2025 (từ 15/12/2024 đến 14/12/2025)" in body
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 6  # the whole office's
    for url in REPORT_URLS[1:]:
        export = client.get(url, YEAR)
        assert export.status_code == 200
        assert "attachment" in export["Content-Disposition"]

    # An office head tied to a unit sees that unit's figures by default.
    head = make_user("lanhdao-stp", "approver")
    ReportingMembership.objects.create(
        user=head,
        producing_unit=ProducingUnit.objects.get(code="so-tu-phap", locale__language_code="vi"),
    )
    client.force_login(head)
    body = client.get("/admin/reports/", YEAR).content.decode()
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 4  # A, A-km, C, C-en
    assert counts(body, "producing_unit") == {"Sở Tư pháp": 4}


def test_office_head_has_a_distinct_plan_report_menu_item(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    for user in (make_user("lanhdao", "approver"), make_user("quantri", "administrator")):
        client.force_login(user)
        items = top_level_menu(client)
        labels = Counter(item["label"] for item in items)
        assert [label for label, n in labels.items() if n > 1] == [], labels
        plan = [item for item in items if item.get("url") == "/admin/reports/"]
        assert [item["label"] for item in plan] == [PLAN_REPORT_LABEL], user.username


def test_only_office_heads_gain_the_report_among_editorial_roles(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    client.force_login(make_user("lanhdao", "approver"))
    assert all(client.get(url, YEAR).status_code == 200 for url in REPORT_URLS)
    for role in ("reporter", "editor", "translator"):
        client.force_login(make_user(f"user-{role}", role))
        for url in REPORT_URLS:
            response = client.get(url, YEAR)
            # Wagtail turns PermissionDenied into a redirect with a message.
            assert response.status_code in (302, 403), (role, url)
            assert b"data-table" not in response.content
        assert all(item.get("url") != "/admin/reports/" for item in top_level_menu(client)), role
