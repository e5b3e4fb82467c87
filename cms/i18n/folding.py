"""Text folding shared by search and web addresses: case and Latin diacritics removed.

``fold`` removes case and Latin diacritics one character for one character (``đ`` -> ``d``,
``ề`` -> ``e``); Khmer vowel signs and other non-Latin marks are kept, because they are
letters, not accents. Because folding keeps the length, a match found in the folded text is
at the same offsets in the original, which is how search snippets highlight the original
(``cms.search.text``); page slugs are folded with it too (``cms.content.slugs``).

Standard library only: this is the bottom layer of the cms apps.
"""

from __future__ import annotations

import functools
import unicodedata

# Letters that have no canonical decomposition but that a user types without the stroke.
_SPECIAL_FOLDS = {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i"}


@functools.lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character in, one character out: lower case without a Latin diacritic."""
    lower = char.lower()
    if len(lower) != 1:
        lower = char
    if lower in _SPECIAL_FOLDS:
        return _SPECIAL_FOLDS[lower]
    if lower.isascii():
        return lower
    base = unicodedata.normalize("NFD", lower)[0]
    if base.isascii() and base.isalpha():
        return base.lower()
    return lower


def fold(text: str) -> str:
    """NFC text with case and Latin diacritics removed; same length as the NFC of ``text``
    (``cms.formats.nfc``)."""
    return "".join(fold_char(char) for char in unicodedata.normalize("NFC", text))
