"""The small files written byte by byte: subtitles and the broken uploads."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

VI_SUBTITLES = (
    (0.5, 4.0, "Đài truyền thanh xã xin kính chào bà con."),
    (4.2, 9.0, "Chương trình phát thanh về quyền trẻ em và bình đẳng giới."),
)
KM_SUBTITLES = (
    (0.5, 4.0, "សូមស្វាគមន៍បងប្អូនទាំងអស់គ្នា។"),
    (4.2, 9.0, "កម្មវិធីផ្សាយអំពីសិទ្ធិកុមារ និងសមភាពយេនឌ័រ។"),
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def decompression_bomb_png(side: int = 60000, rows: int = 64) -> bytes:
    """A valid PNG header for a ``side`` x ``side`` 1-bit image with a few zero rows."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\0" * (1 + (side + 7) // 8)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def srt(cues: Sequence[tuple[float, float, str]]) -> str:
    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
        )

    blocks = [
        f"{i}\n{stamp(start)} --> {stamp(end)}\n{text}\n"
        for i, (start, end, text) in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def write_small_files(out: Path) -> None:
    (out / "vi_report.vi.srt").write_text(srt(VI_SUBTITLES), encoding="utf-8")
    (out / "vi_report.km.srt").write_text(srt(KM_SUBTITLES), encoding="utf-8")
    (out / "bad_text_named.mp3").write_bytes(b"tep nay la chu, khong phai am thanh\n")
    (out / "bad_empty.wav").write_bytes(b"")
    (out / "bad_decompression_bomb.png").write_bytes(decompression_bomb_png())


# --- the whole set ------------------------------------------------------------------------
