"""The Wagtail admin speaks Vietnamese.

Wagtail's own vi catalogs translate only a small part of the admin; the catalogs
in cms/i18n/locale/vi fill the gaps and win because cms.i18n is listed before
Wagtail in INSTALLED_APPS.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import django
import polib
import pytest
import wagtail
import wagtail_localize
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from cms.editorial.roles import WORKFLOW_NAME

LOCALE_DIR = Path(__file__).resolve().parents[2] / "cms" / "i18n" / "locale"
CATALOGS = [LOCALE_DIR / "vi" / "LC_MESSAGES" / name for name in ("django.po", "djangojs.po")]

# %(name)s, %s, %d, %%, {name}, {0}, {} and HTML tags must survive translation.
TOKEN = re.compile(r"%\([^)]+\)[sdfir]|%%|%[sdfir]|\{[^{}]*\}|</?[a-zA-Z][^>]*>")
JSON_SCRIPT = re.compile(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', re.S)


def tokens(text: str) -> set[str]:
    return set(TOKEN.findall(text))


def page_text(response: Any) -> str:
    """The response body, with the JSON props of React widgets (sidebar, comments)
    decoded so that their \\uXXXX-escaped labels can be searched too."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    decoded = [json.dumps(json.loads(raw), ensure_ascii=False) for raw in JSON_SCRIPT.findall(body)]
    return html.unescape("\n".join([body, *decoded]))


def sidebar_labels(response: Any) -> set[str]:
    body = response.content.decode()
    raw = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', body, re.S
    )
    assert raw, "sidebar props not found"
    labels: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "label" and isinstance(value, str):
                    labels.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(raw.group(1)))
    return labels


def assert_vietnamese(text: str, pairs: list[tuple[str, str]]) -> None:
    english = [en for en, _vi in pairs if en in text]
    missing = [vi for _en, vi in pairs if vi not in text]
    assert not english, f"English left in the admin: {english}"
    assert not missing, f"Vietnamese translations not shown: {missing}"


def add_url(section: Any) -> str:
    return f"/admin/pages/add/content/radiosegmentpage/{section.pk}/"


@pytest.mark.django_db
def test_page_add_view_is_vietnamese(client, make_user, section) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    text = page_text(client.get(add_url(section)))
    assert_vietnamese(
        text,
        [
            ("Save draft", "Lưu bản nháp"),
            (f"Submit to {WORKFLOW_NAME}", f"Gửi duyệt theo quy trình {WORKFLOW_NAME}"),
            ("Toggle side panel", "Ẩn/hiện bảng bên"),
            ("Content metrics", "Thống kê nội dung"),
            ("Set publishing schedule", "Đặt lịch xuất bản"),
            ("Choose when this page should go live", "Chọn thời điểm trang này bắt đầu xuất bản"),
        ],
    )


@pytest.mark.django_db
def test_invalid_page_shows_vietnamese_validation_messages(client, make_user, section) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    response = client.post(add_url(section), {"title": "", "slug": "", "bulletin_class": "normal"})
    text = page_text(response)
    assert_vietnamese(
        text,
        [
            (
                "The page could not be created due to validation errors.",
                "Không thể tạo trang do dữ liệu chưa hợp lệ.",
            ),
            ("Go to the first error", "Đến lỗi đầu tiên"),
            ("Save draft", "Lưu bản nháp"),
        ],
    )


@pytest.mark.django_db
def test_dashboard_and_main_menu_are_vietnamese(client, make_user, section) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    response = client.get("/admin/")
    labels = sidebar_labels(response)
    for english, vietnamese in [
        ("Images", "Ảnh"),
        ("Documents", "Tài liệu"),
        ("Reports", "Báo cáo"),
        ("Help", "Trợ giúp"),
        ("Log out", "Đăng xuất"),
        ("Workflows", "Quy trình duyệt"),
    ]:
        assert english not in labels
        assert vietnamese in labels
    assert_vietnamese(page_text(response), [("Site summary", "Tổng quan trang web")])


@pytest.mark.django_db
def test_workflow_review_is_vietnamese(client, make_user, section) -> None:
    from cms.content.models import RadioSegmentPage

    reporter = make_user("phongvien", "reporter")
    editor = make_user("bientap", "editor")
    page = RadioSegmentPage(title="Quyền trẻ em", slug="quyen-tre-em", live=False)
    section.add_child(instance=page)
    page.save_revision(user=reporter)
    page.get_workflow().start(page, reporter)

    client.force_login(editor)
    assert_vietnamese(
        page_text(client.get("/admin/")),
        [("Awaiting your review", "Đang chờ bạn duyệt")],
    )
    assert_vietnamese(
        page_text(client.get(f"/admin/pages/{page.pk}/edit/")),
        [("Request changes", "Yêu cầu sửa"), ("In Moderation", "Đang chờ duyệt")],
    )


@pytest.mark.django_db
def test_snippet_and_image_listings_are_vietnamese(client, make_user, section) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    assert_vietnamese(
        page_text(client.get("/admin/snippets/media/mediamaster/")),
        [
            ("Show filters", "Hiện bộ lọc"),
            ("Filter by", "Lọc theo"),
            ("Bulk actions", "Thao tác hàng loạt"),
            ("There are no", "Chưa có tư liệu gốc nào."),
        ],
    )
    assert_vietnamese(
        page_text(client.get("/admin/images/")),
        [
            ("Add an image", "Thêm ảnh"),
            ("Show filters", "Hiện bộ lọc"),
            ("You haven't uploaded any images.", "Bạn chưa tải lên ảnh nào."),
        ],
    )


def test_project_catalog_wins_over_wagtails_own_vi_catalog() -> None:
    with translation.override("vi"):
        assert translation.gettext("Save draft") == "Lưu bản nháp"
        # Wagtail's vi catalog says "Trang tổng quan"; ours must take precedence.
        assert translation.gettext("Dashboard") == "Bảng điều khiển"
        assert (
            translation.ngettext("%(count)s image", "%(count)s images", 5) % {"count": 5} == "5 ảnh"
        )


def test_javascript_catalog_translates() -> None:
    catalog = DjangoTranslation("vi", domain="djangojs", localedirs=[str(LOCALE_DIR)])
    assert catalog.gettext("Dashboard") == "Bảng điều khiển"
    assert catalog.gettext("Write something or type ‘/’ to insert a block") == (
        "Viết nội dung hoặc gõ ‘/’ để chèn khối"
    )


@pytest.mark.django_db  # every request is a database transaction (ATOMIC_REQUESTS)
def test_admin_javascript_catalog_is_vietnamese(client) -> None:
    body = client.get("/admin/jsi18n/").content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    assert catalog.get("Dashboard") == "Bảng điều khiển"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_translations_keep_placeholders(path: Path) -> None:
    catalog = polib.pofile(str(path))
    assert "nplurals=1; plural=0;" in catalog.metadata["Plural-Forms"]
    broken = []
    for entry in catalog:
        if entry.msgid_plural:
            translated = entry.msgstr_plural[0]
            assert set(entry.msgstr_plural) == {0}, entry.msgid
            ok = (
                tokens(entry.msgid_plural)
                <= tokens(translated)
                <= (tokens(entry.msgid) | tokens(entry.msgid_plural))
            )
        else:
            translated = entry.msgstr
            ok = tokens(entry.msgid) == tokens(translated)
        if not ok:
            broken.append((entry.msgid, translated))
        assert translated.strip(), f"empty translation for {entry.msgid!r}"
        assert unicodedata.is_normalized("NFC", translated), entry.msgid
    assert not broken, broken
    assert len(catalog) > 100


SOURCE_CATALOGS = {
    "django.po": [
        *Path(wagtail.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"),
        *Path(wagtail_localize.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"),
        Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    ],
    "djangojs.po": [
        *Path(wagtail.__file__).parent.glob("**/locale/en/LC_MESSAGES/djangojs.po"),
        *Path(wagtail_localize.__file__).parent.glob("**/locale/en/LC_MESSAGES/djangojs.po"),
    ],
}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_every_msgid_exists_in_the_english_sources(path: Path) -> None:
    """A msgid that differs from the source by a single character is never used."""
    known = {
        (entry.msgctxt, entry.msgid, entry.msgid_plural)
        for source in SOURCE_CATALOGS[path.name]
        for entry in polib.pofile(str(source))
    }
    unknown = [
        entry.msgid
        for entry in polib.pofile(str(path))
        if (entry.msgctxt, entry.msgid, entry.msgid_plural) not in known
    ]
    assert not unknown, unknown


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_msgfmt_check_format(path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def visible_text(response: Any) -> str:
    """What a reader sees: the body without tags, scripts and styles, whitespace collapsed."""
    assert response.status_code == 200, response.status_code
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.django_db
def test_no_english_or_odd_values_in_listings(client, make_user, section, master_factory):
    """Issue 14, item 15: "Root", "Created at", "1-20 trên 28 None", "Bộ sưu tập cha" for
    the parent page, durations "14,831896", "Đang hoạt động: True"."""
    from cms.content.models import RadioSegmentPage
    from cms.stations.models import Station

    master_factory("vi_segment_48k_stereo.wav", title="Nước sạch cho đồng bào")
    page = RadioSegmentPage(title="Quyền trẻ em", slug="quyen-tre-em", live=False)
    section.add_child(instance=page)
    page.save_revision()
    from cms.taxonomy.models import AdministrativeUnit

    Station.objects.create(
        name="Đài xã Cao Lộc",
        code="cao-loc",
        kind="commune_radio",
        administrative_unit=AdministrativeUnit.objects.get(code="C2025-20-cao-loc"),
    )

    client.force_login(make_user("quantri", "administrator"))
    explorer = visible_text(client.get("/admin/pages/"))
    assert not re.search(r"\bRoot\b", explorer), explorer[:500]
    assert "Gốc" in explorer

    stations = visible_text(client.get("/admin/snippets/stations/station/", {"is_active": "true"}))
    assert "Đang hoạt động: Có" in stations
    assert "True" not in stations

    client.force_login(make_user("phongvien", "reporter"))
    search = visible_text(client.get("/admin/pages/search/", {"q": "Quyền"}))
    assert "Quyền trẻ em" in search
    assert "None" not in search
    assert "1-1 trên 1" in search
    assert "Bộ sưu tập cha" not in search
    assert "Mục cha" in search

    masters = visible_text(client.get("/admin/snippets/media/mediamaster/"))
    assert "Created at" not in masters
    assert "Tạo lúc" in masters
    assert not re.search(r"\d+,\d{4,}", masters), "a raw float duration is shown"
    assert re.search(r"\b0:1[45]\b", masters), "the duration is not shown as m:ss"


@pytest.mark.django_db
def test_translation_editor_dates_are_day_month_year(client, make_user, section, master_factory):
    """wagtail-localize wrote "2 December 2026" (strftime %B, English) in its editor, and the
    day in UTC rather than in Việt Nam."""
    from wagtail.models import Locale
    from wagtail_localize.operations import TranslationCreator

    from cms.content.models import RadioSegmentPage
    from tests.cms.conftest import complete_metadata

    master = master_factory("vi_segment_48k_stereo.wav", title="Nước sạch")
    page = RadioSegmentPage(title="Quyền trẻ em", slug="quyen-tre-em", live=False, audio=master)
    section.add_child(instance=page)
    complete_metadata(page)
    page.save()
    page.save_revision().publish()
    admin = make_user("quantri", "administrator")
    TranslationCreator(admin, [Locale.objects.get(language_code="km")]).create_translations(page)
    khmer = RadioSegmentPage.objects.exclude(pk=page.pk).get(translation_key=page.translation_key)
    revision = khmer.save_revision()
    revision.publish()
    # Published at 01:30 on 3 December in Việt Nam, still 2 December in UTC: the editor
    # showed the UTC day before (and did so in CI every night between 00:00 and 07:00).
    published = datetime.datetime(2026, 12, 2, 18, 30, tzinfo=datetime.UTC)
    type(revision).objects.filter(pk=revision.pk).update(created_at=published)
    RadioSegmentPage.objects.filter(pk=khmer.pk).update(last_published_at=published)

    client.force_login(admin)
    text = page_text(client.get(f"/admin/pages/{khmer.pk}/edit/"))
    assert '"lastPublishedDate": "03/12/2026"' in text
    assert "December" not in text


@pytest.mark.django_db
def test_chooser_language_filter_is_labelled_in_vietnamese(client, make_user) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    response = client.get("/admin/snippets/choose/taxonomy/producttype/")
    assert response.status_code == 200
    modal = html.unescape(json.loads(response.content)["html"])
    label = re.search(r'<label[^>]*for="id_locale"[^>]*>\s*([^<]*?)\s*<', modal)
    assert label, "no language filter in the chooser"
    assert label.group(1) == "Ngôn ngữ"
