"""Chinese slices small enough for the page-weight budget (issue 14: 6, 8): a dozen
characters per slice below the first hundred, no vertical or layout tables, the font's own
ASCII for Latin on Chinese pages, and a stylesheet of short rules that compresses well."""

from __future__ import annotations

import gzip
import re

from django.conf import settings
from fontTools.ttLib import TTFont

from cms.i18n import fonts

RULE = re.compile(r'@font-face\{[^}]*src:url\("([^"]+)"\);unicode-range:([^}]+)\}')

# No skip: `make test` builds the fonts (`make fonts`) from fonts-noto-cjk, which
# scripts/system-deps.sh installs; a missing stylesheet is a failure, not a pass.


def rules() -> list[tuple[str, set[int]]]:
    css = (settings.FONT_BUILD_DIR / fonts.HAN_CSS).read_text(encoding="utf-8")
    return [(url, set(fonts.parse_range(ranges))) for url, ranges in RULE.findall(css)]


def test_frequent_characters_come_in_slices_of_a_dozen() -> None:
    ranked = fonts.han_frequency()
    owner: dict[int, str] = {}
    for url, cps in rules():  # the rule declared last wins
        for cp in cps:
            owner[cp] = url
    for rank in (150, 500, 1000, 1999):
        url = owner[ranked[rank]]
        font = TTFont(str(settings.FONT_BUILD_DIR / url))
        held = set(font.getBestCmap())
        assert len(held) <= 12, (rank, url, len(held))
        assert (settings.FONT_BUILD_DIR / url).stat().st_size < 4 * 1024, url
        for table in ("vhea", "vmtx", "VORG", "BASE"):
            assert table not in font, (url, table)


def test_chinese_pages_get_ascii_from_the_chinese_font() -> None:
    latin = [url for url, cps in rules() if ord("A") in cps and ord("7") in cps]
    assert len(latin) == 1, latin
    assert (settings.FONT_BUILD_DIR / latin[0]).stat().st_size < 8 * 1024
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert 'html[lang|=zh]{--fonts:"Noto Sans SC",' in css


def test_stylesheet_is_short_and_compresses() -> None:
    data = (settings.FONT_BUILD_DIR / fonts.HAN_CSS).read_bytes()
    assert len(rules()) == data.count(b"@font-face") >= 300
    assert b"font-weight" not in data and b"format(" not in data  # defaults left out
    assert len(gzip.compress(data, compresslevel=9)) < 16 * 1024, len(data)


def test_nginx_sends_the_precompressed_stylesheet() -> None:
    conf = (settings.BASE_DIR / "deploy" / "nginx" / "cms.conf").read_text(encoding="utf-8")
    static = conf[conf.index("location /static/") :]
    assert "gzip_static on;" in static[: static.index("}")]
