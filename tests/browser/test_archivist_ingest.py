"""The archivist's bulk ingest as a person does it: download the template, upload the
office's sheet, read the check, press the button to ingest, find the drafts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from tests.browser.conftest import login
from tests.support import tone_wav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_archivist_checks_a_sheet_then_ingests_the_good_rows(
    page: Page,
    live_server: Any,
    make_user: Any,
    section: Any,
    settings: Any,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    root = tmp_path / "ingest"
    tone_wav(root / "dai-huyen-1998" / "Bản tin 01.wav", 440)
    tone_wav(root / "dai-huyen-1998" / "Bản tin 02.wav", 550)
    (root / "dai-huyen-1998" / "bang-hong.wav").write_bytes(b"RIFF....WAVE" * 20)
    settings.CMS_INGEST_ROOT = root
    sheet = tmp_path / "bang-ke-1998.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            ["file", "title", "language", "product_type", "produced_on", "topics", "summary"]
        )
        writer.writerow(
            [
                "Bản tin 01.wav",
                "Bản tin sáng 02/03/1998",
                "vi",
                "bulletin",
                "02/03/1998",
                "crc",
                "Bản tin số hóa từ băng cát-xét.",
            ]
        )
        writer.writerow(
            [
                "Bản tin 02.wav",
                "Bản tin chiều 02/03/1998",
                "vi",
                "bulletin",
                "02/03/1998",
                "crc",
                "Bản tin số hóa từ băng cát-xét.",
            ]
        )
        writer.writerow(
            [
                "bang-hong.wav",
                "Băng hỏng",
                "vi",
                "bulletin",
                "03/03/1998",
                "crc",
                "Băng bị hỏng khi số hóa.",
            ]
        )
        writer.writerow(
            [
                "Bản tin 03.wav",
                "Băng thiếu",
                "vi",
                "bulletin",
                "31/02/1998",
                "khong-co",
                "Không có tệp.",
            ]
        )
    user = make_user("luutru")
    user.groups.add(Group.objects.get(name="Lưu trữ viên"))
    page.set_viewport_size({"width": 1366, "height": 768})
    clicks = 0

    login(page, live_server.url, "luutru")
    page.get_by_role("link", name="Nhập tư liệu số hóa").click()
    clicks += 1
    expect(page.get_by_role("heading", name="Nhập tư liệu số hóa")).to_be_visible()
    with page.expect_download() as template:
        page.get_by_role("link", name="bảng kê mẫu (XLSX)").click()
    assert template.value.suggested_filename == "bang-ke-mau.xlsx"

    page.get_by_label("Bảng kê (XLSX hoặc CSV)").set_input_files(str(sheet))
    page.get_by_label("Thư mục chứa tệp trên máy chủ").select_option("dai-huyen-1998")
    expect(page.get_by_label("Chỉ kiểm tra, chưa nhập")).to_be_checked()
    page.screenshot(path=str(artifacts / "archivist-ingest-1-form.png"), full_page=True)
    page.get_by_role("button", name="Bắt đầu").click()
    clicks += 3  # file, folder, start

    status = page.get_by_role("status").filter(has_text="dòng:")
    expect(status).to_contain_text("sẽ tạo 2 bản nháp", timeout=60_000)
    expect(status).to_contain_text("2 dòng có lỗi")
    problems = page.get_by_role("table", name="Các dòng cần sửa")
    expect(problems).to_contain_text("bang-hong.wav")
    expect(problems).to_contain_text("31/02/1998")
    expect(problems).to_contain_text("khong-co")
    page.screenshot(path=str(artifacts / "archivist-ingest-2-check.png"), full_page=True)

    page.get_by_role("button", name="Nhập 2 tư liệu").click()
    clicks += 1
    outcome = page.get_by_role("status").filter(has_text="dòng:")
    expect(outcome).to_contain_text("đã tạo 2 bản nháp", timeout=60_000)
    expect(page.locator(".messages")).to_contain_text("Đang nhập")
    page.screenshot(path=str(artifacts / "archivist-ingest-3-done.png"), full_page=True)

    from cms.content.models import RadioSegmentPage

    drafts = RadioSegmentPage.objects.filter(title__startswith="Bản tin")
    assert sorted(drafts.values_list("title", flat=True)) == [
        "Bản tin chiều 02/03/1998",
        "Bản tin sáng 02/03/1998",
    ]
    assert not any(draft.live for draft in drafts)
    assert clicks == 5
