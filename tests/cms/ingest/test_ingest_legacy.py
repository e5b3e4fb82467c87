"""Bulk ingest of digitised legacy material (issue #18 §4), through the command and the
engine, with real files read by ffprobe and Pillow."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image
from wagtail.models import Locale, Page

from cms.content.models import ExhibitionPage, RadioSegmentPage, SectionIndexPage, VideoPage
from cms.ingest.engine import LegacyIngest
from cms.ingest.models import IngestedFile
from cms.media.models import CustomImage, MediaMaster
from tests.support import tone_wav

HEADER = ["file", "title", "language", "product_type", "produced_on", "topics", "summary"]


def photo(path: Path, colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 480), colour).save(path, "JPEG", quality=85)
    return path


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([[*HEADER, "coverage"], *rows])
    return path


@pytest.fixture
def sections(home: Page, section: Page) -> dict[str, Page]:
    """The radio section (with one segment in it, so it is the default for sound), a video
    section and an exhibitions section."""
    videos = SectionIndexPage(title="Video", slug="video")
    home.add_child(instance=videos)
    exhibitions = SectionIndexPage(title="Triển lãm", slug="trien-lam")
    home.add_child(instance=exhibitions)
    section.add_child(instance=RadioSegmentPage(title="Có sẵn", slug="co-san", live=False))
    videos.add_child(instance=VideoPage(title="Có sẵn", slug="co-san", live=False))
    exhibitions.add_child(instance=ExhibitionPage(title="Có sẵn", slug="co-san", live=False))
    return {"radio": section, "video": videos, "exhibition": exhibitions}


@pytest.fixture
def archive(tmp_path: Path, samples: Path) -> Path:
    """A folder as an office copies it: sub-folders, Vietnamese names stored decomposed
    (NFD, as macOS writes them), one damaged recording and one video."""
    folder = tmp_path / "so-hoa"
    tone_wav(folder / unicodedata.normalize("NFD", "1998/Bản tin sáng.wav"), 440, seconds=0.6)
    tone_wav(folder / "1998/bang-02.wav", 550, seconds=0.6)
    tone_wav(folder / "1999/bang-03.wav", 660, seconds=0.6)
    (folder / "1999/bang-hong.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 10)
    photo(folder / "anh/trien-lam-01.jpg", (200, 30, 30))
    shutil.copy(samples / "silent_no_audio.mp4", folder / "video-1999.mp4")
    return folder


GOOD_ROWS = [
    [
        "1998/Bản tin sáng.wav",
        "Bản tin sáng 30/11/1998",
        "vi",
        "bulletin",
        "30/11/1998",
        "crc; ethnic-minorities",
        "Bản tin số hóa từ băng cát-xét.",
        "D-20-180",
    ],
    [
        "1998/bang-02.wav",
        "Phóng sự nước sạch",
        "vi",
        "radio_report",
        "1998-12-01",
        "crc",
        "Phóng sự về nước sạch ở vùng cao.",
        "",
    ],
    [
        "anh/trien-lam-01.jpg",
        "Ảnh triển lãm 1999",
        "vi",
        "photo",
        "02/01/1999",
        "crc",
        "Ảnh tư liệu triển lãm lưu động.",
        "",
    ],
    [
        "video-1999.mp4",
        "Video tư liệu",
        "vi",
        "video",
        "03/01/1999",
        "crc",
        "Video số hóa từ băng VHS.",
        "",
    ],
]
BAD_ROWS = [
    # unreadable media
    ["1999/bang-hong.wav", "Băng hỏng", "vi", "bulletin", "01/01/1999", "crc", "Hỏng.", ""],
    # unknown codes
    ["1999/bang-03.wav", "Mã sai", "vi", "bulletin", "01/01/1999", "khong-co-ma", "X.", ""],
    # a date that cannot be read
    ["1999/bang-03.wav", "Ngày sai", "vi", "bulletin", "31/02/1999", "crc", "X.", ""],
    # the same file as the first good row, under another name in the sheet
    ["1998/Bản tin sáng.wav", "Trùng", "vi", "bulletin", "01/01/1999", "crc", "X.", ""],
    # a file that is not in the folder, and a path that tries to leave it
    ["khong-co.wav", "Không có tệp", "vi", "bulletin", "01/01/1999", "crc", "X.", ""],
    ["../../etc/passwd", "Ra ngoài", "vi", "bulletin", "01/01/1999", "crc", "X.", ""],
    # a unit that no longer existed on the production date
    ["1999/bang-03.wav", "Đơn vị sai", "vi", "bulletin", "01/01/2026", "crc", "X.", "D-20-180"],
    # a language the site does not have, and a text product the engine cannot ingest
    ["1999/bang-03.wav", "Ngôn ngữ sai", "xx", "bulletin", "01/01/1999", "crc", "X.", ""],
    ["1999/bang-03.wav", "Văn bản", "vi", "publication", "01/01/1999", "crc", "X.", ""],
]


def read_report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))[1:]


@pytest.mark.django_db
def test_dry_run_reports_every_problem_by_row_and_file_and_writes_nothing(
    sections: dict[str, Page], archive: Path, tmp_path: Path, media_root: Path
) -> None:
    sheet = write_csv(tmp_path / "bang-ke.csv", GOOD_ROWS + BAD_ROWS)
    pages_before = Page.objects.count()
    report = tmp_path / "bao-cao.csv"

    summary = LegacyIngest(archive, dry_run=True).run(sheet, report=report)

    assert (summary.would_create, summary.problems, summary.created) == (4, 9, 0)
    assert Page.objects.count() == pages_before
    assert not MediaMaster.objects.exists() and not CustomImage.objects.exists()
    assert not IngestedFile.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
    rows = {int(line[0]): line for line in read_report(report)}
    assert set(rows) == set(range(2, 2 + len(GOOD_ROWS) + len(BAD_ROWS)))
    problems = {number: line[3] for number, line in rows.items() if line[3]}
    assert "không dùng được" in problems[6] and "1999/bang-hong.wav" in problems[6]
    assert "khong-co-ma" in problems[7]
    assert "31/02/1999" in problems[8]
    assert "Trùng tệp với dòng 2" in problems[9]
    assert "khong-co.wav" in problems[10]
    assert "Không tìm thấy tệp" in problems[11]
    assert "D-20-180" in problems[12] and "hiệu lực" in problems[12]
    assert "xx" in problems[13]
    assert "văn bản" in problems[14]
    assert not any(rows[number][3] for number in (2, 3, 4, 5))


@pytest.mark.django_db
def test_real_run_creates_drafts_of_the_right_type_and_skips_bad_rows_then_is_idempotent(
    sections: dict[str, Page], archive: Path, tmp_path: Path, make_user: Any
) -> None:
    archivist = make_user("luutru")
    sheet = write_csv(tmp_path / "bang-ke.csv", GOOD_ROWS + BAD_ROWS)

    summary = LegacyIngest(archive, user=archivist, dry_run=False).run(sheet)

    assert (summary.created, summary.problems) == (4, 9)
    bulletin = RadioSegmentPage.objects.get(title="Bản tin sáng 30/11/1998")
    assert not bulletin.live and bulletin.has_unpublished_changes
    assert bulletin.get_parent().pk == sections["radio"].pk
    assert bulletin.owner == archivist
    assert bulletin.production_date == datetime.date(1998, 11, 30)
    assert bulletin.product_type.code == "bulletin"
    assert sorted(bulletin.topics.values_list("code", flat=True)) == ["crc", "ethnic-minorities"]
    assert list(bulletin.coverage.values_list("code", flat=True)) == ["D-20-180"]
    assert bulletin.slug == "ban-tin-sang-30111998"
    master = bulletin.audio
    assert master.kind == "audio" and master.language == "vi"
    assert master.original_name == unicodedata.normalize("NFC", "Bản tin sáng.wav")
    assert master.duration == pytest.approx(0.6, abs=0.05)
    assert bulletin.get_latest_revision() is not None

    video = VideoPage.objects.get(title="Video tư liệu")
    assert video.video.kind == "video" and video.get_parent().pk == sections["video"].pk
    exhibition = ExhibitionPage.objects.get(title="Ảnh triển lãm 1999")
    item = exhibition.items.get()
    assert item.image.width == 640 and item.caption == "Ảnh tư liệu triển lãm lưu động."
    assert RadioSegmentPage.objects.get(title="Phóng sự nước sạch").live is False

    # the same sheet again: nothing new, every good row reported as already ingested
    pages = Page.objects.count()
    again = LegacyIngest(archive, user=archivist, dry_run=False).run(sheet)
    assert (again.created, again.skipped) == (0, 4)
    assert Page.objects.count() == pages
    assert MediaMaster.objects.count() == 3


@pytest.mark.django_db
def test_an_interrupted_run_leaves_whole_items_and_resumes(
    sections: dict[str, Page], archive: Path, tmp_path: Path, media_root: Path, monkeypatch: Any
) -> None:
    sheet = write_csv(tmp_path / "bang-ke.csv", GOOD_ROWS)
    real_create = LegacyIngest._create
    calls = {"n": 0}

    def power_cut(self: LegacyIngest, planned: Any, stored: list[Any]) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            real_create(self, planned, stored)  # the master is stored, then the power goes
            raise KeyboardInterrupt
        return real_create(self, planned, stored)

    monkeypatch.setattr(LegacyIngest, "_create", power_cut)
    with pytest.raises(KeyboardInterrupt):
        LegacyIngest(archive, dry_run=False).run(sheet)
    assert IngestedFile.objects.count() == 1
    assert MediaMaster.objects.count() == 1
    stored = sorted(p.name for p in (media_root / "masters").rglob("*") if p.is_file())
    assert stored == [unicodedata.normalize("NFC", "Bản tin sáng.wav")]

    monkeypatch.setattr(LegacyIngest, "_create", real_create)
    summary = LegacyIngest(archive, dry_run=False).run(sheet)
    assert (summary.created, summary.skipped) == (3, 1)
    assert IngestedFile.objects.count() == 4
    assert RadioSegmentPage.objects.filter(title="Phóng sự nước sạch").count() == 1


@pytest.mark.django_db
def test_xlsx_sheet_with_excel_dates_and_other_metadata_columns(
    sections: dict[str, Page], archive: Path, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        [
            "File",
            "Title",
            "Language",
            "Product type",
            "Produced on",
            "Topics",
            "Summary",
            "funding_source",
            "producing_unit",
            "credits",
            "rights",
        ]
    )
    sheet.append(
        [
            "1999/bang-03.wav",
            "Kịch truyền thanh",
            "vi",
            "radio_drama",
            datetime.datetime(1999, 5, 19),
            "crc",
            "Kịch về quyền trẻ em.",
            "state_budget",
            "so-tu-phap",
            "Đoàn kịch tỉnh",
            "CC BY 4.0",
        ]
    )
    path = tmp_path / "bang-ke.xlsx"
    workbook.save(path)

    summary = LegacyIngest(archive, dry_run=False).run(path)

    assert (summary.created, summary.problems) == (1, 0), summary.preview
    drama = RadioSegmentPage.objects.get(title="Kịch truyền thanh")
    assert drama.production_date == datetime.date(1999, 5, 19)
    assert drama.funding_source == "state_budget" and drama.rights == "cc_by_4"
    assert drama.producing_unit.code == "so-tu-phap"
    assert drama.credits == "Đoàn kịch tỉnh"


@pytest.mark.django_db
def test_a_khmer_row_goes_to_the_khmer_section_with_a_khmer_master(
    sections: dict[str, Page], archive: Path, tmp_path: Path, home: Page
) -> None:
    km = Locale.objects.get(language_code="km")
    home.copy_for_translation(km)
    sections["radio"].copy_for_translation(km)
    sheet = write_csv(
        tmp_path / "bang-ke.csv",
        [["1999/bang-03.wav", "សិទ្ធិកុមារ", "km", "bulletin", "01/06/1999", "crc", "ព័ត៌មាន", ""]],
        delimiter=",",
    )
    summary = LegacyIngest(archive, dry_run=False).run(sheet)
    assert summary.created == 1, summary.preview
    page = RadioSegmentPage.objects.get(title="សិទ្ធិកុមារ")
    assert page.locale == km and page.get_parent().locale == km
    assert page.audio.language == "km"


@pytest.mark.django_db
def test_command_dry_run_prints_rows_and_exits_non_zero_on_problems(
    sections: dict[str, Page], archive: Path, tmp_path: Path
) -> None:
    sheet = write_csv(tmp_path / "bang-ke.csv", GOOD_ROWS[:1] + BAD_ROWS[:1])
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("ingest_legacy", str(sheet), str(archive), "--dry-run", stdout=out)
    assert raised.value.returncode == 1
    text = out.getvalue()
    assert "Dòng 3 (1999/bang-hong.wav)" in text
    assert "sẽ tạo 1 bản nháp" in text
    assert not RadioSegmentPage.objects.filter(title__startswith="Bản tin sáng").exists()

    call_command(
        "ingest_legacy",
        str(write_csv(tmp_path / "ok.csv", GOOD_ROWS[:1])),
        str(archive),
        stdout=io.StringIO(),
    )
    assert RadioSegmentPage.objects.filter(title="Bản tin sáng 30/11/1998").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"file;title\nx;y\n", "thieu-cot.csv", "thiếu cột"),
        (b"PK\x03\x04 not really a workbook", "hong.xlsx", "XLSX bị hỏng"),
        (b"", "trong.csv", "trống"),
        (b"MZ\x90\x00", "chuong-trinh.exe", ".xlsx hoặc .csv"),
    ],
)
def test_a_sheet_that_cannot_be_read_is_a_clear_error(
    sections: dict[str, Page],
    archive: Path,
    tmp_path: Path,
    content: bytes,
    name: str,
    message: str,
) -> None:
    sheet = tmp_path / name
    sheet.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("ingest_legacy", str(sheet), str(archive), stdout=io.StringIO())


@pytest.mark.django_db
def test_template_sheet_lists_columns_and_allowed_codes(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "mau.xlsx"
    call_command("ingest_legacy", "--template", str(target), stdout=io.StringIO())
    workbook = load_workbook(target)
    header = [cell.value for cell in workbook["Danh sách"][1]]
    assert header[:7] == HEADER
    codes = {(row[0], row[1]) for row in workbook["Mã"].iter_rows(min_row=2, values_only=True)}
    assert ("product_type", "bulletin") in codes and ("topics", "crc") in codes
    assert ("coverage", "D-20-180") in codes and ("language", "km") in codes
    assert ("rights", "cc_by_4") in codes
