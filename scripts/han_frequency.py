"""Regenerate ``cms/i18n/data/han-frequency.txt``: Han characters, most frequent first.

The web-font builder (``cms/i18n/fonts.py``) slices Noto Sans SC by this order, as large
font services do, so a Chinese page downloads the few slices its characters fall in.
The order is derived from the word frequencies of jieba's dictionary (MIT licence): each
character counts the frequencies of the words it appears in. Usage, once, by hand:

    python scripts/han_frequency.py path/to/jieba/dict.txt > cms/i18n/data/han-frequency.txt

The repository keeps the derived list only (no run-time or build-time dependency).
"""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter

TOP = 7000  # the rest of the font follows in code point order


def main(path: str) -> None:
    counts: Counter[str] = Counter()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 2:
                continue
            word, freq = parts[0], int(parts[1])
            for ch in word:
                if unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH"):
                    counts[ch] += freq
    ranked = [ch for ch, _n in counts.most_common(TOP)]
    print("# Han characters by frequency (derived from jieba's dict.txt, MIT);")
    print("# the line breaks mean nothing. Regenerate: scripts/han_frequency.py")
    for start in range(0, len(ranked), 50):
        print("".join(ranked[start : start + 50]))


if __name__ == "__main__":
    main(sys.argv[1])
