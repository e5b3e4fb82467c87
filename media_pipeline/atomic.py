"""Atomic publication of output files.

Every output is first written to a hidden temporary name in the destination directory,
``.<stem>.partial-<random><suffix>`` (keeping the real suffix so ffmpeg and Pillow still pick
the right muxer / encoder), and moved into place with :func:`os.replace` only when the whole
job succeeded. On any failure or cancellation the temporary files are deleted, so a
destination path either holds a complete rendition or does not exist. Same-directory temp
names keep ``os.replace`` atomic (same filesystem).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from .errors import PipelineError, os_error

K = TypeVar("K")

PARTIAL_MARKER = ".partial-"


def temp_path_for(dest: Path) -> Path:
    """A fresh temporary sibling of ``dest`` with the same suffix."""
    suffix = "".join(dest.suffixes[-1:])
    stem = dest.name[: len(dest.name) - len(suffix)] if suffix else dest.name
    return dest.with_name(f".{stem}{PARTIAL_MARKER}{secrets.token_hex(6)}{suffix}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_outputs(dests: Mapping[K, str | os.PathLike[str]]) -> Iterator[dict[K, Path]]:
    """Yield temp paths for ``dests``; publish all of them on success, remove them on error.

    The destination directories must exist. Existing destination files are replaced only on
    success.
    """
    temps: dict[K, Path] = {}
    final: dict[K, Path] = {}
    for key, dest in dests.items():
        d = Path(dest)
        if not d.parent.is_dir():
            raise PipelineError("invalid_argument", f"destination directory missing: {d.parent}")
        final[key] = d
        temps[key] = temp_path_for(d)
    try:
        yield temps
        for key, tmp in temps.items():
            if not tmp.is_file():
                raise PipelineError("ffmpeg_failed", f"no output was produced for {key!r}")
            _fsync(tmp)
        for key, tmp in temps.items():
            os.replace(tmp, final[key])
    except OSError as exc:
        _cleanup(temps.values())
        raise os_error(exc, "writing output failed") from exc
    except BaseException:
        _cleanup(temps.values())
        raise


def _cleanup(paths: Iterable[Path]) -> None:
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
        except OSError:  # pragma: no cover - best effort
            pass
