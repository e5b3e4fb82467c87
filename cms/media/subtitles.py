"""Subtitle files: check an upload is SRT or WebVTT, and convert SRT to WebVTT."""

from __future__ import annotations

import re
import unicodedata

_TIMING = re.compile(
    r"(\d{1,2}:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->\s*(\d{1,2}:)?\d{1,2}:\d{2}[,.]\d{1,3}"
)


class SubtitleError(ValueError):
    pass


def decode(raw: bytes) -> str:
    """Text of a subtitle file (UTF-8, with or without BOM; UTF-16 with BOM), NFC."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SubtitleError("Tệp phụ đề UTF-16 bị hỏng.") from error
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SubtitleError("Phụ đề phải được lưu bằng bảng mã UTF-8.") from error
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def validate(raw: bytes) -> str:
    text = decode(raw)
    if not text.strip():
        raise SubtitleError("Tệp phụ đề rỗng.")
    if not _TIMING.search(text):
        raise SubtitleError("Không tìm thấy mốc thời gian dạng SRT/WebVTT trong tệp phụ đề.")
    return text


def to_webvtt(raw: bytes) -> str:
    text = validate(raw)
    if text.lstrip().startswith("WEBVTT"):
        return text
    body = re.sub(r"(\d{1,2}:\d{2}:\d{2}),(\d{1,3})", lambda m: f"{m.group(1)}.{m.group(2)}", text)
    return "WEBVTT\n\n" + body.strip() + "\n"
