"""The report as a file a department can send: XLSX (openpyxl) and CSV (UTF-8 with BOM,
so Excel opens Vietnamese correctly). Both carry the same lines as the admin page."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

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


def _cell(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Báo cáo")[:31]
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, line in enumerate(title_lines(report)):
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).font = Font(
            bold=index == 0, size=14 if index == 0 else 11
        )
    for title, headers, rows, note in tables(report):
        sheet.append([])
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append([_("STT"), *headers])
        for column in range(1, len(headers) + 2):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.font, cell.border = bold, border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for number, row in enumerate(rows, start=1):
            sheet.append([number, *(_cell(value) for value in row)])
            for column in range(1, len(row) + 2):
                sheet.cell(row=sheet.max_row, column=column).border = border
        if note:
            sheet.append([note])
            sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
    for column, width in zip(range(1, 6), (6, 60, 14, 12, 12), strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in title_lines(report):
        writer.writerow([line])
    for title, headers, rows, note in tables(report):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow([_("STT"), *headers])
        for number, row in enumerate(rows, start=1):
            writer.writerow([number, *row])
        if note:
            writer.writerow([note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
