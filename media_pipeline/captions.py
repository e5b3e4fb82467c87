"""Text drawn into pictures: which script a text is in, the Noto font for each script, and
captions wrapped and shrunk to fit a box, each script run in its own font (Khmer and Chinese
lines break inside "words", Latin words never do).

Also used for the fonts of burned-in subtitles (:mod:`media_pipeline.video`, ``social``).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from .errors import PipelineError

FONT_DIRS = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/local/share/fonts",
    "/usr/share/fonts",
)
SCRIPT_FONTS = {
    "latin": "NotoSans-Regular.ttf",
    "khmer": "NotoSansKhmer-Regular.ttf",
    "cham": "NotoSansCham-Regular.ttf",
    # Chinese (fonts-noto-cjk): a collection; face 2 is Noto Sans CJK SC (simplified).
    "han": "NotoSansCJK-Regular.ttc",
}
SCRIPT_FONT_INDEX = {"han": 2}
#: The fonts' family names, as an ASS subtitle style names them.
SCRIPT_FONT_NAMES = {"latin": "Noto Sans", "khmer": "Noto Sans Khmer", "cham": "Noto Sans Cham"}


def detect_script(text: str) -> str:
    """``khmer``, ``cham`` or ``latin`` (Vietnamese is Latin) by majority of letters."""
    counts = {"khmer": 0, "cham": 0, "latin": 0}
    for ch in text:
        cp = ord(ch)
        if 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF:
            counts["khmer"] += 1
        elif 0xAA00 <= cp <= 0xAA5F:
            counts["cham"] += 1
        elif unicodedata.category(ch).startswith("L"):
            counts["latin"] += 1
    best = max(counts, key=lambda k: (counts[k], k == "latin"))
    return best if counts[best] else "latin"


def find_font(script: str, font_dirs: Sequence[str] = FONT_DIRS) -> str:
    name = SCRIPT_FONTS.get(script, SCRIPT_FONTS["latin"])
    for d in font_dirs:
        for root, _dirs, files in os.walk(d):
            if name in files:
                return os.path.join(root, name)
    raise PipelineError("invalid_argument", f"font {name} for {script} text is not installed")


def _is_han(cp: int) -> bool:
    """CJK ideographs, radicals, CJK punctuation and full-width forms."""
    return (
        0x2E80 <= cp <= 0x303F
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3134F
    )


def _char_script(ch: str) -> str | None:
    cp = ord(ch)
    if 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF:
        return "khmer"
    if 0xAA00 <= cp <= 0xAA5F:
        return "cham"
    if _is_han(cp):
        return "han"
    if unicodedata.category(ch).startswith(("L", "M")):
        return "latin"
    return None  # spaces, digits, punctuation: inherit the neighbouring run's script


def script_runs(text: str) -> list[tuple[str, str]]:
    """Split mixed-script text into ``(script, run)`` pieces, each drawn with its own font."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        sc = _char_script(ch)
        if runs and (sc is None or sc == runs[-1][0]):
            runs[-1] = (runs[-1][0], runs[-1][1] + ch)
        else:
            runs.append((sc or "latin", ch))
    return runs


class _Fonts:
    def __init__(self, size: int) -> None:
        self.size = size
        self._cache: dict[str, Any] = {}

    def get(self, script: str) -> Any:
        if script not in self._cache:
            self._cache[script] = ImageFont.truetype(
                find_font(script), self.size, index=SCRIPT_FONT_INDEX.get(script, 0)
            )
        return self._cache[script]

    def width(self, draw: ImageDraw.ImageDraw, text: str) -> float:
        return sum(draw.textlength(run, font=self.get(sc)) for sc, run in script_runs(text))


def _clusters(word: str) -> list[str]:
    """``word`` cut where a line may break inside it: between Chinese characters, and in
    Khmer (written without spaces) before a base letter that does not follow a subscript
    sign (coeng); never before a vowel sign or other mark."""
    pieces: list[str] = []
    for ch in word:
        joined = pieces and (
            unicodedata.category(ch).startswith("M")
            or pieces[-1].endswith(("\u17d2", "\u200d"))
            or ch in "\u200c\u200d"
        )
        if joined:
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


def _break_long(draw: ImageDraw.ImageDraw, word: str, fonts: _Fonts, width: int) -> list[str]:
    """A Chinese or Khmer "word" too wide for a line, broken into pieces that fit (Latin
    words are never broken: the text is shrunk instead)."""
    if fonts.width(draw, word) <= width or not any(
        sc in ("han", "khmer") for sc, _run in script_runs(word)
    ):
        return [word]
    out, cur = [], ""
    for piece in _clusters(word):
        if cur and fonts.width(draw, cur + piece) > width:
            out.append(cur)
            cur = piece
        else:
            cur += piece
    return [*out, cur] if cur else out


def _wrap(draw: ImageDraw.ImageDraw, text: str, fonts: _Fonts, width: int) -> list[str]:
    text = text.replace("\u200b", " ")  # Khmer's invisible word separator: a break point
    words = [part for w in text.split() for part in _break_long(draw, w, fonts, width)]
    lines: list[str] = []
    cur = ""
    for w in words:
        cand = f"{cur} {w}".strip()
        if not cur or fonts.width(draw, cand) <= width:
            cur = cand
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines or [""]


def draw_caption(
    canvas: Image.Image, box: tuple[int, int, int, int], text: str, color: str
) -> None:
    """Centre ``text`` in ``box``: wrapped, shrunk to fit, one Noto font per script run."""
    x0, y0, x1, y1 = box
    draw = ImageDraw.Draw(canvas)
    bw, bh = x1 - x0, y1 - y0
    pad = max(4, bh // 10)
    size = max(8, int(bh * 0.5))
    while True:
        fonts = _Fonts(size)
        lines = _wrap(draw, text, fonts, bw - 2 * pad)
        line_h = int(size * 1.5)
        too_wide = any(fonts.width(draw, ln) > bw - 2 * pad for ln in lines)
        if (len(lines) * line_h <= bh - 2 * pad and not too_wide) or size <= 8:
            break
        size = int(size * 0.9)
    y = y0 + (bh - len(lines) * line_h) // 2
    for ln in lines:
        x = x0 + (bw - fonts.width(draw, ln)) / 2
        for sc, run in script_runs(ln):
            font = fonts.get(sc)
            draw.text((x, y + line_h / 2), run, font=font, fill=color, anchor="lm")
            x += draw.textlength(run, font=font)
        y += line_h
