"""Report figures against the hand-counted fixture in conftest.py, the XLSX and CSV files
holding the same figures, and who may see which figures."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from cms.editorial.roles import ROLES
from cms.reports.models import ReportingMembership, ReportingSchedule
from cms.taxonomy.models import AdministrativeUnit, ProducingUnit

pytestmark = pytest.mark.django_db

YEAR = {"period": "year", "year": "2025"}
HALF = {"period": "half_year", "year": "2025"}


def table(body: str, key: str) -> dict[str, list[str]]:
    """Rows of a report table on the page: first cell -> the other cells."""
    section = re.search(rf'data-(?:section|table)="{key}".*?</table>', body, re.S)
    assert section, f"no table {key}"
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", section.group(0), re.S)
    return {label: re.findall(r"<td>(.*?)</td>", cells) for label, cells in rows}


def counts(body: str, key: str) -> dict[str, int]:
    return {label: int(cells[0]) for label, cells in table(body, key).items() if cells[0]}


@pytest.fixture
def admin_client(client: Any, make_user: Any) -> Any:
    client.force_login(make_user("quantri", "administrator"))
    return client


def test_year_figures_match_the_hand_count(admin_client: Any, year_2025: Any) -> None:
    response = admin_client.get("/admin/reports/", YEAR)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Năm 2025 (từ 15/12/2024 đến 14/12/2025)" in body
    indicator = counts(body, "indicator")
    assert indicator["Tổng số sản phẩm"] == 6
    # the indicator's parts, as the language-group table counts them (Khmer: minority)
    assert indicator["Sản phẩm bằng tiếng dân tộc thiểu số (kể cả tiếng Khmer)"] == 1  # A-km
    assert indicator["Sản phẩm bằng tiếng nước ngoài (không kể tiếng Khmer)"] == 1  # C-en
    assert indicator["Sản phẩm tiếng Việt trên nền tảng số"] == 2  # B, F
    key = next(k for k in indicator if k.startswith("Chỉ tiêu"))
    assert indicator[key] == 4  # A-km, C-en, B, F, each once
    assert 'data-share="66.7"' in body and "Vượt chỉ tiêu" in body
    assert counts(body, "category") == {
        "Tiếng Việt (ngôn ngữ quốc gia)": 4,
        "Tiếng dân tộc thiểu số": 1,
        "Tiếng nước ngoài": 1,
    }
    assert counts(body, "product_type") == {
        "Phóng sự phát thanh": 2,
        "Bản tin": 2,
        "Video": 1,
        "Tiểu phẩm": 1,
    }
    assert counts(body, "topic") == {
        "Quyền trẻ em (CRC)": 3,
        "Phòng, chống mua bán người": 2,
        "Bình đẳng giới": 1,
        "Bảo vệ trẻ em trên môi trường mạng": 1,
    }
    assert counts(body, "channel") == {
        "Đài truyền thanh cấp xã, cụm loa": 5,
        "Cổng/Trang thông tin điện tử": 1,
        "Truyền thanh thông minh (IP/4G)": 1,
    }
    assert counts(body, "producing_unit") == {
        "Sở Tư pháp": 4,
        "Sở Văn hóa, Thể thao và Du lịch": 2,
    }
    assert counts(body, "month") == {
        "03/2025": 1,
        "05/2025": 1,
        "08/2025": 1,
        "10/2025": 2,
        "12/2025": 1,
    }
    assert counts(body, "language") == {
        "Tiếng Việt": 4,
        "Tiếng Khmer": 1,
        "Tiếng Anh": 1,
    }
    # Charts are inline SVG without scripts, next to the tables.
    assert body.count("<svg") >= 8
    assert '<script type="text/javascript">window.pygal' not in body


def test_half_year_and_custom_periods(admin_client: Any, year_2025: Any) -> None:
    body = admin_client.get("/admin/reports/", HALF).content.decode()
    assert "từ 15/12/2024 đến 14/06/2025" in body
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 2  # A, B
    assert 'data-share="50.0"' in body  # B is digital
    body = admin_client.get(
        "/admin/reports/", {"period": "custom", "start": "2025-10-01", "end": "2025-12-31"}
    ).content.decode()
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 4  # C, C-en, F, F-tyz
    bad = admin_client.get("/admin/reports/", {"period": "custom", "start": "2025-10-01"})
    assert bad.status_code == 200 and 'data-table="indicator"' not in bad.content.decode()


def test_province_schedule_and_target(admin_client: Any, year_2025: Any) -> None:
    ReportingSchedule.objects.create(
        province=AdministrativeUnit.objects.get(code="P2025-20"),
        half_year_day=30,
        half_year_month=5,
        annual_day=30,
        annual_month=11,
        target_min=Decimal(45),
        target_max=Decimal(55),
    )
    province = AdministrativeUnit.objects.get(code="P-20")  # chosen by its pre-2025 unit
    body = admin_client.get("/admin/reports/", {**YEAR, "province": province.pk}).content.decode()
    assert "từ 01/12/2024 đến 30/11/2025" in body
    # A, A-km, B and D (10/12/2024 is inside this year; F is after 30/11), all covering
    # Lạng Sơn: A-km and B count -> 50 %, within the province's 45–55 %.
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 4
    assert 'data-share="50.0"' in body
    assert 'data-status="within"' in body


def test_xlsx_holds_the_same_figures(admin_client: Any, year_2025: Any) -> None:
    response = admin_client.get("/admin/reports/export.xlsx", YEAR)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "BÁO CÁO KẾT QUẢ SẢN XUẤT SẢN PHẨM THÔNG TIN TUYÊN TRUYỀN"
    assert rows[1][0] == "Kỳ báo cáo: Năm 2025 (từ 15/12/2024 đến 14/12/2025)"
    by_label = {row[1]: tuple(row[2:4]) for row in rows if row and isinstance(row[0], int)}
    assert by_label["Tổng số sản phẩm"] == (6, 100)
    assert by_label["Sản phẩm tiếng Việt trên nền tảng số"] == (2, pytest.approx(33.3))
    assert by_label["Quyền trẻ em (CRC)"] == (3, 50)
    assert by_label["Sở Tư pháp"] == (4, pytest.approx(66.7))
    assert by_label["Tiểu phẩm"] == (1, pytest.approx(16.7))
    header = next(row for row in rows if row and row[0] == "STT")
    assert header[:4] == ["STT", "Nội dung", "Số sản phẩm", "Tỷ lệ (%)"]


def test_csv_holds_the_same_figures(admin_client: Any, year_2025: Any) -> None:
    response = admin_client.get("/admin/reports/export.csv", YEAR)
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    # ";" between cells, "," as the decimal mark (Excel with Vietnamese regional settings)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    by_label = {row[1]: row[2:4] for row in rows if len(row) > 2 and row[0].isdigit()}
    assert by_label["Tổng số sản phẩm"] == ["6", "100"]
    assert by_label["Sản phẩm tiếng Việt trên nền tảng số"] == ["2", "33,3"]
    assert by_label["Bản tin"] == ["2", "33,3"]


def test_producing_unit_users_see_only_their_unit(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    user = make_user("sotuphap", "editor")
    ReportingMembership.objects.create(
        user=user,
        producing_unit=ProducingUnit.objects.get(code="so-tu-phap", locale__language_code="vi"),
    )
    client.force_login(user)
    body = client.get("/admin/reports/", {**YEAR, "producing_unit": "so-vhttdl"}).content.decode()
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 4  # A, A-km, C, C-en
    assert counts(body, "producing_unit") == {"Sở Tư pháp": 4}
    assert 'name="producing_unit"' not in body
    sheet = load_workbook(io.BytesIO(client.get("/admin/reports/export.xlsx", YEAR).content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[2][0] == "Đơn vị: Sở Tư pháp"
    assert ("Tổng số sản phẩm", 6) not in {(r[1], r[2]) for r in values if len(r) > 2}


def test_provincial_administrators_see_their_province(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    lang_son_2025 = AdministrativeUnit.objects.get(code="P2025-20")
    ProducingUnit.objects.filter(code="so-vhttdl").update(province=lang_son_2025)
    user = make_user("tinh", "editor")
    ReportingMembership.objects.create(
        user=user, province=AdministrativeUnit.objects.get(code="P-20")
    )
    client.force_login(user)
    body = client.get("/admin/reports/", YEAR).content.decode()
    # B and F (unit located in Lạng Sơn), A and A-km (unit without province, coverage in
    # Lạng Sơn); not C and C-en (covering Hà Nội).
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 4
    assert 'name="province"' not in body


def test_users_without_a_scope_cannot_see_reports(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    for url in ("/admin/reports/", "/admin/reports/export.xlsx", "/admin/reports/export.csv"):
        response = client.get(url, YEAR)
        assert response.status_code in (302, 403)
        assert b"data-table" not in response.content
    assert '"/admin/reports/"' not in client.get("/admin/").content.decode()


def test_administrator_group_and_superuser_see_everything(
    client: Any, make_user: Any, year_2025: Any
) -> None:
    admin = make_user("root", None, is_superuser=True, is_staff=True)
    client.force_login(admin)
    body = client.get("/admin/reports/", YEAR).content.decode()
    assert counts(body, "indicator")["Tổng số sản phẩm"] == 6
    assert '"/admin/reports/"' in client.get("/admin/").content.decode()  # sidebar menu
    member = make_user("quantri2")
    member.groups.add(Group.objects.get(name=ROLES["administrator"]))
    client.force_login(member)
    assert (
        counts(client.get("/admin/reports/", YEAR).content.decode(), "indicator")[
            "Tổng số sản phẩm"
        ]
        == 6
    )


def test_one_pass_tally_agrees_with_python_counting(year_2025: Any) -> None:
    """The grouped PostgreSQL statement and the plain Python count (the SQLite path) give
    the same tables for the hand-counted fixture."""
    from django.db import connection

    from cms.reports.figures import _tally_postgresql, _tally_python, products
    from cms.reports.periods import annual
    from cms.taxonomy.models import Channel

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    period = annual(2025, (12, 14))
    digital = set(Channel.objects.filter(is_digital=True).values_list("code", flat=True))
    in_database = _tally_postgresql(products(period), digital)
    in_python = _tally_python(products(period), digital)
    assert in_database == in_python
    assert sum(in_python["language"].values()) == products(period).count() > 0
    assert in_python["indicator"]["count"] > 0
