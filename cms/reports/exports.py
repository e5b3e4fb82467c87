"""The report as a file a department can send: XLSX (openpyxl) and CSV (UTF-8 with BOM,
so Excel opens Vietnamese correctly). Both carry the same lines as the admin page."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cms.formats import csv_rows, xlsx_cell, xlsx_row
from cms.reports.figures import Report


def title_lines(report: Report) -> list[str]:
    return [
        _("BÁO CÁO KẾT QUẢ SẢN XUẤT SẢN PHẨM THÔNG TIN TUYÊN TRUYỀN"),
        _("Kỳ báo cáo: %(period)s") % {"period": report.period.label},
        _("Đơn vị: %(scope)s") % {"scope": report.scope_label},
        _("Ngày lập: %(date)s") % {"date": datetime.date.today().strftime("%d/%m/%Y")},
    ]


def indicator_rows(report: Report) -> tuple[list[str], list[list[Any]]]:
    ind = report.indicator
    headers = [_("Nội dung"), _("Số sản phẩm"), _("Tỷ lệ (%)")]
    rows: list[list[Any]] = [
        [_("Tổng số sản phẩm"), report.total, Decimal(100) if report.total else Decimal(0)],
        [_("Sản phẩm bằng tiếng dân tộc thiểu số"), ind.minority, _share(ind.minority, ind.total)],
        [_("Sản phẩm bằng tiếng nước ngoài"), ind.foreign, _share(ind.foreign, ind.total)],
        [_("Sản phẩm trên nền tảng số"), ind.digital, _share(ind.digital, ind.total)],
        [
            _("Chỉ tiêu: tiếng dân tộc thiểu số, tiếng nước ngoài, nền tảng số (không tính trùng)"),
            ind.count,
            ind.share,
        ],
        [
            _("Mục tiêu (%%): %(min)s–%(max)s — %(status)s")
            % {"min": ind.target_min, "max": ind.target_max, "status": ind.status_label},
            "",
            "",
        ],
    ]
    return headers, rows


def _share(count: int, total: int) -> Decimal:
    return (Decimal(count) * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)


def tables(report: Report) -> Iterator[tuple[str, list[str], list[list[Any]], str]]:
    """(title, headers, rows, note) of every table, in the order of the page."""
    headers, rows = indicator_rows(report)
    yield _("I. Chỉ tiêu của kế hoạch"), headers, rows, ""
    for number, section in enumerate([*report.sections, *report.extra_sections], start=2):
        headers, rows = section.table()
        yield f"{_roman(number)}. {section.title}", headers, rows, section.note


def _roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def to_xlsx(report: Report) -> bytes:
    """Every cell through ``cms.formats.xlsx_cell``: a topic or unit name that starts with
    ``=`` is text in the sheet, never a formula."""
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
    for title, headers, rows, note in tables(report):
        row += 2  # an empty row, then the table's title
        xlsx_cell(sheet, row, 1, title).font = bold
        row += 1
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
        if note:
            row += 1
            xlsx_cell(sheet, row, 1, note).font = Font(italic=True)
    for column, width in zip(range(1, 6), (6, 60, 14, 12, 12), strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(report: Report) -> bytes:
    """UTF-8 with BOM; every cell through ``cms.formats.csv_text`` (no formula cells)."""
    lines: list[list[Any]] = [[line] for line in title_lines(report)]
    for title, headers, rows, note in tables(report):
        lines += [[], [title], [_("STT"), *headers]]
        lines += [[number, *values] for number, values in enumerate(rows, start=1)]
        if note:
            lines.append([note])
    return csv_rows(lines).encode("utf-8")
