"""One writer per file format for text that users typed (titles, notes, topic names).

Every title, note or name that goes into a file a station or a department opens passes
through here, so that no text can change the structure of the file it is written into:

* **M3U** (``m3u_playlist``): one line per entry; control characters, line and paragraph
  separators removed from ``#EXTINF`` titles, paths relative and percent-encoded where a
  character could not stand in a line;
* **CSV** (``csv_text``): quoted by the ``csv`` module; a cell that a spreadsheet would read as
  a formula (first character ``= + - @``, tab or carriage return, or their full-width forms)
  gets a leading apostrophe (OWASP "CSV injection");
* **XLSX** (``xlsx_cell``): strings are stored as strings (``data_type 's'`` with Excel's
  quote prefix), never as formulas; characters XML cannot hold are removed;
* **file names** (``file_name``): the whole title, path separators and control characters
  replaced, Unicode kept (``cms.media.storage.safe_file_name``);
* **ID3 tags** (``id3_text``): the renditions' tag writer in ``media_pipeline.audio``.

No Django imports here: the module only needs the standard library and openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from openpyxl.worksheet.worksheet import Worksheet

from cms.media.storage import safe_file_name
from media_pipeline.audio import tag_text as id3_text

__all__ = [
    "csv_rows",
    "csv_text",
    "file_name",
    "id3_text",
    "line_text",
    "m3u_path",
    "m3u_playlist",
    "xlsx_cell",
    "xlsx_row",
]

#: Bidirectional embedding, override and isolate controls (invisible; they reorder text).
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
#: Everything that breaks a line somewhere: CR, LF, VT, FF, NEL, LS, PS.
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
#: C0 and C1 control characters and DEL.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
#: What a spreadsheet reads as the start of a formula (OWASP), with the full-width forms
#: that Excel also accepts.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Excel's limit for the text of one cell.
XLSX_MAX_CHARS = 32767
#: A title in a playlist line: players show a line, not a book.
M3U_MAX_TITLE_CHARS = 500


def nfc(value: Any) -> str:
    """Unicode NFC of a text, the one helper for every app: ``None`` becomes ``""`` and any
    other value its ``str`` (a model's text field, a form's cleaned value, a taxonomy
    term's name). Callers that normalise a NOT NULL text field (``cms.content.models``) get
    the same string back for every value the field can hold; no caller needs ``None`` kept."""
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def line_text(value: Any, limit: int | None = None) -> str:
    """One line of plain text: NFC, line breaks become spaces, control characters and bidi
    controls removed, whitespace collapsed. Zero-width (non-)joiners stay (Khmer needs them)."""
    text = _LINE_BREAKS.sub(" ", nfc(value))
    text = _BIDI.sub("", _CONTROLS.sub("", text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit] if limit is not None else text


def block_text(value: Any) -> str:
    """Text that may keep its lines (a note in a cell): line breaks become ``\\n``, other
    control characters removed."""
    text = _LINE_BREAKS.sub("\n", nfc(value))
    return re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text)


# --- file names ------------------------------------------------------------------------


def file_name(stem: Any, suffix: str = "") -> str:
    """A file name from a whole title: a ``/`` in "Bản tin 1/12" is part of the title, not a
    directory, so it becomes ``-`` instead of cutting the title to "12". Unicode is kept;
    ``safe_file_name`` removes what a file system cannot hold and limits the length."""
    text = line_text(stem).replace("/", "-").replace("\\", "-")
    return safe_file_name(f"{text}{suffix}")


# --- M3U -------------------------------------------------------------------------------

#: Characters that may not stand literally in a playlist line's path.
_M3U_PATH_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}%]")


def m3u_path(path: str) -> str:
    """A relative path for a playlist line. An absolute path, a URL or ``..`` is refused
    (a bag's playlist only names files next to it); a character that cannot stand in a line
    is percent-encoded, and so is a leading ``#`` (a comment) and ``%`` itself."""
    path = nfc(path)
    parts = path.split("/")
    if (
        not path
        or path.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path)
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ValueError(f"not a relative path inside the bag: {path!r}")
    encoded = _M3U_PATH_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), path)
    if encoded.startswith("#"):
        encoded = "%23" + encoded[1:]
    return encoded


def m3u_playlist(title: str, entries: Iterable[dict[str, Any]]) -> str:
    """An extended M3U (UTF-8). Each entry: ``title``, ``path`` (relative), ``duration``
    (seconds or None), optional ``start`` and ``stop`` (seconds, VLC options)."""
    lines = ["#EXTM3U", f"#PLAYLIST:{line_text(title, M3U_MAX_TITLE_CHARS)}"]
    for entry in entries:
        duration = entry.get("duration")
        seconds = -1.0 if duration is None else float(duration)
        lines.append(f"#EXTINF:{seconds:.3f},{line_text(entry['title'], M3U_MAX_TITLE_CHARS)}")
        if entry.get("start"):
            lines.append(f"#EXTVLCOPT:start-time={float(entry['start']):.3f}")
        if entry.get("stop") is not None:
            lines.append(f"#EXTVLCOPT:stop-time={float(entry['stop']):.3f}")
        lines.append(m3u_path(entry["path"]))
    return "\n".join(lines) + "\n"


# --- CSV -------------------------------------------------------------------------------


def csv_text(value: Any, decimal: str = ".") -> Any:
    """A cell for the ``csv`` module: numbers stay numbers (written with ``decimal`` as the
    decimal mark), text is cleaned of control characters and gets a leading apostrophe when a
    spreadsheet would take it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return value if decimal == "." else str(value).replace(".", decimal)
    text = block_text(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text


def csv_rows(
    rows: Iterable[Sequence[Any]],
    bom: bool = True,
    lineterminator: str = "\r\n",
    delimiter: str = ",",
    decimal: str = ".",
) -> str:
    """CSV text of ``rows`` (every cell through ``csv_text``), with a BOM so that Excel on a
    Windows PC reads UTF-8. ``delimiter=";"`` and ``decimal=","`` give what Excel expects
    with Vietnamese (and most European) regional settings."""
    out = io.StringIO()
    writer = csv.writer(
        out, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL, delimiter=delimiter
    )
    for row in rows:
        writer.writerow([csv_text(cell, decimal) for cell in row])
    return ("\ufeff" if bom else "") + out.getvalue()


# --- XLSX ------------------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xlsx_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one cell: text always as a string (never a formula), numbers as numbers."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, Decimal):
        cell.value = float(value)
        return cell
    if isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
        return cell
    text = _XML_ILLEGAL.sub("", block_text(value))[:XLSX_MAX_CHARS]
    cell.value = text
    cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def xlsx_row(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    """Write a row of cells (each through ``xlsx_cell``) at row number ``row``."""
    for column, value in enumerate(values, start=1):
        xlsx_cell(sheet, row, column, value)
