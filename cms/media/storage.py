"""Storage backends that keep Unicode file names.

Django's default ``get_valid_name`` drops every character that is not ``\\w``, which
deletes Khmer and Cham vowel signs (category Mn/Mc) and mangles Vietnamese written with
combining marks. Here a name is NFC-normalised and only characters that are unsafe in a
path or on common file systems are removed.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from typing import Any

from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME_BYTES = 180


def safe_file_name(name: str) -> str:
    """A file name that keeps its letters in any script, never a path, never empty."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = _UNSAFE.sub("_", name).strip().lstrip(".")
    name = re.sub(r"\s+", " ", name)
    if not name:
        name = "file"
    stem, ext = os.path.splitext(name)
    ext = ext[:16]
    while len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    return (stem or "file") + ext


class UnicodeNameMixin:
    def get_valid_name(self, name: str) -> str:
        return safe_file_name(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return f"{file_root}-{os.urandom(4).hex()}{file_ext}"


class UnicodeFileSystemStorage(UnicodeNameMixin, FileSystemStorage):
    """Local files (the default), never visible half-written.

    Django writes an upload straight into its final name, so a reader (a station
    downloading, a fixity check) could see a partial file. Here the bytes go to a hidden
    temporary file in the same directory, are flushed to disk, and only then linked to the
    final name; an existing file is never overwritten.
    """

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                if hasattr(content, "chunks"):
                    for chunk in content.chunks():
                        handle.write(chunk)
                else:
                    handle.write(content.read())
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(tmp_path, self.file_permissions_mode)
            while True:
                try:
                    os.link(tmp_path, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(tmp_path)
        return str(name).replace("\\", "/")


class UnicodeS3Storage(UnicodeNameMixin, S3Storage):
    """S3-compatible object storage, switched on by ``CMS_S3_BUCKET``."""
