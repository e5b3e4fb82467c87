"""Finding and reading the files an ingest sheet names."""

from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from cms.media.uploads import (
    check_media_upload,
    nfc_name,
)
from media_pipeline.errors import PipelineError

logger = logging.getLogger(__name__)


class FolderIndex:
    """The files under the folder, found by their name in NFC (macOS and some Windows
    copies store names decomposed), then case-insensitively. Nothing outside the folder
    can be named: symbolic links that lead out of it are not followed."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.exact: dict[str, Path] = {}
        self.folded: dict[str, Path | None] = {}
        for directory, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(directory) / name
                try:
                    real = path.resolve()
                    real.relative_to(self.root)
                except (OSError, ValueError):
                    continue
                key = unicodedata.normalize("NFC", path.relative_to(self.root).as_posix())
                self.exact[key] = path
                folded = key.casefold()
                # two names differing only by case: neither is picked by a guess
                self.folded[folded] = None if folded in self.folded else path

    def find(self, name: str) -> Path | None:
        key = unicodedata.normalize("NFC", name.strip().replace("\\", "/"))
        while key.startswith("./"):
            key = key[2:]
        key = key.lstrip("/")
        return self.exact.get(key) or self.folded.get(key.casefold())


class LocalFile(File):
    """A file on this machine presented as an upload, read in chunks (never whole)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path.open("rb"), name=nfc_name(path.name))
        self._path = path
        self.size = path.stat().st_size

    def temporary_file_path(self) -> str:
        return str(self._path)

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.file is None:
            raise ValueError(f"seek on the closed file {self._path}")
        return self.file.seek(offset, whence)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def max_image_pixels() -> int:
    limits: Any = settings.CMS_MEDIA
    return int(limits["MAX_IMAGE_PIXELS"])


def check_file(path: Path, kind: str) -> Any:
    """Read the file by content as the upload form would; a ValidationError says why not."""
    if kind == "image":
        from media_pipeline.images import load_image

        try:
            load_image(path, max_image_pixels()).close()
        except PipelineError as error:
            from cms.media.messages import message_for

            raise ValidationError(message_for(error.code)) from error
        except (OSError, ValueError, SyntaxError) as error:
            raise ValidationError(_("không đọc được ảnh.")) from error
        return None
    upload = LocalFile(path)
    try:
        return check_media_upload(upload, allowed_kinds=(kind,))  # type: ignore[arg-type]
    finally:
        upload.close()
