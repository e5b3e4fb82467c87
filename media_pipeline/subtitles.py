"""SRT -> ASS conversion for burn-in.

ffmpeg 5.1's ``subtitles`` filter renders with libass' *simple* shaper, which leaves Khmer
subscript consonants (coeng) unshaped. The ``ass`` filter accepts ``shaping=complex``
(HarfBuzz), so SRT files are converted here to ASS with the style (font chosen for the
script, size relative to the output frame) written into the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import PipelineError

_TIME = re.compile(
    r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _secs(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_srt(text: str) -> list[Cue]:
    """Parse SRT (BOM, CRLF, ``.`` or ``,`` millisecond separators tolerated)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        for i, ln in enumerate(lines):
            m = _TIME.search(ln)
            if m:
                g = m.groups()
                body = "\n".join(lines[i + 1 :])
                cues.append(Cue(_secs(*g[:4]), _secs(*g[4:]), _TAG.sub("", body).strip()))
                break
    if not cues:
        raise PipelineError("invalid_argument", "the subtitle file contains no SRT cues")
    return cues


def ass_script(width: int, height: int, styles: str) -> str:
    """The head of an ASS subtitle script (up to the events' format line) for a
    ``width`` x ``height`` picture with the given ``Style:`` lines."""
    return (
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {width}\nPlayResY: {height}\nWrapStyle: 0\nScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        f"{styles}\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )


def _ass_time(t: float) -> str:
    cs = round(t * 100)
    h, rem = divmod(cs, 360000)
    m, rem = divmod(rem, 6000)
    s, cs = divmod(rem, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_text(text: str) -> str:
    # braces start override blocks and backslashes start escapes in ASS: neutralise them
    safe = text.replace("\\", "\uff3c").replace("{", "(").replace("}", ")")
    return safe.replace("\n", "\\N")


def srt_to_ass(srt_text: str, *, font: str, frame: tuple[int, int]) -> str:
    """An ASS document for ``frame`` (PlayRes = output size) with one bottom-centred style."""
    w, h = frame
    size = max(12, round(min(w, h) * 0.055))
    outline = max(1, round(size / 12))
    margin = max(8, round(h * 0.04))
    head = ass_script(
        w,
        h,
        f"Style: Default,{font.replace(',', ' ')},{size},&H00FFFFFF,&H00FFFFFF,&H00000000,"
        f"&H80000000,0,0,0,0,100,100,0,0,1,{outline},0,2,{margin},{margin},{margin},1\n",
    )
    events = [
        f"Dialogue: 0,{_ass_time(c.start)},{_ass_time(c.end)},Default,,0,0,0,,{_ass_text(c.text)}"
        for c in parse_srt(srt_text)
    ]
    return head + "\n".join(events) + "\n"


def cut_cues(cues: list[Cue], start: float, end: float | None) -> list[Cue]:
    """The cues of the cut ``[start, end)`` with times shifted to the cut's start: cues that
    end before ``start`` (or begin at or after ``end``) are dropped, the ones across a cut
    point are clipped to it."""
    out: list[Cue] = []
    for c in cues:
        if c.end <= start or (end is not None and c.start >= end):
            continue
        s = max(c.start, start) - start
        e = (min(c.end, end) if end is not None else c.end) - start
        if e > s:
            out.append(Cue(round(s, 3), round(e, 3), c.text))
    return out
