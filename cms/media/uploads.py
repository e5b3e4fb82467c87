"""Checks an upload by its content before anything is stored.

The browser's file name and extension are never trusted: ffprobe (through
``media_pipeline``) decides what the file is. Nothing is written to storage unless
every check passes, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from cms.media.messages import message_for
from cms.media.storage import STORAGE_ERRORS
from media_pipeline.errors import PipelineError

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The storage (local disk or S3 server) did not take the file: nothing was stored."""

    code = "storage_unavailable"

    @property
    def message(self) -> str:
        return message_for(self.code)


@dataclass
class CheckedUpload:
    kind: str  # "audio" | "video"
    sha256: str
    size: int
    duration: float | None
    width: int | None
    height: int | None
    technical_metadata: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@contextmanager
def local_path(upload: UploadedFile) -> Iterator[Path]:
    """A path on disk for the upload (Django keeps small uploads in memory)."""
    temporary_path = getattr(upload, "temporary_file_path", None)
    if temporary_path is not None:
        yield Path(temporary_path())
        return
    suffix = Path(upload.name or "").suffix[:16]
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield Path(name)
    finally:
        os.unlink(name)
        upload.seek(0)


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_media_upload(
    upload: UploadedFile, allowed_kinds: tuple[str, ...] = ("audio", "video")
) -> CheckedUpload:
    from media_pipeline.probe import Limits, sniff

    limits = settings.CMS_MEDIA
    if upload.size == 0:
        raise ValidationError(message_for("empty_file"), code="empty_file")
    if upload.size and upload.size > limits["MAX_UPLOAD_BYTES"]:
        raise ValidationError(message_for("too_large"), code="too_large")
    with local_path(upload) as path:
        try:
            sniffed = sniff(
                path,
                Limits(
                    max_duration_s=limits["MAX_DURATION_SECONDS"],
                    max_pixels=limits["MAX_IMAGE_PIXELS"],
                ),
            )
        except PipelineError as error:
            raise ValidationError(message_for(error.code), code=error.code) from error
    info = sniffed.info
    if info is None or sniffed.kind not in allowed_kinds:
        raise ValidationError(message_for("wrong_kind"), code="wrong_kind")
    if info.duration_is_partial:
        # A master is the archive copy: a cut-off file must be uploaded again, complete.
        raise ValidationError(message_for("truncated"), code="truncated")
    video = info.video
    return CheckedUpload(
        kind=sniffed.kind,
        sha256=sha256_of(upload),
        size=upload.size or 0,
        duration=info.duration,
        width=video.display_width if video else None,
        height=video.display_height if video else None,
        technical_metadata={**info.to_dict(), "mime": sniffed.mime},
        warnings=list(info.warnings),
    )


CHECKED_FIELDS = (
    "kind",
    "sha256",
    "size",
    "duration",
    "width",
    "height",
    "technical_metadata",
    "warnings",
)


def apply_checked(master: Any, checked: CheckedUpload) -> None:
    """Copy what the content check found onto a MediaMaster."""
    for attr in CHECKED_FIELDS:
        setattr(master, attr, getattr(checked, attr))


def master_from_file(path: Path, title: str, language: str, user: Any = None) -> Any:
    """Store a local file as a master exactly as the upload form would (checked by content)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cms.media.models import MediaMaster

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    checked = check_media_upload(upload)
    master = MediaMaster(
        title=title, language=language, original_name=nfc_name(path.name), uploaded_by=user
    )
    apply_checked(master, checked)
    store_master_file(master, upload)
    master.save()
    return master


def store_master_file(master: Any, upload: Any) -> str:
    """Put a checked upload in the storage as ``master``'s file, before any row is written.

    On failure (disk, or the S3 server down, timing out or refusing) nothing is stored and
    ``StorageUnavailable`` is raised; the master keeps no name of a missing file."""
    name = nfc_name(upload.name)
    try:
        master.file.save(name, upload, save=False)
    except STORAGE_ERRORS as error:
        logger.warning("could not store the master file %r: %r", name, error)
        raise StorageUnavailable(str(error)) from error
    return str(master.file.name)


def nfc_name(name: str) -> str:
    return unicodedata.normalize("NFC", os.path.basename(name or ""))
