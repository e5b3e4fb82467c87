"""Reading an ingest sheet (CSV or XLSX) one row at a time.

Offices keep their inventories in Excel or export them as CSV from it, with a comma or
(Vietnamese regional settings) a semicolon between columns, in UTF-8 with or without a BOM
or in the Windows code page for Vietnamese (cp1258). Rows are yielded as they are read, so a
sheet of any length is held in memory one row at a time (openpyxl's read-only mode streams
the XLSX the same way).
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Header cells are matched case-, accent- and space-insensitively to these names.
REQUIRED_COLUMNS = (
    "file",
    "title",
    "language",
    "product_type",
    "produced_on",
    "topics",
    "summary",
)


class SheetError(Exception):
    """The sheet as a whole cannot be read (not a row's problem)."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the office sees it in Excel: the header is row 1
    values: dict[str, Any]


def normalise_header(cell: Any) -> str:
    text = unicodedata.normalize("NFC", str(cell or "")).strip().lower()
    return "_".join(text.replace("-", " ").split())


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("encoding")


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    try:
        sample = _decode(head)
    except SheetError:
        # a multi-byte character cut at the sample's end is not an encoding problem
        sample = head.decode("utf-8-sig", errors="ignore")
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0] or ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    encoding = "utf-8-sig"
    try:
        with path.open(encoding="utf-8-sig", newline="") as probe:
            for _ in probe:
                pass
    except UnicodeDecodeError:
        encoding = "cp1258"
    with path.open(encoding=encoding, newline="") as handle:
        yield from csv.reader(handle, dialect)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SheetError("unreadable") from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_sheet(path: Path) -> tuple[list[str], Iterator[SheetRow]]:
    """The normalised header and an iterator over the data rows (blank rows skipped)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(path)
    else:
        raise SheetError("format")
    try:
        header_cells = next(rows)
    except StopIteration:
        raise SheetError("empty") from None
    header = [normalise_header(cell) for cell in header_cells]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise SheetError("columns:" + ",".join(missing))

    def data() -> Iterator[SheetRow]:
        for number, cells in enumerate(rows, start=2):
            values = {
                name: _cell(value)
                for name, value in zip(header, cells, strict=False)
                if name and value not in (None, "")
            }
            if values:
                yield SheetRow(number, values)

    return header, data()


def write_csv(rows: list[list[str]]) -> bytes:
    """CSV that Excel with Vietnamese regional settings opens in columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
