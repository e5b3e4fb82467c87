"""The station's disk: file digests, paths that are safe on Windows and Linux alike, and
the sync state (``.state.json``, written atomically with ``os.replace``)."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from pathlib import Path
from typing import Any

from station_sync.errors import SyncError

STATE_FILE = ".state.json"


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


#: characters Windows refuses in a file name (besides control characters)
WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
#: device names Windows reserves whatever the extension (``NUL.txt`` is the null device)
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                    *(f"LPT{n}" for n in range(1, 10))}  # fmt: skip


def safe_part(part: str) -> bool:
    """A name that is one file or folder on Linux and on Windows alike."""
    return not (
        part in ("", ".", "..")
        or any(ch in WINDOWS_FORBIDDEN or ord(ch) < 32 for ch in part)
        or part[-1] in ". "  # Windows drops trailing dots and spaces: two names would clash
        or part.split(".", 1)[0].strip().upper() in WINDOWS_RESERVED
    )


def safe_relative(path: str) -> Path:
    """A path inside the bag; refuses absolute paths, '..', drive letters, backslashes and
    names Windows cannot store, so a station PC on Windows or Linux writes the same tree."""
    path = unicodedata.normalize("NFC", path)
    parts = path.split("/")
    if not path or not all(safe_part(part) for part in parts):
        raise SyncError(f"unsafe path in manifest: {path!r}")
    return Path(*parts)


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_state(dest: Path) -> dict[str, Any]:
    path = dest / STATE_FILE
    if not path.exists():
        return {"cursor": None, "pending": {}, "received": {}}
    with path.open(encoding="utf-8") as handle:
        state: dict[str, Any] = json.load(handle)
    state.setdefault("cursor", None)
    state.setdefault("pending", {})
    state.setdefault("received", {})
    return state


def save_state(dest: Path, state: dict[str, Any]) -> None:
    write_json_atomic(dest / STATE_FILE, state)
