"""Folding and segmentation: the same words on the indexing and the query side."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from cms.i18n.folding import fold
from cms.search.text import query_terms, snippet, terms


def test_vietnamese_folds_to_plain_letters() -> None:
    assert terms("Quyền TRẺ EM được bảo vệ") == ["quyen", "tre", "em", "duoc", "bao", "ve"]
    assert terms("Đắk Lắk") == ["dak", "lak"]


def test_decomposed_input_folds_like_precomposed() -> None:
    decomposed = unicodedata.normalize("NFD", "Quyền trẻ em")
    assert terms(decomposed) == terms("Quyền trẻ em")
    assert terms(decomposed, folded=False) == ["quyền", "trẻ", "em"]


def test_latin_minority_languages_fold_and_apostrophes() -> None:
    # Tày, H'Mông (RPA) and Cham (Latin) spellings.
    assert terms("Slam pì noọng tày") == ["slam", "pi", "noong", "tay"]
    assert terms("H'Mông") == ["hmong", "h", "mong"]
    assert terms("S’tiêng") == ["stieng", "s", "tieng"]
    assert terms("Cam ŏh") == ["cam", "oh"]


def test_khmer_is_segmented_and_keeps_its_vowel_signs() -> None:
    sentence = "កុមារគ្រប់រូបមានសិទ្ធិសិក្សា"
    words = terms(sentence)
    assert "សិទ្ធិ" in words and "កុមារ" in words
    assert "".join(words) == sentence


def test_fold_keeps_length_so_snippets_map_back() -> None:
    text = "Đảm bảo quyền con người – ការធានាសិទ្ធិ"
    assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


@given(st.text(max_size=200))
def test_fold_is_length_preserving_for_any_text(text: str) -> None:
    assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


def test_snippet_highlights_original_and_escapes_html() -> None:
    result = snippet("<b>Mọi</b> trẻ em đều có quyền được học tập", query_terms("quyen tre em"))
    assert str(result.html) == (
        "&lt;b&gt;Mọi&lt;/b&gt; <mark>trẻ</mark> <mark>em</mark> đều có "
        "<mark>quyền</mark> được học tập"
    )


def test_snippet_finds_khmer_word_inside_sentence() -> None:
    result = snippet("កុមារគ្រប់រូបមានសិទ្ធិសិក្សា", query_terms("សិទ្ធិ"))
    assert "<mark>សិទ្ធិ</mark>" in result.html


def test_snippet_of_long_text_is_a_window_around_the_match() -> None:
    text = "mở đầu " * 100 + "quyền trẻ em" + " kết thúc" * 100
    result = snippet(text, query_terms("quyen"))
    assert result.matched
    assert result.html.startswith("…") and result.html.endswith("…")
    assert "<mark>quyền</mark>" in result.html
    assert len(result.html) < 400
