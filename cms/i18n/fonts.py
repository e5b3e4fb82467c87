"""Web fonts served by the site itself (communes are often offline or on slow links).

Each script gets its own small WOFF2 subset of the OS's Noto fonts, declared with a
``unicode-range`` so a browser downloads only the faces the page's text needs: a
Vietnamese page loads the Latin and Vietnamese subsets, a Khmer page the Khmer one as well.

- The Latin faces are split as large web-font services split them, and their ranges are
  made disjoint here: a character in two ranges makes the browser fetch the face declared
  last, which is how the extended-Latin face (41 KB) used to load on every Vietnamese page.
- The language switcher names each language in its own script. Those few letters come
  from a tiny "Noto Sans Autonyms" family holding only the autonyms' glyphs (1–2.5 KB,
  fetched when an autonym is shown: the open list, or 简体中文 in the closed switcher of a
  Chinese page), so no page loads the Khmer or Chinese fonts for one word each. Its
  ``font-display: block`` keeps the letters invisible, never boxes, while it arrives.
- Chinese (Noto Sans CJK SC, Debian package ``fonts-noto-cjk``) is cut into about 340
  slices, as large font services cut it: the 3,500 most frequent characters
  (``data/han-frequency.txt``) in small slices (50 for the first 100, then 12, then 25
  characters from rank 2,000), the rest of the font in blocks of 256 code points, and the
  font's own ASCII in one slice, so a Chinese page needs no Noto Sans at all. A page
  downloads only the slices its characters fall in: a small slice wastes few unneeded
  glyphs, at the price of more (HTTP/2) requests of ~0.8 KB fixed cost each. They are
  declared in ``fonts-han.css`` (short rules, compressed by whitenoise and nginx), which
  only pages that need Chinese link. Only the regular weight is served; browsers embolden
  it for headings, which halves what a Chinese page downloads. Hinting, vertical metrics,
  OpenType layout and most name records are dropped (horizontal text needs none of them).

The slices are the fallback now: a Chinese page links its own subset of exactly its
characters plus a shared core (cms/i18n/han_page_font.py, which ``build`` also prepares);
only a page too long for that, or one rendered without its middleware, uses the slices.

Building is skipped when nothing changed (``.build-stamp``), since the Chinese slices take
a few minutes on two cores.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import fontTools
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont


@dataclass(frozen=True)
class FontFace:
    script: str
    family: str
    source_stem: str  # file name in the OS font directory, without weight/extension
    unicode_range: str


LATIN = (
    "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+2000-206F,"
    "U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"
)
VIETNAMESE = (
    "U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,U+01AF-01B0,"
    "U+0300-0301,U+0303-0304,U+0308-0309,U+0323,U+0329,U+1EA0-1EF9,U+20AB"
)
LATIN_EXT_WANTED = (
    "U+0100-02AF,U+0304,U+0308,U+0329,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,"
    "U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF"
)


def parse_range(spec: str) -> list[int]:
    codepoints: list[int] = []
    for part in spec.split(","):
        part = part.strip().removeprefix("U+")
        if "-" in part:
            start, end = part.split("-")
            codepoints.extend(range(int(start, 16), int(end, 16) + 1))
        else:
            codepoints.append(int(part, 16))
    return codepoints


def format_range(codepoints: Iterable[int]) -> str:
    """``U+0100-0101,U+0104`` for a set of code points (runs joined)."""
    points = sorted(set(codepoints))
    parts: list[str] = []
    index = 0
    while index < len(points):
        start = end = points[index]
        while index + 1 < len(points) and points[index + 1] == end + 1:
            index += 1
            end = points[index]
        parts.append(f"U+{start:04X}" if start == end else f"U+{start:04X}-{end:04X}")
        index += 1
    return ",".join(parts)


# Extended Latin minus what the Latin and Vietnamese faces already cover.
LATIN_EXT = format_range(
    set(parse_range(LATIN_EXT_WANTED)) - set(parse_range(LATIN)) - set(parse_range(VIETNAMESE))
)

FACES: tuple[FontFace, ...] = (
    FontFace("latin", "Noto Sans", "NotoSans", LATIN),
    FontFace("vietnamese", "Noto Sans", "NotoSans", VIETNAMESE),
    FontFace("latin-ext", "Noto Sans", "NotoSans", LATIN_EXT),
    FontFace(
        "khmer", "Noto Sans Khmer", "NotoSansKhmer", "U+1780-17FF,U+19E0-19FF,U+200B-200D,U+25CC"
    ),
    FontFace("cham", "Noto Sans Cham", "NotoSansCham", "U+AA00-AA5F,U+200B-200D,U+25CC"),
)
WEIGHTS = {400: "Regular", 700: "Bold"}

AUTONYM_FAMILY = "Noto Sans Autonyms"
HAN_FAMILY = "Noto Sans SC"
HAN_SOURCE = "NotoSansCJK-Regular.ttc"  # Debian fonts-noto-cjk, in /usr/share/fonts/opentype/noto
HAN_FACE_NAME = "Noto Sans CJK SC"
HAN_CSS = "fonts-han.css"
# The punctuation of Chinese text goes with the most frequent characters; the rest of the
# CJK symbols and the full-width forms (Ａ, ０: 100 glyphs, 8 KB) in a slice of their own.
HAN_PUNCTUATION = (
    "U+3000-3003,U+3008-3011,U+3014-3017,U+301C-301F,U+FF01,U+FF08-FF09,U+FF0C,U+FF1A-FF1B,"
    "U+FF1F,U+FF5E,U+2018-2019,U+201C-201D,U+2026,U+00B7"
)
HAN_SYMBOLS = "U+3000-303F,U+FF01-FF60,U+FFE0-FFE6"
# The font's own Latin letters, digits and spaces, ©, dashes and the list bullet (Chromium
# draws a list's • in the list's font): a Chinese page lists "Noto Sans SC" first
# (static/css/site.css), so it needs no Noto Sans face (35 KB for 400 and 700).
HAN_LATIN = "U+0020-007E,U+00A0,U+00A9,U+2013-2014,U+2022"
# The rest of the font after the frequency list, in code point order.
HAN_TAIL = "U+2E80-2FDF,U+3100-312F,U+31C0-31EF,U+3200-33FF,U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF"
# (first rank, last rank, characters per slice). Every page needs the first 100 characters;
# below them a page's characters are sparse, so a slice holds a dozen: a hit slice brings
# few glyphs the page does not use (measured: docs/benchmarks.md, "Chinese page weight").
HAN_TIERS = ((0, 100, 50), (100, 2000, 12), (2000, 3500, 25))
HAN_TAIL_SLICE = 256  # code points per tail slice (a block of the font, ~40 KB)
# Tables horizontal text does not use: vertical metrics and origins, baselines.
HAN_DROP_TABLES = ["vhea", "vmtx", "VORG", "BASE"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def file_name(face: FontFace, weight: int) -> str:
    return f"{face.family.replace(' ', '-').lower()}-{face.script}-{weight}.woff2"


def find_source(source_dirs: list[Path], face: FontFace, weight: int) -> Path | None:
    return find_file(source_dirs, f"{face.source_stem}-{WEIGHTS[weight]}.ttf")


def find_file(source_dirs: list[Path], name: str) -> Path | None:
    for directory in source_dirs:
        candidate = directory / name
        if candidate.exists():
            return candidate
    return None


def options() -> subset.Options:
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = ["*"]  # Khmer and Cham shaping needs every feature
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.hinting = False  # screens render unhinted outlines well; halves the size
    return opts


def han_face_css(name: str, unicode_range: str) -> str:
    """A short rule (some 340 of them): normal style and weight 400 are the defaults."""
    return (
        f'@font-face{{font-family:"{HAN_FAMILY}";font-display:swap;src:url("{name}");'
        f"unicode-range:{unicode_range}}}"
    )


def face_css(family: str, weight: int, name: str, unicode_range: str, display: str = "swap") -> str:
    return (
        "@font-face{"
        f'font-family:"{family}";font-style:normal;font-weight:{weight};'
        f'font-display:{display};src:url("{name}") format("woff2");'
        f"unicode-range:{unicode_range}}}"
    )


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def subset_bytes(
    font: TTFont, opts: subset.Options, *, unicodes: list[int] | None = None, text: str = ""
) -> bytes:
    subsetter = subset.Subsetter(opts)
    if unicodes is not None:
        subsetter.populate(unicodes=unicodes)
    else:
        subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, opts)
    return out.getvalue()


# --- Chinese slices -------------------------------------------------------------------


def han_frequency() -> list[int]:
    """Han code points, most frequent first (``data/han-frequency.txt``)."""
    text = (DATA_DIR / "han-frequency.txt").read_text(encoding="utf-8")
    seen: dict[int, None] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        for ch in line.strip():
            seen.setdefault(ord(ch), None)
    return list(seen)


def han_slices(cmap: set[int]) -> list[tuple[str, list[int]]]:
    """Each slice's declared ``unicode-range`` and the code points its file holds.

    The tail slices declare whole blocks (short CSS) but hold only the characters no
    frequency slice has; they come first in the CSS, because a browser tries the face
    declared last first, so a frequent character always comes from its small slice.
    """
    ranked = [cp for cp in han_frequency() if cp in cmap]
    frequent: list[list[int]] = []
    punctuation = [cp for cp in parse_range(HAN_PUNCTUATION) if cp in cmap]
    for first, last, size in HAN_TIERS:
        for start in range(first, min(last, len(ranked)), size):
            frequent.append(ranked[start : min(start + size, last, len(ranked))])
    if frequent:
        frequent[0] = punctuation + frequent[0]
    taken = {cp for chunk in frequent for cp in chunk}
    symbols = [cp for cp in parse_range(HAN_SYMBOLS) if cp in cmap and cp not in taken]
    # Declared first: the punctuation in the first frequency slice wins over this range.
    tail: list[tuple[str, list[int]]] = [(HAN_SYMBOLS, symbols)] if symbols else []
    for block in HAN_TAIL.split(","):
        first_cp, last_cp = (int(x, 16) for x in block.removeprefix("U+").split("-"))
        for start in range(first_cp, last_cp + 1, HAN_TAIL_SLICE):
            end = min(start + HAN_TAIL_SLICE - 1, last_cp)
            held = [cp for cp in range(start, end + 1) if cp in cmap and cp not in taken]
            if held:
                tail.append(
                    (
                        format_range([start, end]) if start == end else f"U+{start:04X}-{end:04X}",
                        held,
                    )
                )
    latin = [cp for cp in parse_range(HAN_LATIN) if cp in cmap]
    return (
        tail
        + [(format_range(chunk), chunk) for chunk in frequent if chunk]
        + ([(HAN_LATIN, latin)] if latin else [])
    )


def han_font_number(source: Path) -> int:
    collection = TTCollection(str(source), lazy=True)
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == HAN_FACE_NAME:
            return number
    raise ValueError(f"{source} has no {HAN_FACE_NAME!r} face")


HAN_GROUP = 24  # slices per worker job: the whole face is read and cut once per group


def han_options(flavor: str | None = "woff2") -> subset.Options:
    opts = options()
    opts.flavor = flavor
    opts.layout_features = []  # horizontal text: the default glyphs (no locl, vert, kern)
    opts.name_IDs = [0, 1, 2]  # copyright, family, style
    opts.drop_tables = opts.drop_tables + HAN_DROP_TABLES
    opts.desubroutinize = True  # smaller once compressed
    return opts


def _han_group(job: tuple[str, int, list[tuple[list[int], str]]]) -> list[str]:
    """Worker: cut a group of slices. The 65,000-glyph face is read and cut once, to the
    group's characters (an OpenType font in memory); each slice is then cut from that,
    which takes a fraction of a second instead of seconds."""
    source, number, slices = job
    union = sorted({cp for unicodes, _target in slices for cp in unicodes})
    font = TTFont(source, fontNumber=number, lazy=True)
    opts = han_options(flavor=None)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=union)
    subsetter.subset(font)
    # The CFF's own copy of the names and notice (~150 bytes a slice); the name table
    # keeps the copyright, family and style.
    top = font["CFF "].cff.topDictIndex[0]
    for key in ("Notice", "Copyright", "FullName", "FamilyName", "Weight"):
        top.rawDict.pop(key, None)
        top.__dict__.pop(key, None)
    out = io.BytesIO()
    subset.save_font(font, out, opts)
    group = out.getvalue()
    for unicodes, target in slices:
        part = subset_bytes(TTFont(io.BytesIO(group)), han_options(), unicodes=unicodes)
        write_atomic(Path(target), part)
    return [target for _unicodes, target in slices]


def build_han(source: Path, out_dir: Path) -> tuple[list[Path], str]:
    number = han_font_number(source)
    cmap = set(TTCollection(str(source), lazy=True).fonts[number].getBestCmap())
    slices = han_slices(cmap)
    targets = [str(out_dir / f"noto-sans-sc-{index:03d}.woff2") for index in range(len(slices))]
    wanted = {Path(target).name for target in targets}
    for stale in out_dir.glob("noto-sans-sc-*.woff2"):  # an earlier slicing's files
        if stale.name not in wanted:
            stale.unlink()
    cut = [(held, target) for (_declared, held), target in zip(slices, targets, strict=True)]
    jobs = [
        (str(source), number, cut[start : start + HAN_GROUP])
        for start in range(0, len(cut), HAN_GROUP)
    ]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        written = [Path(name) for names in pool.map(_han_group, jobs) for name in names]
    css = "\n".join(
        han_face_css(Path(target).name, declared)
        for (declared, _held), target in zip(slices, targets, strict=True)
    )
    return written, css + "\n"


# --- Autonyms ------------------------------------------------------------------------


def autonym_text() -> dict[str, str]:
    """Non-Latin letters of the language names, by the script whose font draws them."""
    from cms.i18n.languages import LANGUAGES

    by_script: dict[str, str] = {}
    for lang in LANGUAGES:
        for ch in lang.name_local:
            cp = ord(ch)
            if 0x1780 <= cp <= 0x17FF:
                by_script["khmer"] = by_script.get("khmer", "") + ch
            elif 0xAA00 <= cp <= 0xAA5F:
                by_script["cham"] = by_script.get("cham", "") + ch
            elif 0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF:
                by_script["han"] = by_script.get("han", "") + ch
    return {script: "".join(sorted(set(text))) for script, text in by_script.items()}


def build_autonyms(source_dirs: list[Path], out_dir: Path) -> tuple[list[Path], list[str]]:
    written: list[Path] = []
    css: list[str] = []
    stems = {"khmer": "NotoSansKhmer-Regular.ttf", "cham": "NotoSansCham-Regular.ttf"}
    for script, text in autonym_text().items():
        if script == "han":
            source = find_file(source_dirs, HAN_SOURCE)
            if source is None:
                continue
            font = TTFont(str(source), fontNumber=han_font_number(source), lazy=True)
            opts = han_options()
        else:
            found = find_file(source_dirs, stems[script])
            if found is None:
                continue
            font = TTFont(str(found))
            opts = options()  # every feature: the autonym is shaped as a word
        target = out_dir / f"noto-sans-autonyms-{script}-400.woff2"
        write_atomic(target, subset_bytes(font, opts, text=text))
        written.append(target)
        # "block", not "swap": the switcher's few letters are invisible for the moment the
        # 2 KB file takes, never drawn as boxes first on a device without the script's font.
        css.append(
            face_css(AUTONYM_FAMILY, 400, target.name, format_range(map(ord, text)), "block")
        )
    return written, css


# --- Everything ----------------------------------------------------------------------


def stamp(source_dirs: list[Path]) -> str:
    """What the built files depend on: the faces, the slicing, the sources' sizes and dates."""
    spec = {
        "format": 4,  # bump when the subsetting code changes what it writes
        "faces": [face.__dict__ for face in FACES],
        "weights": WEIGHTS,
        "autonyms": autonym_text(),
        "han": [
            HAN_SOURCE,
            HAN_PUNCTUATION,
            HAN_SYMBOLS,
            HAN_LATIN,
            HAN_TAIL,
            HAN_TIERS,
            HAN_TAIL_SLICE,
            HAN_DROP_TABLES,
        ],
        "fonttools": fontTools.version,
    }
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    digest.update((DATA_DIR / "han-frequency.txt").read_bytes())
    for directory in source_dirs:
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                info = path.stat()
                digest.update(f"{path}:{info.st_size}:{int(info.st_mtime)}".encode())
    return digest.hexdigest()


def build(source_dirs: list[Path], out_dir: Path, *, force: bool = False) -> list[Path]:
    """Subset every face to its script's range and write WOFF2 files, ``fonts.css`` and
    (when the Chinese source font is installed) ``fonts-han.css``.

    Files are written under a temporary name and renamed, so a half-built font is
    never served. Faces whose source font is missing are left out of the CSS.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp_path = out_dir / ".build-stamp"
    current = stamp(source_dirs)
    if not force and stamp_path.exists() and stamp_path.read_text() == current:
        listed = json.loads((out_dir / ".build-files").read_text())
        paths = [out_dir / name for name in listed]
        if all(path.exists() for path in paths):
            return paths
    written: list[Path] = []
    css: list[str] = []
    for face in FACES:
        for weight in WEIGHTS:
            source = find_source(source_dirs, face, weight)
            if source is None:
                continue
            target = out_dir / file_name(face, weight)
            font = subset.load_font(str(source), options())
            write_atomic(
                target, subset_bytes(font, options(), unicodes=parse_range(face.unicode_range))
            )
            written.append(target)
            css.append(face_css(face.family, weight, target.name, face.unicode_range))
    autonym_files, autonym_css = build_autonyms(source_dirs, out_dir)
    written += autonym_files
    css += autonym_css
    han_source = find_file(source_dirs, HAN_SOURCE)
    if han_source is not None:
        han_files, han_css = build_han(han_source, out_dir)
        written += han_files
        write_atomic(out_dir / HAN_CSS, han_css.encode())
        written.append(out_dir / HAN_CSS)
        from cms.i18n import han_page_font  # the per-page subsets' core and manifest

        written += han_page_font.build_core(han_source, out_dir, current)
    css_path = out_dir / "fonts.css"
    write_atomic(css_path, ("\n".join(css) + "\n").encode())
    written.append(css_path)
    write_atomic(out_dir / ".build-files", json.dumps([p.name for p in written]).encode())
    write_atomic(stamp_path, current.encode())
    return written
