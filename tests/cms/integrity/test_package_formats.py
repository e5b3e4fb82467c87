"""Playlist and spreadsheet injection (issue 13, finding 5).

A title with CR/LF put ``http://evil.example/...`` lines into a released bag's
``loudspeaker.m3u8``; a title starting ``=HYPERLINK(`` was a live formula in ``rundown.csv``
and a topic name likewise in the plan report's XLSX/CSV. Every text now goes through one
writer per format (``cms.formats``); these tests download the files over HTTP as a station
user and as a report reader and read them back with the ``csv`` module, openpyxl and a
line-by-line M3U parser, and check each writer with hostile strings in every script.
"""

# ruff: noqa: F811  (the stations and reports fixtures are imported, then named as arguments)
from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from cms import formats
from cms.stations.models import PackageItem
from media_pipeline.audio import AudioTags
from tests.cms.integrity.test_package_safety import body, station_login
from tests.cms.reports.conftest import master, year_2025  # noqa: F401  (fixtures)
from tests.cms.stations.conftest import (  # noqa: F401  (fixtures)
    make_item,
    make_package,
    make_station,
    release,
    rendered,
    units,
)

pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")

EVIL_URL = "http://evil.example/bad.mp3"
M3U_TITLE = f"Tin sáng\r\n{EVIL_URL}\r\n#EXTINF:1,giả\n{EVIL_URL}\u2028{EVIL_URL}"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
FORMULA_NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_TOPIC = '=HYPERLINK("http://evil.example/t","Chủ đề")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

#: Hostile text in every script the newsroom writes, and the characters that break formats.
HOSTILE = [
    "Bản tin sáng 1/12",
    "Quyền trẻ em: សិទ្ធិកុមារ (ខ្មែរ)",
    "人权 新闻 2025/12",
    "حقوق الإنسان \u202bמשפט\u202c",
    "ảnh\u202egpj.exe",
    "\u2066isolate\u2069 \u200fmark",
    "NUL\x00inside",
    "CR\rLF\nCRLF\r\nend",
    "line\u2028separator\u2029para\x85nel",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=tab",
    "\r=cr",
    '＝HYPERLINK("x")',
    "\x1b[31mansi\x9b",
    "#EXTINF:1,fake",
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "CON",
    "Khmer ZWJ ក\u200dខ ZWNJ \u200c",
    "x" * 5000,
    "Ꝁ" * 300 + "/tail",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=80),
    st.builds(
        lambda start, rest: start + rest,
        st.sampled_from([*FORMULA_STARTS, "\x00", "\u2028", "\u202e", "#", "/"]),
        st.text(max_size=40),
    ),
)
EXAMPLES = settings(
    max_examples=max(60, int(os.environ.get("CMS_FUZZ_EXAMPLES", 0))), deadline=None
)

CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def has_controls(text: str, allow: str = "") -> bool:
    return any(
        (unicodedata.category(c) in CONTROL_CATEGORIES or c in BIDI) and c not in allow
        for c in text
    )


def parse_m3u(text: str) -> list[tuple[str, str]]:
    """(title, path) of every entry, read the way a player does: line by line."""
    lines = text.split("\n")
    assert lines[-1] == "", "the playlist ends with a newline"
    lines = lines[:-1]
    assert lines[0] == "#EXTM3U"
    entries: list[tuple[str, str]] = []
    title: str | None = None
    for line in lines[1:]:
        assert "\r" not in line and not has_controls(line), repr(line)
        for separator in ("\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
            assert separator not in line  # some players break lines there too
        if line.startswith("#EXTINF:"):
            assert title is None, "two #EXTINF lines for one entry"
            title = line.split(",", 1)[1]
        elif line.startswith("#"):
            assert line.startswith(("#PLAYLIST:", "#EXTVLCOPT:")), repr(line)
        else:
            assert title is not None, f"a path without #EXTINF: {line!r}"
            entries.append((title, line))
            title = None
    assert title is None
    return entries


# --- over HTTP: a released bag -----------------------------------------------------------


@pytest.mark.django_db
def test_bag_playlists_and_rundown_carry_hostile_titles_as_text(
    make_item: Any,
    make_station: Any,
    make_package: Any,
    release: Any,
    units: Any,
    make_user: Any,
) -> None:
    injected = make_item(M3U_TITLE)
    formula = make_item(FORMULA_TITLE)
    station = make_station("a", unit="cao_loc")
    package = make_package("Gói\r\n" + EVIL_URL, [injected, formula], units=[units["cao_loc"]])
    PackageItem.objects.filter(package=package, page=formula).update(note=FORMULA_NOTE)
    PackageItem.objects.filter(package=package, page=injected).update(note="-1+1\r\n=2")
    [delivery] = release(package)
    build = delivery.build
    assert build is not None and build.status == "ready", build.error
    client = station_login(make_user, station, "dai-a")

    def download(path: str) -> str:
        response = client.get(f"/stations/goi/{delivery.package_id}/tep/{path}")
        assert response.status_code == 200, path
        return body(response).decode("utf-8")

    files = {entry["path"] for entry in build.files}
    for profile in ("loudspeaker", "broadcast"):
        entries = parse_m3u(download(f"data/vi/{profile}.m3u8"))
        assert len(entries) == 2, entries
        for _title, path in entries:
            assert not path.startswith(("/", "http")) and ":" not in path  # a file, not a URL
            assert f"data/vi/{unquote(path)}" in files, path
        assert entries[0][0] == formats.line_text(M3U_TITLE)
        assert entries[1][0] == FORMULA_TITLE  # text in a playlist: nothing to neutralise

    text = download("data/rundown.csv")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["Thứ tự", "Ngôn ngữ", "Tiêu đề", "Tệp"]
    assert len(rows) == 3  # header and one row per item: no injected rows
    for row in rows:
        assert len(row) == 8
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), repr(cell)
    by_order = {row[0]: row for row in rows[1:]}
    assert by_order["2"][2] == "'" + FORMULA_TITLE
    assert by_order["2"][7] == "'" + FORMULA_NOTE
    assert by_order["1"][2] == M3U_TITLE.replace("\r\n", "\n").replace("\r", "\n").replace(
        "\u2028", "\n"
    )
    assert by_order["1"][7] == "'-1+1\n=2"
    for row in rows[1:]:
        assert f"data/{row[3]}" in files


# --- over HTTP: the plan report ------------------------------------------------------------


@pytest.mark.django_db
def test_report_exports_keep_a_formula_topic_name_as_text(
    client: Client, make_user: Any, year_2025: Any
) -> None:
    from cms.taxonomy.models import Topic

    topic = Topic.objects.get(code="crc", locale__language_code="vi")
    topic.name = FORMULA_TOPIC
    topic.save()
    client.force_login(make_user("quantri", "administrator"))
    year = {"period": "year", "year": "2025"}

    response = client.get("/admin/reports/export.xlsx", year)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula in the report"
    [topic_cell] = [c for c in cells if c.value == FORMULA_TOPIC]
    assert topic_cell.data_type == "s"
    numbers = {c.value for c in cells if c.data_type == "n"}
    assert 6 in numbers  # figures are still numbers

    response = client.get("/admin/reports/export.csv", year)
    assert response.status_code == 200
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";")
    )
    cells_csv = [cell for row in rows for cell in row]
    assert "'" + FORMULA_TOPIC in cells_csv
    assert not [c for c in cells_csv if c.startswith(FORMULA_STARTS)]
    by_label = {row[1]: row[2:4] for row in rows if len(row) > 2 and row[0].isdigit()}
    assert by_label["Tổng số sản phẩm"] == ["6", "100"]


# --- each writer with hostile strings ------------------------------------------------------


def expected_csv_cell(value: str) -> str:
    cleaned = formats.block_text(value)
    return "'" + cleaned if cleaned.startswith(FORMULA_STARTS) else cleaned


@EXAMPLES
@given(st.lists(st.lists(hostile_text, min_size=1, max_size=4), min_size=1, max_size=4))
def test_csv_cells_read_back_as_the_text_never_a_formula(rows: list[list[str]]) -> None:
    text = formats.csv_rows([[*row, 12, -3.5] for row in rows])
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert len(read) == len(rows)
    for original, back in zip(rows, read, strict=True):
        assert back[:-2] == [expected_csv_cell(value) for value in original]
        assert back[-2:] == ["12", "-3.5"]  # numbers stay numbers
        for cell in back[:-2]:
            assert not cell.startswith(FORMULA_STARTS)
            assert "\x00" not in cell and "\r" not in cell


@EXAMPLES
@given(st.lists(hostile_text, min_size=1, max_size=6))
def test_xlsx_strings_are_stored_as_strings(values: list[str]) -> None:
    workbook = Workbook()
    formats.xlsx_row(workbook.active, 1, [*values, 7])
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    row = next(sheet.iter_rows(min_row=1, max_row=1))
    for value, cell in zip(values, row, strict=False):
        expected = formats.block_text(value)
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", expected)[:32767]
        if expected:
            assert cell.data_type == "s", (value, cell.data_type)
            assert cell.value == expected
        else:
            assert cell.value in (None, "")
    assert row[len(values)].value == 7 and row[len(values)].data_type == "n"


@EXAMPLES
@given(st.lists(st.tuples(hostile_text, hostile_text), min_size=1, max_size=5), hostile_text)
def test_m3u_entries_are_one_line_each_with_relative_paths(
    items: list[tuple[str, str]], title: str
) -> None:
    paths = [f"{n:02d} - {formats.file_name(name, '.mp3')}" for n, (_t, name) in enumerate(items)]
    text = formats.m3u_playlist(
        title,
        [
            {"title": t, "duration": 3.0, "path": path, "start": 0.5, "stop": 2.0}
            for (t, _n), path in zip(items, paths, strict=True)
        ],
    )
    entries = parse_m3u(text)
    assert [unquote(path) for _t, path in entries] == paths
    assert [t for t, _p in entries] == [formats.line_text(t, 500) for t, _n in items]


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "http://evil.example/a.mp3", "../a.mp3", "a/../../b", "", "C:x"]
)
def test_m3u_refuses_paths_outside_the_bag(path: str) -> None:
    with pytest.raises(ValueError):
        formats.m3u_path(path)


@EXAMPLES
@given(hostile_text)
def test_file_names_are_one_safe_name_that_keeps_the_letters(title: str) -> None:
    name = formats.file_name(f"01 - {title}", ".mp3")
    assert name.endswith(".mp3") and len(name) > len(".mp3")
    assert "/" not in name and "\\" not in name and not has_controls(name)
    assert len(name.encode("utf-8")) <= 180
    assert name == unicodedata.normalize("NFC", name)
    assert name.startswith("01 -")


def test_file_names_keep_the_whole_title_in_every_script() -> None:
    assert formats.file_name("01 - Bản tin sáng 1/12", ".mp3") == "01 - Bản tin sáng 1-12.mp3"
    assert formats.file_name("01 - Bản tin chiều 2/12", ".mp3") == "01 - Bản tin chiều 2-12.mp3"
    assert formats.file_name("សិទ្ធិកុមារ", ".txt") == "សិទ្ធិកុមារ.txt"
    assert formats.file_name("ảnh\u202egpj.exe", ".jpg") == "ảnhgpj.exe.jpg"
    assert formats.file_name("a\r\nhttp://evil.example", ".mp3") == "a http_--evil.example.mp3"


@EXAMPLES
@given(hostile_text, st.dictionaries(hostile_text, hostile_text, max_size=3))
def test_id3_tags_hold_no_control_characters(title: str, extra: dict[str, str]) -> None:
    tags = AudioTags(title=title, language="vie", item_id="42", extra=extra)
    for key, value in tags.items():
        assert re.fullmatch(r"[A-Za-z0-9_]+", key)
        assert value and value == value.strip() and not has_controls(value)
        assert len(value) <= 1024
    assert formats.id3_text("Tin\r\nsáng\x00\u202e") == "Tin sáng"
