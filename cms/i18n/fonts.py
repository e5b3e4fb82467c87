"""Web fonts served by the site itself (communes are often offline or on slow links).

Each script gets its own small WOFF2 subset of the OS's Noto fonts, declared with a
``unicode-range`` so a browser downloads only the faces the page's text needs: a
Vietnamese page loads the Latin subset, a Khmer page the Khmer one as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fontTools import subset


@dataclass(frozen=True)
class FontFace:
    script: str
    family: str
    source_stem: str  # file name in the OS font directory, without weight/extension
    unicode_range: str


# The Latin face is split the way large web-font services split it, so a Vietnamese
# page downloads "latin" + "vietnamese" and never the extended-Latin slice.
FACES: tuple[FontFace, ...] = (
    FontFace(
        "latin",
        "Noto Sans",
        "NotoSans",
        "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+2000-206F,"
        "U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD",
    ),
    FontFace(
        "vietnamese",
        "Noto Sans",
        "NotoSans",
        "U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,U+01AF-01B0,"
        "U+0300-0301,U+0303-0304,U+0308-0309,U+0323,U+0329,U+1EA0-1EF9,U+20AB",
    ),
    FontFace(
        "latin-ext",
        "Noto Sans",
        "NotoSans",
        "U+0100-02AF,U+0304,U+0308,U+0329,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,"
        "U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF",
    ),
    FontFace(
        "khmer", "Noto Sans Khmer", "NotoSansKhmer", "U+1780-17FF,U+19E0-19FF,U+200B-200D,U+25CC"
    ),
    FontFace("cham", "Noto Sans Cham", "NotoSansCham", "U+AA00-AA5F,U+200B-200D,U+25CC"),
)
WEIGHTS = {400: "Regular", 700: "Bold"}


def file_name(face: FontFace, weight: int) -> str:
    return f"{face.family.replace(' ', '-').lower()}-{face.script}-{weight}.woff2"


def find_source(source_dirs: list[Path], face: FontFace, weight: int) -> Path | None:
    for directory in source_dirs:
        candidate = directory / f"{face.source_stem}-{WEIGHTS[weight]}.ttf"
        if candidate.exists():
            return candidate
    return None


def build(source_dirs: list[Path], out_dir: Path) -> list[Path]:
    """Subset every face to its script's range and write WOFF2 files and ``fonts.css``.

    Files are written under a temporary name and renamed, so a half-built font is
    never served. Faces whose source font is missing are left out of the CSS.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    css: list[str] = []
    for face in FACES:
        for weight in WEIGHTS:
            source = find_source(source_dirs, face, weight)
            if source is None:
                continue
            target = out_dir / file_name(face, weight)
            tmp = target.with_suffix(".tmp")
            options = subset.Options()
            options.flavor = "woff2"
            options.layout_features = ["*"]  # Khmer and Cham shaping needs every feature
            options.name_IDs = ["*"]
            options.notdef_outline = True
            options.hinting = False  # screens render unhinted outlines well; halves the size
            font = subset.load_font(str(source), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=parse_range(face.unicode_range))
            subsetter.subset(font)
            subset.save_font(font, str(tmp), options)
            tmp.replace(target)
            written.append(target)
            css.append(
                "@font-face{"
                f'font-family:"{face.family}";font-style:normal;font-weight:{weight};'
                f'font-display:swap;src:url("{target.name}") format("woff2");'
                f"unicode-range:{face.unicode_range}}}"
            )
    css_path = out_dir / "fonts.css"
    tmp_css = css_path.with_suffix(".tmp")
    tmp_css.write_text("\n".join(css) + "\n", encoding="utf-8")
    tmp_css.replace(css_path)
    written.append(css_path)
    return written


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
