"""Storage backends that keep Unicode file names.

Django's default ``get_valid_name`` drops every character that is not ``\\w``, which
deletes Khmer and Cham vowel signs (category Mn/Mc) and mangles Vietnamese written with
combining marks. Here a name is NFC-normalised and only characters that are unsafe in a
path or on common file systems are removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db.models.fields.files import FieldFile
from s3transfer.exceptions import RetriesExceededError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

logger = logging.getLogger(__name__)

#: What a storage raises when it cannot take or give back a file: the disk (OSError), or the
#: object store down, unreachable, timing out or refusing (botocore's connection, timeout and
#: closed-connection errors, ``ClientError``, boto3's ``S3UploadFailedError``, s3transfer's
#: ``RetriesExceededError`` on downloads).
STORAGE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    BotoCoreError,
    ClientError,
    Boto3Error,
    RetriesExceededError,
)
#: The same without ``OSError``: the errors that only an object store raises.
OBJECT_STORE_ERRORS: tuple[type[Exception], ...] = STORAGE_ERRORS[1:]

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
#: Bidirectional embedding, override and isolate controls: invisible, they make
#: "ảnh\u202egpj.exe" look like "ảnhexe.jpg". (Zero-width joiners and spaces stay: Khmer
#: and other scripts need them.)
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Names Windows (the stations' PCs, the archive's NAS shares) cannot create.
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.I)
MAX_NAME_BYTES = 180


def safe_file_name(name: str) -> str:
    """A file name that keeps its letters in any script, never a path, never empty."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = _BIDI_CONTROLS.sub("", _UNSAFE.sub("_", name))
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    if not name:
        name = "file"
    stem, ext = os.path.splitext(name)
    stem = stem.rstrip(". ")  # Windows drops trailing dots and spaces
    if _WINDOWS_RESERVED.match(stem + ext):
        stem = f"_{stem}"
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
    """S3-compatible object storage, switched on by ``CMS_S3_BUCKET``.

    botocore's defaults (60 s to connect, 60 s per read, up to 5 attempts with "legacy"
    backoff) keep an editor waiting minutes when the store is down; here a request gives up
    after ``connect_timeout`` seconds to connect and ``read_timeout`` seconds of silence,
    and is tried ``max_attempts`` times in all ("standard" retry mode: connection errors,
    throttling and 5xx). The three are options (``STORAGES["default"]["OPTIONS"]``) and
    override the same fields of a ``client_config`` given as well.

    A multipart upload that failed half-way (the store went away) leaves its parts on the
    store when its abort could not reach it either. Once a file is stored under a key, any
    unfinished multipart upload to the same key is aborted: it is such a leftover, and if it
    were ever completed it would replace the file just stored.
    """

    # set from the settings by django-storages' ``BaseStorage.__init__`` (untyped there)
    client_config: Config

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "connect_timeout": 5.0,
            "read_timeout": 60.0,
            "max_attempts": 3,
        }

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        config: Config = self.client_config  # set by S3Storage
        self.client_config = config.merge(
            Config(
                connect_timeout=float(self.connect_timeout),
                read_timeout=float(self.read_timeout),
                retries={"mode": "standard", "max_attempts": int(self.max_attempts)},
            )
        )

    def _save(self, name: str, content: Any) -> str:
        stored = str(super()._save(name, content))
        size = getattr(content, "size", None)
        if size is None or size >= self.transfer_config.multipart_threshold:
            self.abort_unfinished_uploads(stored)
        return stored

    def abort_unfinished_uploads(self, name: str) -> int:
        """Abort unfinished multipart uploads to exactly ``name``'s key; best effort (the file
        is stored whatever happens here). Returns how many were aborted."""
        key = self._normalize_name(clean_name(name))
        client = self.connection.meta.client
        aborted = 0
        try:
            listing = client.list_multipart_uploads(Bucket=self.bucket_name, Prefix=key)
            for upload in listing.get("Uploads", []):
                if upload.get("Key") == key:
                    client.abort_multipart_upload(
                        Bucket=self.bucket_name, Key=key, UploadId=upload["UploadId"]
                    )
                    aborted += 1
        except STORAGE_ERRORS as error:
            logger.warning("could not abort unfinished uploads of %s: %s", key, error)
        if aborted:
            logger.info("aborted %d unfinished multipart upload(s) of %s", aborted, key)
        return aborted


# --- Storing a finished file ------------------------------------------------------------


def store_once(source: Path | bytes, name: str, storage: Storage | None = None) -> str:
    """Store a finished local file (or bytes) under ``name`` and return the stored name.

    For names that say what the file holds (a content or key digest, or a new unique
    folder): a file already stored under ``name`` holds the same bytes and is kept. Never
    visible half-written (the local storage writes a hidden file and links it into place,
    an object store shows an object once its upload is complete), and writers that race on
    one name leave one file: a loser stored under an alternative name removes its copy.
    """
    storage = storage if storage is not None else default_storage
    if storage.exists(name):
        return name
    if isinstance(source, bytes):
        saved = storage.save(name, ContentFile(source, name=os.path.basename(name)))
    else:
        with source.open("rb") as handle:
            saved = storage.save(name, File(handle, name=os.path.basename(name)))
    if saved != name and storage.exists(name):  # another writer stored it first
        storage.delete(saved)
        return name
    return str(saved)


# --- Stored files on the local disk ------------------------------------------------------
# (``cms.media.renditions.local_copy`` is a third way, for rendition sources: it maps an
# object store's failures to ``SourceUnavailable``/``not_found`` for the job's retries.)

COPY_CHUNK = 1024 * 1024


def copy_stored(storage: Storage, name: str, target: Path, chunk: int = COPY_CHUNK) -> None:
    """Stream a stored file (local disk or S3) into a new file ``target``, never loading it
    whole. Always a copy, never a link: nothing written to one changes the other."""
    with storage.open(name, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, chunk)


@contextlib.contextmanager
def local_path(source: str | FieldFile) -> Iterator[Path]:
    """A local path for a stored file (a storage name in the default storage, or a field
    file): the file itself on a local disk, else a streamed copy removed afterwards."""
    name = source if isinstance(source, str) else source.name
    if not name:
        raise ValueError("local_path: the field file has no file")
    storage = default_storage if isinstance(source, str) else source.storage
    try:
        path: Path | None = Path(storage.path(name))
    except NotImplementedError:  # not on a local disk
        path = None
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="cms-local-") as tmp:
        copy = Path(tmp) / f"source{Path(name).suffix}"
        copy_stored(storage, name, copy)
        yield copy
