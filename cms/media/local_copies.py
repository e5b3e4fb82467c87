"""Local paths of stored files for the pipeline (which only reads local files), and saving
finished outputs back to the storage."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage

from cms.media.inputs import RenditionInputs, inputs_for
from cms.media.models import MediaMaster
from cms.media.storage import OBJECT_STORE_ERRORS
from media_pipeline.errors import PipelineError


class SourceUnavailable(Exception):
    """The object store did not give the source back (down, unreachable, timing out, 5xx).

    Transient: :func:`cms.media.renditions.run` fails the job as ``source_unavailable`` and
    it is retried with backoff like any transient failure. The code is the CMS's (like
    ``worker_lost``), not the pipeline's: the pipeline never talks to a storage."""


@contextmanager
def local_copy(source: Any) -> Iterator[Path]:
    """A local path for a source: the file itself on local storage, else a streamed copy
    (only read: masters are never modified).

    From an object store: a missing object is ``not_found`` (permanent); the store down or
    failing is ``SourceUnavailable`` (transient, retried). A copy cut short is removed with
    its temporary directory, never used. Errors of the local disk stay ``OSError``."""
    try:
        path: Path | None = Path(source.file.path)
    except NotImplementedError:  # not on local disk
        path = None
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="master-") as tmp:
        target = Path(tmp) / Path(source.file.name).name
        try:
            with source.file.open("rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        except OBJECT_STORE_ERRORS as error:  # before OSError: some of them are OSErrors too
            raise SourceUnavailable(
                f"could not read {source.file.name} from the storage: {error!r}"
            ) from error
        except FileNotFoundError as error:
            raise PipelineError(
                "not_found", f"{source.file.name} is not in the storage: {error}"
            ) from error
        yield target


@contextmanager
def subtitles_copy(inputs: RenditionInputs | None) -> Iterator[Path | None]:
    """A local path of the item's subtitles (a copy when they are on an object store)."""
    if inputs is None or inputs.subtitles is None or not inputs.subtitles.file:
        yield None
        return
    with local_copy(inputs.subtitles) as path:
        yield path


def subtitles_for(master: MediaMaster) -> Path | None:
    """The local path of the subtitles the master's item burns in (None on an object store:
    the worker uses a local copy, :func:`subtitles_copy`)."""
    inputs = inputs_for(master)
    if inputs is None or inputs.subtitles is None:
        return None
    try:
        return Path(inputs.subtitles.file.path)
    except NotImplementedError:
        return None


def store(path: Path, name: str) -> str:
    """Save a finished local file to the default storage (atomically), returning its name."""
    with path.open("rb") as handle:
        return default_storage.save(name, File(handle, name=path.name))
