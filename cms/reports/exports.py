"""The report as a file a department can send: XLSX (openpyxl) and CSV (UTF-8 with BOM,
so Excel opens Vietnamese correctly). Both carry the same lines as the admin page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter, quote_sheetname

from cms.formats import csv_rows, xlsx_cell, xlsx_row
from cms.i18n.languages import LanguageCategory
from cms.reports.figures import Report, dual_category_languages


def title_lines(report: Report) -> list[str]:
    return [
        _("BÁO CÁO KẾT QUẢ SẢN XUẤT SẢN PHẨM THÔNG TIN TUYÊN TRUYỀN"),
        _("Kỳ báo cáo: %(period)s") % {"period": report.period.label},
        _("Đơn vị: %(scope)s") % {"scope": report.scope_label},
        _("Ngày lập: %(date)s") % {"date": f"{timezone.localdate():%d/%m/%Y}"},
    ]


def indicator_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    """The indicator and its parts. The parts do not overlap and add up to the indicator;
    the language rows are the language-group table's (each language under its first group,
    so a Khmer product is under the minority languages only)."""
    ind = report.indicator
    minority = report.by_group.get(str(LanguageCategory.MINORITY), 0)
    foreign = report.by_group.get(str(LanguageCategory.FOREIGN), 0)
    dual = ", ".join(name[:1].lower() + name[1:] for name in dual_category_languages())
    headers = [_("Nội dung"), _("Số sản phẩm"), _("Tỷ lệ (%)")]
    if dual:
        minority_label = _("Sản phẩm bằng tiếng dân tộc thiểu số (kể cả %(names)s)") % {
            "names": dual
        }
        foreign_label = _("Sản phẩm bằng tiếng nước ngoài (không kể %(names)s)") % {"names": dual}
    else:
        minority_label = _("Sản phẩm bằng tiếng dân tộc thiểu số")
        foreign_label = _("Sản phẩm bằng tiếng nước ngoài")
    rows: list[list[Any]] = [
        [_("Tổng số sản phẩm"), report.total, Decimal(100) if report.total else Decimal(0)],
        [minority_label, minority, _share(minority, ind.total)],
        [foreign_label, foreign, _share(foreign, ind.total)],
        [
            _("Sản phẩm tiếng Việt trên nền tảng số"),
            report.national_digital,
            _share(report.national_digital, ind.total),
        ],
        [
            _(
                "Chỉ tiêu (dòng 2 + 3 + 4): tiếng dân tộc thiểu số, tiếng nước ngoài, "
                "nền tảng số, mỗi sản phẩm một lần"
            ),
            ind.count,
            ind.share,
        ],
        [
            _("Mục tiêu (%%): %(min)s–%(max)s — %(status)s")
            % {
                "min": floatformat(ind.target_min, "-2"),
                "max": floatformat(ind.target_max, "-2"),
                "status": ind.status_label,
            },
            "",
            "",
        ],
    ]
    return headers, rows


def _share(count: int, total: int) -> Decimal:
    return (Decimal(count) * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)


def tables(report: Report) -> Iterator[tuple[str, list[str], list[list[Any]], str, str]]:
    """(title, headers, rows, note, chart) of every table, in the order of the page; chart is
    the kind of chart the page draws for it ("bar", "pie", "line", "gauge" or "none")."""
    headers, rows = indicator_rows(report)
    yield _("I. Chỉ tiêu của kế hoạch"), headers, rows, "", "gauge"
    for number, section in enumerate([*report.sections, *report.extra_sections], start=2):
        headers, rows = section.table()
        yield f"{_roman(number)}. {section.title}", headers, rows, section.note, section.chart


def _roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


#: Rows a chart takes in the sheet (about 7.5 cm at the default row height).
CHART_ROWS = 16
CHART_COLUMN = "G"


def _chart(sheet: Any, kind: str, title: str, header_row: int, first: int, last: int) -> Any | None:
    """An Excel chart of a table's counts (column C) by its labels (column B), like the
    page's: a pie for the language groups, columns for months, bars otherwise; the
    indicator as bars of its parts. None for tables without a chart or without rows."""
    if kind == "none" or last < first:
        return None
    data = Reference(sheet, min_col=3, min_row=first, max_row=last)
    labels = Reference(sheet, min_col=2, min_row=first, max_row=last)
    chart: Any
    if kind == "pie":
        chart = PieChart()
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        chart.dataLabels.showPercent = True
    else:
        chart = BarChart()
        chart.type = "col" if kind == "line" else "bar"
        chart.y_axis.title = _("Số sản phẩm")
        chart.y_axis.majorUnit = 1 if _max_count(sheet, first, last) <= 10 else None
        chart.y_axis.number_format = "0"  # counts: whole numbers on the axis
        chart.y_axis.scaling.min = 0
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
    chart.add_data(data, titles_from_data=False)
    # the series is named by the column's header cell ("Số sản phẩm")
    chart.series[0].tx = SeriesLabel(
        strRef=StrRef(f"{quote_sheetname(sheet.title)}!$C${header_row}")
    )
    chart.set_categories(labels)
    chart.title = title
    chart.legend.position = "b"
    chart.height, chart.width = 7.5, 16
    return chart


def _max_count(sheet: Any, first: int, last: int) -> int:
    values = [sheet.cell(row=row, column=3).value for row in range(first, last + 1)]
    return max((int(v) for v in values if isinstance(v, int | float)), default=0)


def to_xlsx(report: Report) -> bytes:
    """Every cell through ``cms.formats.xlsx_cell``: a topic or unit name that starts with
    ``=`` is text in the sheet, never a formula. Each table that has a chart on the page
    has the same chart in the sheet, beside it, drawn by Excel from the table's cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Báo cáo")[:31]
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    row = 0
    for index, line in enumerate(title_lines(report)):
        row += 1
        xlsx_cell(sheet, row, 1, line).font = Font(bold=index == 0, size=14 if index == 0 else 11)
    xlsx_cell(sheet, row + 1, 1, counting_rule(report)).font = Font(italic=True)
    row += 1
    for title, headers, rows, note, kind in tables(report):
        row += 2  # an empty row, then the table's title
        title_row = row
        xlsx_cell(sheet, row, 1, title).font = bold
        row += 1
        header_row = row
        xlsx_row(sheet, row, [_("STT"), *headers])
        for column in range(1, len(headers) + 2):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.border = bold, border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for number, values in enumerate(rows, start=1):
            row += 1
            xlsx_row(sheet, row, [number, *values])
            for column in range(1, len(values) + 2):
                sheet.cell(row=row, column=column).border = border
        if kind == "gauge":  # the indicator's parts: rows 2 to 4 of its table
            first, last = header_row + 2, header_row + 4
            kind = "bar"
        else:
            first, last = header_row + 1, row
        if note:
            row += 1
            xlsx_cell(sheet, row, 1, note).font = Font(italic=True)
        chart = _chart(sheet, kind, title, header_row, first, last)
        if chart is not None:
            sheet.add_chart(chart, f"{CHART_COLUMN}{title_row}")
            row = max(row, title_row + CHART_ROWS)
    for column, width in zip(range(1, 6), (6, 60, 14, 12, 12), strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counting_rule(report: Report) -> str:
    """How products are counted, with this report's figures (shown on the page and in the
    files)."""
    return _(
        "Cách đếm: mỗi phiên bản ngôn ngữ đã xuất bản là một sản phẩm. Bản gốc được tính "
        "theo ngày sản xuất, bản dịch theo ngày xuất bản lần đầu, nên bản gốc và bản dịch "
        "của cùng một tác phẩm có thể thuộc hai kỳ khác nhau. Kỳ này: %(originals)s bản gốc, "
        "%(translations)s bản dịch."
    ) % {"originals": report.originals, "translations": report.translations}


#: Excel with Vietnamese regional settings: ";" between cells, "," before decimals.
CSV_DELIMITER = ";"
CSV_DECIMAL = ","


def to_csv(report: Report) -> bytes:
    """UTF-8 with BOM, ``;`` between cells and ``,`` as the decimal mark, as Excel expects
    with Vietnamese regional settings (it then opens the file in columns); every cell
    through ``cms.formats.csv_text`` (no formula cells)."""
    lines: list[list[Any]] = [[line] for line in title_lines(report)]
    lines.append([counting_rule(report)])
    for title, headers, rows, note, _kind in tables(report):
        lines += [[], [title], [_("STT"), *headers]]
        lines += [[number, *values] for number, values in enumerate(rows, start=1)]
        if note:
            lines.append([note])
    return csv_rows(lines, delimiter=CSV_DELIMITER, decimal=CSV_DECIMAL).encode("utf-8")
