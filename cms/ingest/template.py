"""The sheet an office fills in: the columns, an example row, and every allowed code."""

from __future__ import annotations

import io

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from wagtail.models import Locale

from cms.ingest.rows import CHOICE_FIELDS, OPTIONAL_COLUMNS, TEXT_FIELDS
from cms.ingest.sheet import REQUIRED_COLUMNS
from cms.taxonomy.models import (
    AccessLevel,
    AdministrativeUnit,
    Audience,
    BulletinClass,
    Channel,
    FundingSource,
    ProducingUnit,
    ProductType,
    RetentionPeriod,
    Rights,
    Topic,
)

COLUMN_HELP = {
    "file": "Tên tệp trong thư mục (có thể kèm thư mục con: 1998/bang-01.wav)",
    "title": "Tiêu đề",
    "language": "Mã ngôn ngữ của bản ghi (xem trang “Mã”)",
    "product_type": "Mã loại sản phẩm (xem trang “Mã”)",
    "produced_on": "Ngày sản xuất: ngày/tháng/năm, ví dụ 30/11/1998",
    "topics": "Mã chủ đề, cách nhau bằng dấu ;",
    "summary": "Tóm tắt nội dung",
    "section": "Không bắt buộc: đường dẫn chuyên mục (mặc định: chuyên mục cùng loại)",
    "audiences": "Mã đối tượng, cách nhau bằng dấu ;",
    "channels": "Mã kênh phát hành, cách nhau bằng dấu ;",
    "producing_unit": "Mã đơn vị chủ trì",
    "cooperating_units": "Mã đơn vị phối hợp, cách nhau bằng dấu ;",
    "coverage": "Mã đơn vị hành chính còn hiệu lực vào ngày sản xuất",
    "end_date": "Ngày kết thúc (ngày/tháng/năm)",
}
CHOICES = {
    "funding_source": FundingSource,
    "rights": Rights,
    "retention_period": RetentionPeriod,
    "access_level": AccessLevel,
    "bulletin_class": BulletinClass,
}
EXAMPLE = {
    "file": "1998/bang-01-mat-a.wav",
    "title": "Bản tin thời sự ngày 30/11/1998",
    "language": "vi",
    "product_type": "radio_report",
    "produced_on": "30/11/1998",
    "topics": "crc",
    "summary": "Bản tin số hóa từ băng cát-xét lưu tại đài huyện.",
}


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active  # a new Workbook always has its one sheet active
    sheet.title = "Danh sách"
    columns = [*REQUIRED_COLUMNS, "section", *OPTIONAL_COLUMNS]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([EXAMPLE.get(name, "") for name in columns])
    for index, name in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, len(name) + 4)
        help_text = COLUMN_HELP.get(name) or (
            "Văn bản" if name in TEXT_FIELDS else "Mã (xem trang “Mã”)"
        )
        from openpyxl.comments import Comment

        sheet.cell(row=1, column=index).comment = Comment(help_text, "CMS")
    # produced_on as text: Excel must not turn 01/02/1998 into 2 January
    produced = columns.index("produced_on") + 1
    for row in range(2, 2002):
        sheet.cell(row=row, column=produced).number_format = "@"
    languages = [
        code
        for code, _name in settings.LANGUAGES
        if Locale.objects.filter(language_code=code).exists()
    ]
    validation = DataValidation(type="list", formula1='"' + ",".join(languages) + '"')
    validation.error = "Mã ngôn ngữ không có"
    sheet.add_data_validation(validation)
    language_column = sheet.cell(row=1, column=columns.index("language") + 1).column_letter
    validation.add(f"{language_column}2:{language_column}5000")

    codes = workbook.create_sheet("Mã")
    codes.append(["Cột", "Mã", "Tên"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    default = Locale.get_default()
    for code, name in settings.LANGUAGES:
        if code in languages:
            codes.append(["language", code, str(name)])
    for column, model in (
        ("product_type", ProductType),
        ("topics", Topic),
        ("audiences", Audience),
        ("channels", Channel),
        ("producing_unit / cooperating_units", ProducingUnit),
    ):
        for term in model.objects.filter(locale=default).order_by("code"):
            codes.append([column, term.code, term.name])
    for unit in AdministrativeUnit.objects.order_by("level", "code"):
        codes.append(["coverage", unit.code, str(unit)])
    for column in CHOICE_FIELDS:
        for key, label in CHOICES[column].choices:
            codes.append([column, key, str(label)])
    codes.column_dimensions["A"].width = 34
    codes.column_dimensions["B"].width = 28
    codes.column_dimensions["C"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
