"""The built web fonts (issue 14: 6, 8): disjoint Latin ranges, an autonym-only face, and
Chinese in frequency slices that only Chinese pages link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont

from cms.i18n import fonts

FACE = re.compile(r'font-family:"([^"]+)";[^}]*src:url\("([^"]+)"\)[^}]*unicode-range:([^}]+)\}')


def declared(css_name: str) -> list[tuple[str, str, set[int]]]:
    css = (settings.FONT_BUILD_DIR / css_name).read_text(encoding="utf-8")
    return [
        (family, url, set(fonts.parse_range(ranges))) for family, url, ranges in FACE.findall(css)
    ]


def test_noto_sans_ranges_do_not_overlap() -> None:
    """A character in two ranges makes the browser fetch the face declared last: the
    extended-Latin face loaded on every Vietnamese page because of ă, đ, ơ, ư."""
    faces = [(url, cps) for family, url, cps in declared("fonts.css") if family == "Noto Sans"]
    regular = [(url, cps) for url, cps in faces if url.endswith("-400.woff2")]
    assert len(regular) == 3, regular
    for index, (url, cps) in enumerate(regular):
        for other_url, other in regular[index + 1 :]:
            assert not cps & other, (url, other_url, sorted(cps & other)[:5])
    vietnamese = "Quyền trẻ em ở thôn bản, đường, ưu tiên, Tiếng Việt"
    needed = {url for url, cps in regular for ch in vietnamese if ord(ch) in cps and ord(ch) > 0x20}
    assert not [url for url in needed if "latin-ext" in url], needed


def test_autonym_face_holds_only_the_autonyms() -> None:
    faces = [
        (url, cps) for family, url, cps in declared("fonts.css") if family.endswith("Autonyms")
    ]
    assert faces
    covered = set().union(*(cps for _url, cps in faces))
    assert {ord(ch) for ch in "ភាសាខ្មែរ简体中文"} <= covered
    assert ord("ក") not in covered  # not the whole Khmer script
    for url, _cps in faces:
        assert (settings.FONT_BUILD_DIR / url).stat().st_size < 4 * 1024, url


def test_chinese_slices_put_frequent_characters_in_small_files() -> None:
    faces = declared(fonts.HAN_CSS)
    assert len(faces) >= 50
    assert all(family == fonts.HAN_FAMILY for family, _url, _cps in faces)
    # The face declared last is tried first: the frequent slices come last.
    last_url, last = faces[-1][1], faces[-1][2]
    first_slice = next(cps for _f, _u, cps in reversed(faces) if ord("的") in cps)
    assert ord("，") in first_slice and ord("。") in first_slice
    common = "人权信息宣传广播视频展览"
    for ch in common:
        owner = next(url for _f, url, cps in reversed(faces) if ord(ch) in cps)
        size = (settings.FONT_BUILD_DIR / owner).stat().st_size
        assert size < 50 * 1024, (ch, owner, size)
    font = TTFont(str(settings.FONT_BUILD_DIR / last_url))
    assert set(font.getBestCmap()) <= last


@pytest.mark.django_db
def test_only_pages_that_need_chinese_link_the_chinese_faces(client, home) -> None:
    from wagtail.models import Locale

    home.copy_for_translation(Locale.objects.get(language_code="zh-hans")).save_revision().publish()
    assert fonts.HAN_CSS not in client.get("/vi/").content.decode()
    # The page's own subset and the shared core (cms/i18n/han_page_font.py).
    assert "noto-sans-sc-core.woff2" in client.get("/zh-hans/").content.decode()


def test_frequency_list_is_han_only() -> None:
    ranked = fonts.han_frequency()
    assert len(ranked) >= 3500
    assert all(0x3400 <= cp <= 0x9FFF for cp in ranked)
    assert ranked.index(ord("的")) < 100


def test_build_is_skipped_when_nothing_changed(tmp_path: Path) -> None:
    stamp = fonts.stamp(list(settings.FONT_SOURCE_DIRS))
    assert stamp == fonts.stamp(list(settings.FONT_SOURCE_DIRS))
    assert (settings.FONT_BUILD_DIR / ".build-stamp").read_text() == stamp
