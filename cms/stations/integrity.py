"""A released package never changes: its files are checked before they are served.

Every download (portal and API: the bag's zip and each file of the bag) first compares the
stored file with the size and SHA-256 recorded when the bag was built. The full hash is
computed once per state of the file: the result is cached under the file's identity on disk
(inode, size, modification and change times; size and modification time on object storage),
so a check costs one ``stat`` until the file changes. Any change (a byte written, a file
replaced, truncated or missing) is a mismatch: logged at CRITICAL with the package and the
file, mailed to ADMINS (once an hour per file), and answered 503, never with the bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.mail import mail_admins

from cms.media.storage import STORAGE_ERRORS
from media_pipeline.hashing import sha256_file

logger = logging.getLogger(__name__)

#: how long a verified state of a file is remembered (it is keyed by that state anyway)
VERIFIED_SECONDS = 7 * 24 * 3600
#: at most one e-mail per file and hour: a station retrying must not flood the inbox
ALARM_MAIL_SECONDS = 3600


def file_state(storage_name: str) -> str | None:
    """What identifies the current bytes of a stored file cheaply, or None if it is gone."""
    try:
        path = Path(default_storage.path(storage_name))
    except NotImplementedError:
        try:
            size = default_storage.size(storage_name)
            modified = default_storage.get_modified_time(storage_name)
        except STORAGE_ERRORS:
            return None
        return f"s3:{size}:{modified.timestamp()}"
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return f"fs:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def stored_sha256(storage_name: str) -> str | None:
    try:
        path = Path(default_storage.path(storage_name))
    except NotImplementedError:
        digest = hashlib.sha256()
        try:
            with default_storage.open(storage_name, "rb") as handle:
                while chunk := handle.read(1024 * 1024):
                    digest.update(chunk)
        except STORAGE_ERRORS:
            return None
        return digest.hexdigest()
    try:
        return sha256_file(path)
    except Exception:  # PipelineError: missing or unreadable
        return None


def size_of(state: str) -> int:
    parts = state.split(":")
    return int(parts[1] if parts[0] == "s3" else parts[2])


def state_key(storage_name: str, state: str) -> str:
    return "stations:intact:" + hashlib.sha256(f"{storage_name}|{state}".encode()).hexdigest()


def is_intact(storage_name: str, *, sha256: str, size: int) -> bool:
    """True if the stored file still has the recorded size and SHA-256 (cached per state)."""
    state = file_state(storage_name)
    if state is None or size_of(state) != size or not sha256:
        return False
    key = state_key(storage_name, state)
    if cache.get(key) == sha256:
        return True
    if stored_sha256(storage_name) != sha256:
        return False
    cache.set(key, sha256, VERIFIED_SECONDS)
    return True


def remember(storage_name: str, sha256: str) -> None:
    """Record a file the build has just hashed and stored, in its state now, as verified, so
    the first download of a large zip does not hash it again inside the request."""
    state = file_state(storage_name)
    if state is not None:
        cache.set(state_key(storage_name, state), sha256, VERIFIED_SECONDS)


def alarm(package_id: int, build_id: int, storage_name: str, path: str) -> None:
    """A released package's file does not match its manifest: log it and tell the admins."""
    logger.critical(
        "released package %s (build %s): %s does not match its recorded SHA-256 (stored as %s);"
        " not served",
        package_id,
        build_id,
        path,
        storage_name,
    )
    key = "stations:alarm:" + hashlib.sha256(f"{build_id}|{path}".encode()).hexdigest()
    if cache.add(key, 1, ALARM_MAIL_SECONDS):
        mail_admins(
            f"Gói phát sóng {package_id}: tệp đã phát hành bị thay đổi",
            (
                f"Tệp {path} của gói {package_id} (bản đóng gói {build_id}, lưu tại "
                f"{storage_name}) không còn khớp mã SHA-256 đã ghi khi phát hành. "
                "Tệp không được gửi cho đài nào cho đến khi được khôi phục."
            ),
            fail_silently=True,
        )
