"""The plan report's channel figures, from posts in and out of the period.

Reporting year 2026 with the default cut-offs runs 15/12/2025–14/12/2026 (Việt Nam time).

post  channel            item        posted at (UTC+7)     in 2026?
1     Zalo (Sở TP)       published   30/11/2026 14:30      yes
2     Zalo (Sở TP)       published   01/12/2026 09:00      yes (same product: counted once)
3     Fanpage (Sở TP)    published   10/01/2026 10:00      yes
4     YouTube (Sở VH)    other_unit  14/12/2026 23:30      yes (16:30 UTC, last day)
5     Website (office)   other_unit  15/12/2026 00:30      no  (14/12 in UTC: next year here)
6     Zalo (Sở TP)       published   10/12/2025 10:00      no  (the year before)
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from cms.reports.figures import compute
from cms.reports.models import ReportingMembership
from cms.reports.periods import annual

from .conftest import at, post, unit

pytestmark = pytest.mark.django_db

YEAR = {"period": "year", "year": "2026"}
PERIOD = annual(2026, (12, 14))


@pytest.fixture
def posts(items: dict[str, Any], channels: dict[str, Any]) -> None:
    published, other = items["published"], items["other_unit"]
    post(channels["zalo"], published, at("30/11/2026", "14:30"))
    post(channels["zalo"], published, at("01/12/2026", "09:00"))
    post(channels["fanpage"], published, at("10/01/2026"))
    post(channels["youtube"], other, at("14/12/2026", "23:30"))
    post(channels["website"], other, at("15/12/2026", "00:30"))
    post(channels["zalo"], published, at("10/12/2025"))


def sections(restriction: Q | None = None) -> dict[str, dict[str, tuple[Any, ...]]]:
    report = compute(PERIOD, restriction=restriction)
    return {
        s.key: {row.label: (row.count, *row.extra) for row in s.rows}
        for s in report.extra_sections
        if s.key.startswith("official_")
    }


def test_products_per_channel_and_channels_in_use(posts: None) -> None:
    found = sections()
    assert found["official_channel_kind"] == {
        "Zalo OA": (1, 2),
        "Fanpage Facebook": (1, 1),
        "YouTube": (1, 1),
        "Trang web": (0, 0),  # an active channel with no post in the period
    }
    assert found["official_channel"] == {
        "Zalo OA: Sở Tư pháp": (1, 2),
        "Fanpage Facebook: Pháp luật mỗi ngày": (1, 1),
        "YouTube: Văn hóa Lạng Sơn": (1, 1),
        "Trang web: Cổng thông tin": (0, 0),
    }  # the retired TikTok channel, without posts, is not listed
    assert found["official_channels_in_use"] == {
        "Kênh mạng xã hội chính thức đang hoạt động": (3,),
        "Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ": (3,),
        "Kênh chính thức đang hoạt động (mọi loại, kể cả trang web)": (4,),
        "Kênh chính thức có sản phẩm đăng trong kỳ (mọi loại)": (3,),
    }


def test_the_previous_year_has_its_own_posts(posts: None) -> None:
    report = compute(annual(2025, (12, 14)))
    rows = {r.label: r.count for s in report.extra_sections for r in s.rows}
    assert rows["Zalo OA: Sở Tư pháp"] == 1
    assert rows["Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ"] == 1


def test_a_units_report_counts_its_own_products_and_channels(posts: None) -> None:
    found = sections(Q(producing_unit="so-tu-phap"))
    assert found["official_channel"] == {
        "Zalo OA: Sở Tư pháp": (1, 2),
        "Fanpage Facebook: Pháp luật mỗi ngày": (1, 1),
    }
    assert found["official_channels_in_use"][
        "Kênh chính thức đang hoạt động (mọi loại, kể cả trang web)"
    ] == (2,)


def test_unpublished_items_no_longer_count(posts: None, items: dict[str, Any]) -> None:
    items["other_unit"].unpublish()
    found = sections()
    assert found["official_channel_kind"]["YouTube"] == (0, 0)
    assert found["official_channels_in_use"][
        "Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ"
    ] == (2,)


def test_no_channel_tables_before_any_channel_is_recorded(items: dict[str, Any]) -> None:
    assert sections() == {}


def test_the_page_and_both_files_carry_the_figures(
    client: Any, make_user: Any, posts: None
) -> None:
    client.force_login(make_user("quantri", "administrator"))
    page = client.get("/admin/reports/", YEAR).content.decode()
    assert 'data-section="official_channel"' in page
    assert "Sản phẩm đăng theo từng kênh chính thức" in page
    assert "Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ" in page

    text = client.get("/admin/reports/export.csv", YEAR).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    titles = [row[0] for row in rows if len(row) == 1]
    assert any(t.endswith(". Sản phẩm đăng theo từng kênh chính thức") for t in titles)
    by_label = {row[1]: row[2:] for row in rows if len(row) > 2 and row[0].isdigit()}
    assert by_label["Zalo OA: Sở Tư pháp"] == ["1", "2"]
    assert by_label["Kênh mạng xã hội chính thức đang hoạt động"] == ["3"]

    workbook = client.get("/admin/reports/export.xlsx", YEAR).content
    sheet = load_workbook(io.BytesIO(workbook)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    by_label = {r[1]: tuple(r[2:4]) for r in values if r and isinstance(r[0], int)}
    assert by_label["Zalo OA"] == (1, 2)
    assert by_label["Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ"][0] == 3


def test_an_office_head_sees_their_units_channel_figures(
    client: Any, make_user: Any, posts: None
) -> None:
    head = make_user("lanhdao", "approver")
    ReportingMembership.objects.create(user=head, producing_unit=unit("so-tu-phap"))
    client.force_login(head)
    text = client.get("/admin/reports/export.csv", YEAR).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    by_label = {row[1]: row[2:] for row in rows if len(row) > 2 and row[0].isdigit()}
    assert by_label["Zalo OA: Sở Tư pháp"] == ["1", "2"]
    assert "YouTube: Văn hóa Lạng Sơn" not in by_label
    assert by_label["Kênh mạng xã hội chính thức có sản phẩm đăng trong kỳ"] == ["2"]
