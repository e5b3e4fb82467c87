"""Search as a listener uses it on a phone (issue 14: 4): whole-word highlighting, exact
diacritics ranked first, and the area filter offering today's units with the former ones
folded under their successor."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from wagtail.models import Page

from cms.content.models import RadioSegmentPage
from cms.search.areas import area_keys
from cms.search.text import query_terms, snippet
from cms.taxonomy.models import AdministrativeUnit

from .conftest import add_item
from .test_search import facet_counts_in, search, titles


def marked(text: str, query: str) -> list[str]:
    found = snippet(text, query_terms(query), exact_words=query_terms(query, folded=False))
    return [html.unescape(m) for m in re.findall(r"<mark>([^<]*)</mark>", str(found.html))]


# -- highlighting (no database) ------------------------------------------------------------


def test_accented_query_highlights_whole_words_with_those_accents_only() -> None:
    text = "Trẻ em sống trên núi, trồng tre và trẻ hóa rừng"
    assert marked(text, "trẻ") == ["Trẻ", "trẻ"]  # not "trê" of "trên", not "tre"
    assert "<mark>trê</mark>" not in str(snippet(text, query_terms("trẻ")).html)


def test_plain_query_highlights_every_word_it_folds_to_but_never_part_of_a_word() -> None:
    text = "Trẻ em sống trên núi, trồng tre"
    assert marked(text, "tre") == ["Trẻ", "tre"]


def test_accented_query_falls_back_to_folded_whole_words() -> None:
    # the item was found through folding: show why, still whole words only
    assert marked("Sống trên núi, trồng tre", "trẻ") == ["tre"]
    assert marked("Sống trên núi cao", "trẻ") == []


def test_unfinished_word_lights_up_the_whole_word_it_begins() -> None:
    assert marked("Mọi trẻ em đều có quyền học tập", "quye") == ["quyền"]
    assert marked("Mọi trẻ em đều có quyền học tập", "quyen tre") == ["trẻ", "quyền"]


def test_apostrophe_words_and_khmer_still_highlight() -> None:
    assert marked("Người H'Mông ở Đông Bắc", "hmong dong") == ["H'Mông", "Đông"]
    assert marked("កុមារគ្រប់រូបមានសិទ្ធិសិក្សា", "សិក្សា") == ["សិក្សា"]


# -- ranking (database) ---------------------------------------------------------------------


@pytest.fixture
def tre_items(section: Page, master: Any) -> dict[str, Any]:
    """Three items the query "trẻ" matches: with the exact word, with the same letters and
    other accents, and with a longer word it begins ("trên"). Newest first would put them
    in the reverse order."""
    items = {}
    for key, title, script, year in (
        ("exact", "Bản tin thiếu nhi", "Chăm sóc trẻ em vùng cao.", 2023),
        ("folded", "Làng nghề đan lát", "Bà con đan rổ bằng tre.", 2024),
        ("prefix", "Nước sạch về bản", "Bể nước đặt trên đồi.", 2025),
    ):
        items[key] = add_item(
            section,
            RadioSegmentPage(title=title, slug=key, audio=master, script=script),
            production_date=datetime.date(year, 5, 1),
            topics=("gender-equality",),  # "Quyền trẻ em" (crc) would make all of them exact
        )
    return items


@pytest.mark.django_db
def test_exact_accents_first_then_folded_words_then_word_beginnings(
    client: Any, tre_items: dict[str, Any]
) -> None:
    response = search(client, q="trẻ")
    assert titles(response) == ["Bản tin thiếu nhi", "Làng nghề đan lát", "Nước sạch về bản"]
    body = response.content.decode()
    assert "<mark>trẻ</mark>" in body and "<mark>tre</mark>" in body
    assert "<mark>trê</mark>" not in body and "<mark>trên</mark>" not in body
    # typed without accents, "tre" itself is the exact word
    assert titles(search(client, q="tre")) == [
        "Làng nghề đan lát",
        "Bản tin thiếu nhi",
        "Nước sạch về bản",
    ]


# -- areas (database) ------------------------------------------------------------------------


def unit(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code)


@pytest.fixture
def area_items(section: Page, master: Any) -> dict[str, Any]:
    items = {}
    for key, units in (
        ("old_province", ("P-20",)),  # Lạng Sơn before 1 July 2025
        ("new_province", ("P2025-20",)),  # Lạng Sơn today
        ("old_district", ("D-20-180",)),  # Huyện Cao Lộc, split into two communes
        ("new_commune", ("C2025-20-dong-dang",)),
        ("hanoi_old", ("P-01",)),
    ):
        items[key] = add_item(
            section,
            RadioSegmentPage(title=f"Tin {key}", slug=key.replace("_", "-"), audio=master),
            units=units,
        )
    return items


def area_checkboxes(body: str) -> list[tuple[str, str, bool]]:
    """``(value, label, ticked)`` of every checkbox of the area group."""
    group = re.search(r'<fieldset data-facet="unit">.*?</fieldset>', body, re.S).group(0)
    return [
        (value, html.unescape(label), bool(checked))
        for value, checked, label in re.findall(
            r'<input type="checkbox" name="unit" value="(\d+)"( checked)?> '
            r'<span class="label">([^<]+)</span>',
            group,
        )
    ]


@pytest.mark.django_db
def test_area_filter_offers_todays_units_with_former_ones_folded_under_them(
    client: Any, area_items: dict[str, Any]
) -> None:
    body = search(client, item_type="radio_segment").content.decode()
    boxes = area_checkboxes(body)
    labels = [label for _value, label, _ticked in boxes]
    # one "Lạng Sơn" (today's), no dated former unit offered as a choice of its own
    assert labels.count("Lạng Sơn") == 1
    assert not [label for label in labels if "(đến" in label or "Huyện" in label], labels
    offered = {int(value) for value, _label, _ticked in boxes}
    assert all(AdministrativeUnit.objects.get(pk=pk).valid_until is None for pk in offered)
    assert {unit("P2025-20").pk, unit("P2025-01").pk, unit("C2025-20-dong-dang").pk} <= offered
    # the former units are named under their successor
    group = re.search(r'<fieldset data-facet="unit">.*?</fieldset>', body, re.S).group(0)
    lang_son = re.search(rf'value="{unit("P2025-20").pk}".*?</label>\s*<span class="former', group)
    assert lang_son, "no note of the former units under Lạng Sơn"
    assert "gồm cả: Lạng Sơn (đến 30/06/2025)" in html.unescape(group)
    assert "gồm cả: Huyện Cao Lộc (đến 30/06/2025)" in html.unescape(group)
    # communes of today's province are listed under it
    nested = re.search(
        rf'value="{unit("P2025-20").pk}".*?<ul>(.*?)</ul>', group, re.S
    ).group(1)  # fmt: skip
    assert "Xã Đồng Đăng" in nested


@pytest.mark.django_db
def test_ticking_a_successor_finds_items_of_its_former_units_and_counts_agree(
    client: Any, area_items: dict[str, Any]
) -> None:
    body = search(client, item_type="radio_segment").content.decode()
    counts = {label: int(count) for label, (count, _v, _t) in facet_counts_in(body, "unit").items()}
    found = titles(search(client, unit=unit("P2025-20").pk, language="vi"))
    assert set(found) == {
        "Tin old_province",
        "Tin new_province",
        "Tin old_district",
        "Tin new_commune",
    }
    assert counts["Lạng Sơn"] == 4
    assert set(titles(search(client, unit=unit("P2025-01").pk))) == {"Tin hanoi_old"}
    # every count beside a box is what ticking that box finds
    for value, label, _ticked in area_checkboxes(body):
        ticked = search(client, item_type="radio_segment", unit=value).content.decode()
        total = int(re.search(r'data-total="(\d+)"', ticked).group(1))
        assert total == counts[label], (label, total, counts[label])
        assert (value, label, True) in area_checkboxes(ticked)


@pytest.mark.django_db
def test_area_keys_follow_the_filter_rule() -> None:
    """``area_keys`` is ``related_units`` turned around, on the seeded reform data."""
    current = AdministrativeUnit.objects.filter(valid_until__isnull=True)
    for code in ("P-20", "D-20-180", "C2025-20-dong-dang", "P-94", "D-94-941", "P2025-92"):
        tagged = unit(code)
        expected = {c.pk for c in current if tagged.pk in c.related_units()}
        assert area_keys([tagged.pk]) == expected, code
