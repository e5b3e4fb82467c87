"""Content hashing: streaming SHA-256 and rendition cache keys."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Any

from .errors import PipelineError

CHUNK_SIZE = 1024 * 1024
#: bump when the rendering code changes in a way that changes outputs for the same profile
PIPELINE_VERSION = "2"


def sha256_file(path: str | os.PathLike[str], *, chunk_size: int = CHUNK_SIZE) -> str:
    """Hex SHA-256 of a file, read in fixed-size chunks (constant memory)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(chunk_size):
                h.update(chunk)
    except FileNotFoundError as exc:
        raise PipelineError("not_found", f"file not found: {path}") from exc
    except OSError as exc:
        raise PipelineError("io_error", f"cannot read {path}: {exc}") from exc
    return h.hexdigest()


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "__type__": type(value).__name__,
            **{f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


def profile_fingerprint(profile: object) -> str:
    """SHA-256 over every parameter of a profile dataclass (plus :data:`PIPELINE_VERSION`)."""
    payload = json.dumps(
        {"v": PIPELINE_VERSION, "profile": _canonical(profile)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def rendition_key(master_sha256: str, profile: object, **extra: str) -> str:
    """Cache key for "this master rendered with this profile".

    Any change of a profile parameter (or of ``extra`` inputs such as a subtitle file hash or
    caption text) yields a different key, so an identical master + profile is never
    transcoded twice while a changed profile always is.
    """
    h = hashlib.sha256()
    h.update(master_sha256.encode("ascii"))
    h.update(b"\0")
    h.update(profile_fingerprint(profile).encode("ascii"))
    for k in sorted(extra):
        h.update(b"\0" + k.encode("utf-8") + b"=" + extra[k].encode("utf-8"))
    name = getattr(profile, "name", "profile")
    return f"{name}-{h.hexdigest()[:32]}"
