"""A Chinese page links one font subset holding exactly its own characters (issue 14: 6, 8).

The unicode-range slices of ``fonts-han.css`` (cms/i18n/fonts.py) make a Chinese page fetch
every slice its characters fall in; ordinary Chinese text scatters over dozens of them, so
an item page weighed 160–250 KB. Here a page gets two faces of "Noto Sans SC" instead:

- the **core** (``noto-sans-sc-core.woff2``, built by ``make fonts``, ~8 KB): the font's
  ASCII and Chinese punctuation, a static file every Chinese page shares (cached once);
- the **page subset**: exactly the Han characters (and CJK symbols, full-width forms) of the
  rendered page, about 140 bytes a character, so a page costs what its text costs.

``HanPageFontMiddleware`` reads the rendered HTML, collects its characters and puts the two
``@font-face`` rules where the template's ``{% han_fonts %}`` left its marker. The page
subset's URL carries the characters themselves (delta-coded, base64) signed with the
site's secret key: only sets the site itself rendered are ever cut, a set holds at most
``MAX_CHARACTERS`` (a longer page falls back to the slices), and the URL of a set is stable,
so browsers and proxies cache it for a year. The view cuts a set once with fontTools
(0.3 s for 70 characters, 1.6 s for 1,000), one cut at a time per server (a file lock), and
keeps it on disk under ``VAR_DIR/han-fonts/`` (written under a temporary name and renamed;
the oldest files beyond ``CACHE_FILES`` are removed).

The marker is the slices' ``<link>`` itself: a page rendered without the middleware still
draws its Chinese, from the slices.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.templatetags.static import static
from django.urls import reverse
from fontTools.ttLib import TTFont

from cms.i18n import fonts

CORE_FILE = "noto-sans-sc-core.woff2"
MANIFEST = "han-page.json"
CORE = frozenset(fonts.parse_range(fonts.HAN_LATIN + "," + fonts.HAN_PUNCTUATION))
#: About 210 KB and 2.5 s of cutting; a page with more distinct characters uses the slices.
MAX_CHARACTERS = 1500
CACHE_FILES = 2000  # ~100 MB of page subsets on disk
SALT = "cms.i18n.han_page_font"
#: What the page subset takes from a page: CJK radicals, symbols and punctuation, kana-free
#: bopomofo, enclosed and compatibility forms, the unified ideographs (with extension A and
#: the supplementary planes), vertical and full-width forms.
PAGE_CHARACTERS = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f\u31a0-\u31ef\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f]"
)


def slices_link() -> str:
    return f'<link rel="stylesheet" href="{static("fonts/" + fonts.HAN_CSS)}">'


# --- Build (make fonts) --------------------------------------------------------------


def build_core(source: Path, out_dir: Path, stamp: str) -> list[Path]:
    """The shared core face and the manifest the view cuts page subsets by."""
    number = fonts.han_font_number(source)
    font = TTFont(str(source), fontNumber=number, lazy=True)
    core = fonts.subset_bytes(font, fonts.han_options(), unicodes=sorted(CORE))
    fonts.write_atomic(out_dir / CORE_FILE, core)
    manifest = {"version": stamp[:12], "source": str(source), "font_number": number}
    fonts.write_atomic(out_dir / MANIFEST, json.dumps(manifest).encode())
    return [out_dir / CORE_FILE, out_dir / MANIFEST]


@cache
def manifest() -> dict[str, Any] | None:
    path = Path(settings.FONT_BUILD_DIR) / MANIFEST
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- Character sets in URLs ----------------------------------------------------------


def page_codepoints(html: str) -> list[int]:
    """The page's characters the core does not hold, in code point order."""
    return sorted({ord(ch) for ch in PAGE_CHARACTERS.findall(html)} - CORE)


def encode(codepoints: list[int]) -> str:
    """Sorted code points as base64url varints of their differences (~1.5 bytes each)."""
    out = bytearray()
    previous = 0
    for cp in sorted(set(codepoints)):
        delta = cp - previous
        previous = cp
        while delta >= 0x80:
            out.append((delta & 0x7F) | 0x80)
            delta >>= 7
        out.append(delta)
    return base64.urlsafe_b64encode(bytes(out)).decode().rstrip("=")


def decode(payload: str) -> list[int]:
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    codepoints: list[int] = []
    value = shift = 0
    previous = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte & 0x80:
            if shift > 21:
                raise ValueError("code point too large")
            continue
        previous += value
        codepoints.append(previous)
        value = shift = 0
    if shift or len(codepoints) > MAX_CHARACTERS or previous > 0x10FFFF:
        raise ValueError("not a character set of a page")
    return codepoints


def signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def subset_url(version: str, codepoints: list[int]) -> str:
    token = signer().sign(encode(codepoints))
    return reverse("han_page_font", kwargs={"version": version, "token": token})


# --- The page's rules ----------------------------------------------------------------


def face_rule(url: str, unicode_range: str | None = None) -> str:
    ranges = f";unicode-range:{unicode_range}" if unicode_range else ""
    family = fonts.HAN_FAMILY
    return f'@font-face{{font-family:"{family}";font-display:swap;src:url("{url}"){ranges}}}'


def declarations(html: str) -> str:
    """The ``<style>`` that replaces the marker: the page subset declared first, the core
    last (a browser tries the face declared last first, so ASCII and punctuation always
    come from the shared core; the page subset, with no range, takes the rest)."""
    built = manifest()
    codepoints = page_codepoints(html)
    if built is None or len(codepoints) > MAX_CHARACTERS:
        return slices_link()
    rules = []
    if codepoints:
        rules.append(face_rule(subset_url(built["version"], codepoints)))
    rules.append(face_rule(static("fonts/" + CORE_FILE), fonts.format_range(CORE)))
    return "<style>" + "".join(rules) + "</style>"


class HanPageFontMiddleware:
    """Fills in the Chinese font rules of a rendered page (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not isinstance(response, HttpResponse) or not response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            return response
        marker = slices_link()
        if marker.encode() not in response.content:
            return response
        charset = response.charset or "utf-8"
        html = response.content.decode(charset)
        response.content = html.replace(marker, declarations(html), 1).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


# --- The view ------------------------------------------------------------------------


def cache_dir() -> Path:
    return Path(settings.VAR_DIR) / "han-fonts"


def subset_file(built: dict[str, Any], codepoints: list[int]) -> Path:
    """The cut font for a set: from the disk cache, or cut now (one cut at a time)."""
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(f"{built['version']}:{encode(codepoints)}".encode()).hexdigest()[:32]
    target = directory / f"{key}.woff2"
    if target.exists():
        os.utime(target)  # recently used: pruned last
        return target
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():  # another request may have cut it meanwhile
            source = Path(built["source"])
            if not source.exists():
                raise Http404("the Chinese source font is not installed")
            font = TTFont(str(source), fontNumber=built["font_number"], lazy=True)
            data = fonts.subset_bytes(font, fonts.han_options(), unicodes=codepoints)
            with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, target)
            prune(directory)
    return target


def prune(directory: Path) -> None:
    files = sorted(directory.glob("*.woff2"), key=lambda path: path.stat().st_mtime)
    for old in files[:-CACHE_FILES]:
        old.unlink(missing_ok=True)


def serve(request: HttpRequest, version: str, token: str) -> FileResponse:
    """A page subset. Any signed set is served with the current build (the version in the
    URL only makes a rebuilt font a new URL for browsers' caches)."""
    built = manifest()
    if built is None:
        raise Http404("no Chinese font built")
    try:
        codepoints = decode(signer().unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise Http404("not a page's character set") from error
    if not codepoints:
        raise Http404("empty character set")
    response = FileResponse(subset_file(built, codepoints).open("rb"), content_type="font/woff2")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
