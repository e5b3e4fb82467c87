"""Text processing shared by indexing and querying, so both sides see the same words.

* Every text is NFC-normalised first (editors paste decomposed Vietnamese from Word).
* Words come from ICU's word breaker. Khmer, Chinese, Thai, Lao and Burmese write no
  spaces between words; ICU segments them with its dictionaries, so a Khmer word is found
  inside an unspaced sentence. Latin text is split at spaces and punctuation.
* ``fold`` (``cms.i18n.folding``) removes case and Latin diacritics one character for one
  character (``đ`` -> ``d``, ``ề`` -> ``e``); Khmer vowel signs and other non-Latin marks are
  kept, because they are letters, not accents. Because folding keeps the length, a match
  found in the folded text is at the same offsets in the original, which is how snippets
  highlight the original.
* The PostgreSQL ``tsvector``/``tsquery`` values are built here as literals, not by
  ``to_tsvector``: PostgreSQL's own parser splits words differently depending on the
  server's locale, and the SQLite fallback must agree with it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from icu4py.breakers import WordBreaker

from cms.formats import nfc
from cms.i18n.folding import fold

_APOSTROPHES = "'’ʼ`"
# Scripts written without spaces between words: ICU's dictionary breaker is needed.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)
# PostgreSQL refuses word positions above this and more than 256 positions per word.
_MAX_POSITION = 16383
_POSITIONS_PER_WORD = 8
MAX_QUERY_WORDS = 12


def _is_word(token: str) -> bool:
    return any(char.isalnum() for char in token)


def words(text: str) -> list[str]:
    """The words of ``text`` in order (NFC, original case), with no-space scripts segmented."""
    text = nfc(text)
    if not text.strip():
        return []
    result: list[str] = []
    for chunk in text.split():
        if _UNSPACED.search(chunk):
            result.extend(token for token in WordBreaker(chunk, "km") if _is_word(token))
        else:
            result.extend(token for token in re.split(r"[^\w'’ʼ`]+", chunk) if _is_word(token))
    return result


def _variants(word: str) -> list[str]:
    """A word with an apostrophe (H'Mông, S'tiêng) is found with or without it."""
    stripped = word.strip(_APOSTROPHES)
    if not stripped:
        return []
    if not any(mark in stripped for mark in _APOSTROPHES):
        return [stripped]
    joined = "".join(char for char in stripped if char not in _APOSTROPHES)
    parts = [part for part in re.split(f"[{_APOSTROPHES}]", stripped) if part]
    return [joined, *parts]


def terms(text: str, *, folded: bool = True) -> list[str]:
    """Index terms of ``text``: its words, lower-cased, folded unless ``folded=False``."""
    result: list[str] = []
    for word in words(text):
        lowered = fold(word) if folded else "".join(c.lower() for c in word)
        result.extend(_variants(lowered))
    return result


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(weighted_texts: Iterable[tuple[str, str]], *, folded: bool = True) -> str:
    """A ``tsvector`` literal from ``(text, weight)`` pairs (weights ``A``–``D``)."""
    positions: dict[str, list[str]] = defaultdict(list)
    position = 0
    for text, weight in weighted_texts:
        for term in terms(text, folded=folded):
            position = min(position + 1, _MAX_POSITION)
            found = positions[term]
            if len(found) < _POSITIONS_PER_WORD:
                found.append(f"{position}{weight if weight != 'D' else ''}")
    return " ".join(f"{_lexeme(term)}:{','.join(pos)}" for term, pos in positions.items())


def query_terms(query: str, *, folded: bool = True) -> list[str]:
    """Distinct query terms in order, at most ``MAX_QUERY_WORDS``."""
    seen: dict[str, None] = {}
    for term in terms(query[:500], folded=folded):
        seen.setdefault(term, None)
    return list(seen)[:MAX_QUERY_WORDS]


def tsquery_literal(query_words: list[str], *, prefix: bool) -> str:
    """Every word must match; with ``prefix`` a word also matches longer words."""
    suffix = ":*" if prefix else ""
    return " & ".join(f"{_lexeme(word)}{suffix}" for word in query_words)


def term_text(text_parts: Iterable[str], *, folded: bool = True) -> str:
    """Space-delimited terms with a space at both ends, for the SQLite fallback:
    ``LIKE '% quyen%'`` is then "some word starts with quyen"."""
    all_terms: list[str] = []
    for part in text_parts:
        all_terms.extend(terms(part, folded=folded))
    return f" {' '.join(all_terms)} " if all_terms else ""


@dataclass(frozen=True)
class Snippet:
    html: SafeString
    matched: bool


_TOKEN = re.compile(r"[\w'’ʼ`]+")


def _lower(word: str) -> str:
    return "".join(char.lower() for char in word)


def _whole_word_spans(
    original: str, folded_text: str, term: str, accented: list[str]
) -> list[tuple[int, int]]:
    """Whole words of ``original`` that a query word (folded ``term``) stands for.

    Typed with diacritics ("trẻ"): the words with exactly those diacritics; if the text has
    none, the words that fold to the same ("tre"); never a longer word ("trên"), nor a part
    of one. Typed without diacritics ("tre"): every word that folds to it ("tre", "trẻ",
    "trễ"); if none, the words it begins ("quye" lights up all of "quyền": the search matches
    word beginnings)."""
    exact: list[tuple[int, int]] = []
    same: list[tuple[int, int]] = []
    begun: list[tuple[int, int]] = []
    for match in _TOKEN.finditer(folded_text):
        start, end = match.span()
        if _UNSPACED.search(match.group()):
            continue
        folded_variants = _variants(match.group())
        if accented and set(_variants(_lower(original[start:end]))) & set(accented):
            exact.append((start, end))
        if term in folded_variants:
            same.append((start, end))
        elif any(variant.startswith(term) for variant in folded_variants):
            begun.append((start, end))
    if accented:
        return exact or same
    return same or begun


def _match_spans(
    original: str, folded_text: str, query_words: list[str], exact_words: list[str]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for word in query_words:
        if not word:
            continue
        if _UNSPACED.search(word):
            # Khmer, Chinese…: no spaces to find whole words by; ICU segments the query
            # like the text, so the word is found inside the unspaced sentence.
            spans.extend(m.span() for m in re.finditer(re.escape(word), folded_text))
            continue
        typed = [exact for exact in exact_words if fold(exact) == word]
        accented = [] if (not typed or word in typed) else typed
        spans.extend(_whole_word_spans(original, folded_text, word, accented))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    if not spans or len(text) <= width:
        return 0, min(len(text), width)
    first = spans[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    # Do not cut a word in half where the text has spaces.
    if start > 0:
        space = text.find(" ", start, first)
        if space != -1:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        if space != -1:
            end = space
    return start, end


def snippet(
    text: str, query_words: list[str], width: int = 220, *, exact_words: list[str] | None = None
) -> Snippet:
    """An HTML-escaped excerpt of ``text`` around the first match, whole words in ``<mark>``.

    Matching runs on the folded text, so "quyen" highlights "quyền" in the original;
    ``exact_words`` (``query_terms(query, folded=False)``) are the words as typed, so
    "trẻ" highlights "trẻ" and not "tre", nor "trê" inside "trên".
    """
    original = " ".join(nfc(text).split())
    folded_text = fold(original)
    spans = _match_spans(original, folded_text, query_words, exact_words or [])
    start, end = _window(original, spans, width)
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(original[cursor:span_start]))
        parts.append(f"<mark>{escape(original[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(escape(original[cursor:end]))
    if end < len(original):
        parts.append("…")
    return Snippet(mark_safe("".join(parts)), bool(spans))  # noqa: S308 - parts are escaped


def best_snippet(
    texts: Iterator[str] | Iterable[str],
    query_words: list[str],
    *,
    exact_words: list[str] | None = None,
) -> Snippet:
    """The snippet of the first text that contains a query word (else of the first text)."""
    first: Snippet | None = None
    for text in texts:
        if not text:
            continue
        found = snippet(text, query_words, exact_words=exact_words)
        if found.matched:
            return found
        first = first or found
    return first or Snippet(mark_safe(""), False)
