"""An office head opens the plan report for their unit and downloads the XLSX (issue 14,
item 20).

The head (``lanhdao``, "Lãnh đạo duyệt", tied to Sở Tư pháp) signs in, opens "Báo cáo kế
hoạch" from the menu (1 click), reads how products are counted, and downloads the XLSX
(1 click): 2 clicks, as before, but the file now carries the page's charts, drawn by Excel
from the table cells, and the page says how the headline figure is counted.
"""

from __future__ import annotations

import datetime
import io
import re
import zoneinfo
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from cms.content.models import RadioSegmentPage
from cms.reports.models import ReportingMembership
from cms.reports.periods import current_year
from cms.reports.views import schedule_for
from cms.taxonomy.models import ProducingUnit
from tests.cms.search.conftest import add_item, translate

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# The reporting year the report opens on (it starts after the 14/12 cut-off): the products
# below are dated inside it, whenever the test runs.
YEAR = current_year(datetime.datetime.now(HCM).date(), schedule_for(None).annual_cutoff)


@pytest.fixture
def this_year(section: Any, master_factory: Any) -> None:
    """Products of the current reporting year (15/12 of the year before to 14/12): three Vietnamese
    originals of Sở Tư pháp, one on a digital channel, a Khmer translation of one of them,
    and one original of another unit (not the head's)."""
    from wagtail.models import Page as WagtailPage

    from cms.search.indexing import index_page

    master = master_factory("vi_speech.ogg")
    day = datetime.date(YEAR, 3, 10)
    first = add_item(
        section, RadioSegmentPage(title="A", slug="a", audio=master), production_date=day
    )
    add_item(
        section,
        RadioSegmentPage(title="B", slug="b", audio=master),
        production_date=datetime.date(YEAR, 5, 4),
        channels=("web-portal",),
    )
    add_item(section, RadioSegmentPage(title="C", slug="c", audio=master), production_date=day)
    add_item(
        section,
        RadioSegmentPage(title="D", slug="d", audio=master),
        production_date=day,
        producing_unit="so-vhttdl",
    )
    khmer = translate(first, "km", title="A km")
    moment = datetime.datetime(YEAR, 6, 1, 10, 0, tzinfo=HCM)
    WagtailPage.objects.filter(pk=khmer.pk).update(first_published_at=moment)
    index_page(khmer)


def test_office_head_opens_the_units_report_and_downloads_the_xlsx_with_charts(
    live_server: Any, page: Page, make_user: Any, this_year: None, artifacts: Any
) -> None:
    head = make_user("lanhdao", "approver")
    ReportingMembership.objects.create(
        user=head,
        producing_unit=ProducingUnit.objects.get(code="so-tu-phap", locale__language_code="vi"),
    )
    login(page, live_server.url, "lanhdao")
    clicks = 0
    page.get_by_role("link", name="Báo cáo kế hoạch").first.click()
    clicks += 1
    page.wait_for_url("**/admin/reports/")
    expect(page.locator("#report-period")).to_contain_text(f"Năm {YEAR}")
    expect(page.locator("#id_period")).to_have_value("year")  # the form says what is shown
    expect(page.locator("#id_year")).to_have_value(str(YEAR))
    rule = page.locator("[data-counting-rule]")
    expect(rule).to_contain_text("Bản gốc được tính theo ngày sản xuất")
    expect(rule).to_contain_text("Kỳ này: 3 bản gốc, 1 bản dịch.")
    # 4 products of the unit: A km (minority) and B (digital) count: 50,0 %
    indicator = page.locator(".indicator")
    expect(indicator).to_have_attribute("data-share", "50.0")
    expect(indicator).to_contain_text("50,0 %")
    expect(page.locator("[data-section=category] svg .legend").first).to_be_visible()
    page.screenshot(path=str(artifacts / "office-head-report.png"), full_page=True)
    page.locator("[data-section=category]").screenshot(
        path=str(artifacts / "office-head-report-category-chart.png")
    )
    page.locator("[data-section=month]").screenshot(
        path=str(artifacts / "office-head-report-month-chart.png")
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Tải XLSX")).click()
        clicks += 1
    assert clicks == 2
    download = download_info.value
    assert download.suggested_filename.startswith("bao-cao-so-tu-phap-")
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active

    def title(chart: Any) -> str:
        return "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))

    def cells(ref: str) -> list[Any]:
        match = re.fullmatch(r"'?[^!]+'?!\$([A-Z])\$(\d+):\$([A-Z])\$(\d+)", ref)
        assert match, ref
        column, first, _column, last = match.groups()
        return [sheet[f"{column}{row}"].value for row in range(int(first), int(last) + 1)]

    def categories(series: Any) -> list[Any]:
        ref = series.cat.strRef or series.cat.numRef  # openpyxl writes a numRef
        return cells(ref.f)

    charts = {title(chart): chart for chart in sheet._charts}
    assert "II. Theo nhóm ngôn ngữ" in charts and "III. Theo ngôn ngữ" in charts, list(charts)
    groups = charts["II. Theo nhóm ngôn ngữ"]
    assert groups.tagname == "pieChart" and len(groups.series) == 1
    series = groups.series[0]
    assert categories(series) == [
        "Tiếng Việt (ngôn ngữ quốc gia)",
        "Tiếng dân tộc thiểu số",
        "Tiếng nước ngoài",
    ]
    assert cells(series.val.numRef.f) == [3, 1, 0]
    languages = charts["III. Theo ngôn ngữ"].series[0]
    assert dict(zip(categories(languages), cells(languages.val.numRef.f), strict=True)) == {
        "Tiếng Việt": 3,
        "Tiếng Khmer": 1,
    }
    indicator_chart = charts["I. Chỉ tiêu của kế hoạch"]
    parts = indicator_chart.series[0]
    assert cells(parts.val.numRef.f) == [1, 0, 1]  # A km; no foreign; B
