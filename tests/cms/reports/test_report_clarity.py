"""The plan report as an office head reads it (issue 14, item 20).

Before: "100,0 % (6/6 sản phẩm)" with no word on how products are counted; the indicator
table counted Khmer as both minority and foreign while the language-group table counted it
once; bar charts had no legend and half-unit ticks ("0.5"), figures with a decimal point
where the tables had a comma; the form said "6 tháng" above an annual report; the XLSX had
no chart; the CSV was comma-separated with "33.3", one column in Excel set for Vietnam.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.cms.reports.test_reports import YEAR, counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("lanhdao", "approver"))
    return client


def test_the_counting_rule_is_on_the_page_with_this_periods_figures(
    head_client: Any, year_2025: Any
) -> None:
    body = head_client.get("/admin/reports/", YEAR).content.decode()
    rule = re.search(r"<p [^>]*data-counting-rule[^>]*>(.*?)</p>", body, re.S)
    assert rule, "the page does not say how products are counted"
    text = rule.group(1)
    assert "Bản gốc được tính theo ngày sản xuất" in text
    assert "bản dịch theo ngày xuất bản lần đầu" in text
    # A, B, C, F are originals; A-km (01/08) and C-en (05/10) translations published in it
    assert "Kỳ này: 4 bản gốc, 2 bản dịch." in text


def test_indicator_parts_agree_with_the_language_groups_and_add_up(
    head_client: Any, year_2025: Any
) -> None:
    body = head_client.get("/admin/reports/", YEAR).content.decode()
    indicator = counts(body, "indicator")
    groups = counts(body, "category")
    minority = next(v for k, v in indicator.items() if k.startswith("Sản phẩm bằng tiếng dân"))
    foreign = next(v for k, v in indicator.items() if k.startswith("Sản phẩm bằng tiếng nước"))
    digital = indicator["Sản phẩm tiếng Việt trên nền tảng số"]
    total = next(v for k, v in indicator.items() if k.startswith("Chỉ tiêu"))
    assert minority == groups["Tiếng dân tộc thiểu số"]
    assert foreign == groups["Tiếng nước ngoài"]
    assert minority + foreign + digital == total == 4


LEGEND = re.compile(r'<g [^>]*class="legend[^"]*"[^>]*>.*?<text[^>]*>([^<]*)</text>', re.S)


def axis_labels(svg: str) -> list[list[str]]:
    """The labels of each axis of a pygal chart."""
    return [
        re.findall(r"<text[^>]*>([^<]*)</text>", group)
        for group in re.findall(r'<g class="axis [xy][^"]*">(.*?)</g></g>', svg, re.S)
    ]


def test_charts_have_full_legends_whole_count_axes_and_vietnamese_numbers(
    head_client: Any, year_2025: Any
) -> None:
    body = head_client.get("/admin/reports/", YEAR).content.decode()
    sections = dict(
        re.findall(
            r'data-section="(\w+)"[^>]*>\s*<h3[^>]*>[^<]*</h3>\s*'
            r'<div role="img"[^>]*>(<svg.*?</svg>)',
            body,
            re.S,
        )
    )
    assert {"category", "language", "topic", "month", "product_type"} <= set(sections)
    for key, svg in sections.items():
        legends = LEGEND.findall(svg)
        assert legends, f"{key}: no legend"
        assert not any("…" in text for text in legends), (key, legends)
        if key != "category":  # count axes: whole numbers only
            numeric = [
                labels
                for labels in axis_labels(svg)
                if labels and all(re.fullmatch(r"[\d.,]+", label) for label in labels)
            ]
            assert numeric, f"{key}: no count axis found"
            ticks = numeric[0]
            assert all(re.fullmatch(r"\d+", tick) for tick in ticks), (key, ticks)
    # the pie's legend names every group, with its count and share written as in the tables
    pie_legend = LEGEND.findall(sections["category"])
    assert "Tiếng Việt (ngôn ngữ quốc gia): 4 (66,7 %)" in pie_legend
    assert "Tiếng nước ngoài: 1 (16,7 %)" in pie_legend
    # the gauge writes the share as the headline does
    indicator_svg = re.search(r'aria-labelledby="indicator-title">(<svg.*?</svg>)', body, re.S)
    assert indicator_svg and "66,7 %" in indicator_svg.group(1)
    assert "66.7 %" not in indicator_svg.group(1)


def test_the_form_shows_the_period_of_the_report_shown(head_client: Any, year_2025: Any) -> None:
    body = head_client.get("/admin/reports/").content.decode()  # no parameters: this year
    heading = re.search(r'<h2 id="report-period">(.*?)</h2>', body).group(1)
    assert heading.startswith("Năm ")
    selected = re.search(r'<select name="period"[^>]*>.*?</select>', body, re.S).group(0)
    assert re.search(r'<option value="year" selected>', selected), selected
    year = re.search(r"Năm (\d{4})", heading).group(1)
    assert re.search(rf'<input type="number" name="year" value="{year}"', body)
    # the download links give this report, whatever the form says meanwhile
    assert f"/admin/reports/export.xlsx?period=year&amp;year={year}" in body


def test_xlsx_carries_the_charts_of_the_page(head_client: Any, year_2025: Any) -> None:
    content = head_client.get("/admin/reports/export.xlsx", YEAR).content
    sheet = load_workbook(io.BytesIO(content)).active
    charts = sheet._charts
    titles = {}
    for chart in charts:
        text = "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))
        titles[text] = chart
    assert {"II. Theo nhóm ngôn ngữ", "IV. Theo loại sản phẩm", "IX. Theo tháng"} <= set(titles)
    assert titles["II. Theo nhóm ngôn ngữ"].tagname == "pieChart"
    assert titles["IX. Theo tháng"].tagname == "barChart"

    def cells(ref: str) -> list[Any]:
        match = re.fullmatch(r"'?[^!]+'?!\$([A-Z])\$(\d+):\$([A-Z])\$(\d+)", ref)
        assert match, ref
        col, first, _col, last = match.groups()
        return [sheet[f"{col}{row}"].value for row in range(int(first), int(last) + 1)]

    products = titles["IV. Theo loại sản phẩm"]
    assert len(products.series) == 1
    series = products.series[0]
    labels = cells(series.cat.strRef.f if series.cat.strRef else series.cat.numRef.f)
    values = cells(series.val.numRef.f)
    assert dict(zip(labels, values, strict=True)) == {
        "Phóng sự phát thanh": 2,
        "Bản tin": 2,
        "Video": 1,
        "Tiểu phẩm": 1,
    }
    groups = titles["II. Theo nhóm ngôn ngữ"].series[0]
    assert cells(groups.val.numRef.f) == [4, 1, 1]
    # count axes of bar charts in whole numbers
    assert products.y_axis.number_format.formatCode == "0"


def test_csv_opens_in_columns_with_vietnamese_regional_settings(
    head_client: Any, year_2025: Any
) -> None:
    raw = head_client.get("/admin/reports/export.csv", YEAR).content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = next(row for row in rows if row and row[0] == "STT")
    assert header[:4] == ["STT", "Nội dung", "Số sản phẩm", "Tỷ lệ (%)"]
    shares = [row[3] for row in rows if len(row) > 3 and row[0].isdigit() and row[3]]
    assert "16,7" in shares and not any("." in share for share in shares)
    # no row a comma-list-separator Excel would need: every table row splits on ";" alone
    assert all(len(row) >= 3 for row in rows if row and row[0].isdigit())
