"""A provincial administrator opens the reports page, reads the indicator and the tables
beside the charts, and downloads the XLSX."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from cms.content.models import RadioSegmentPage
from tests.cms.search.browser_support import (
    BROWSER_MARKS,
    chromium,
    login,
    no_renditions,
    repair_page_tree,
    tab,
)
from tests.cms.search.conftest import add_item, translate

pytestmark = BROWSER_MARKS
__all__ = ["chromium", "no_renditions", "tab"]


@pytest.fixture
def products(no_renditions: None, master_factory: Any) -> None:
    repair_page_tree()
    from wagtail.models import Locale
    from wagtail.models import Page as WagtailPage

    from cms.content.models import HomePage, SectionIndexPage

    home = HomePage(
        title="Trang chủ", slug="trang-chu", locale=Locale.objects.get(language_code="vi")
    )
    WagtailPage.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    section = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
    home.add_child(instance=section)
    section.save_revision().publish()
    master = master_factory("vi_speech.ogg")
    day = datetime.date(2025, 3, 10)
    segment = add_item(
        section, RadioSegmentPage(title="A", slug="a", audio=master), production_date=day
    )
    add_item(
        section,
        RadioSegmentPage(title="B", slug="b", audio=master),
        production_date=day,
        channels=("social-media",),
    )
    add_item(section, RadioSegmentPage(title="C", slug="c", audio=master), production_date=day)
    khmer = translate(segment, "km", title="A km")
    from cms.search.indexing import index_page

    WagtailPage.objects.filter(pk=khmer.pk).update(
        first_published_at=datetime.datetime(2025, 4, 1, 3, 0, tzinfo=datetime.UTC)
    )
    index_page(khmer)


def test_reports_page_and_xlsx(products: None, live_server: Any, tab: Page, make_user: Any) -> None:
    make_user("quantri", "administrator")
    login(tab, live_server.url, "quantri")
    tab.goto(f"{live_server.url}/admin/reports/")
    tab.select_option("#id_period", "half_year")
    tab.fill("#id_year", "2025")
    tab.get_by_role("button", name="Xem báo cáo").click()
    expect(tab.locator("#report-period")).to_contain_text("6 tháng đầu năm 2025")
    # 4 products: A, B, C (vi) and A km; indicator = A km (minority) + B (digital) = 50 %.
    indicator = tab.locator(".indicator")
    expect(indicator).to_have_attribute("data-share", "50.0")
    expect(indicator).to_contain_text("Vượt chỉ tiêu")
    category = tab.locator('[data-section="category"]')
    expect(category.locator("svg")).to_have_count(1)
    expect(category.get_by_role("row", name="Tiếng dân tộc thiểu số")).to_contain_text("1")
    expect(category.get_by_role("row", name="Tiếng Việt (ngôn ngữ quốc gia)")).to_contain_text("3")
    assert tab.evaluate("document.querySelectorAll('script[src*=pygal], svg script').length") == 0

    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="Tải XLSX").click()
    path = download_info.value.path()
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    rows = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)}
    assert rows["Tổng số sản phẩm"] == 4
    assert rows["Sản phẩm tiếng Việt trên nền tảng số"] == 1
