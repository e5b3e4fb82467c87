"""Archive settings: ``settings.CMS_ARCHIVE`` overrides, then environment variables, then defaults.

Endpoints and buckets come from the environment (they differ per machine); credentials are
never read here: boto3 finds ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Primary copy: the national database's S3-compatible store.
    "S3_ENDPOINT_URL": "",
    "S3_BUCKET": "",
    "S3_PREFIX": "cms-archive",
    "S3_REGION": "us-east-1",
    # Second independent copy (Circular 02/2019/TT-BNV): another bucket, or a directory.
    "S3_SECOND_ENDPOINT_URL": "",
    "S3_SECOND_BUCKET": "",
    "S3_SECOND_PREFIX": "",
    "SECOND_COPY_DIR": "",
    # Where bags are built before upload (must have room for the largest item).
    "WORK_DIR": "",
    # Multipart: files above the threshold go up in parts of this size, several at once.
    "MULTIPART_THRESHOLD": 64 * 1024 * 1024,
    "MULTIPART_CHUNKSIZE": 8 * 1024 * 1024,
    "MAX_CONCURRENCY": 8,
    # Checksum the server verifies for every request/part (CRC32, CRC32C, SHA1, SHA256).
    # The file's full SHA-256 is in the bag manifest, the object's metadata, the export log
    # and the fixity check either way; see docs/archive.md for why CRC32 is the default.
    "UPLOAD_CHECKSUM": "CRC32",
    "MAX_ATTEMPTS": 5,
    "CONNECT_TIMEOUT": 10,
    "READ_TIMEOUT": 60,
    # Records and identifiers.
    "RECORD_CODE_PREFIX": "CMS",
    "OAI_REPOSITORY_ID": "cms.tuyentruyen.local",
    "OAI_REPOSITORY_NAME": "",
    # Identify's adminEmail: the archive's contact. Required in production (checks.py);
    # elsewhere, without it and without ADMINS, the demo address below stands in.
    "OAI_ADMIN_EMAILS": [],
    "OAI_PAGE_SIZE": 100,
    # Province used as EDM provider when neither the producing unit nor the coverage names one.
    "PROVINCE_CODE": "",
}

ENVIRONMENT = {
    "S3_ENDPOINT_URL": "CMS_ARCHIVE_S3_ENDPOINT_URL",
    "S3_BUCKET": "CMS_ARCHIVE_S3_BUCKET",
    "S3_PREFIX": "CMS_ARCHIVE_S3_PREFIX",
    "S3_REGION": "CMS_ARCHIVE_S3_REGION",
    "S3_SECOND_ENDPOINT_URL": "CMS_ARCHIVE_S3_SECOND_ENDPOINT_URL",
    "S3_SECOND_BUCKET": "CMS_ARCHIVE_S3_SECOND_BUCKET",
    "S3_SECOND_PREFIX": "CMS_ARCHIVE_S3_SECOND_PREFIX",
    "SECOND_COPY_DIR": "CMS_ARCHIVE_SECOND_COPY_DIR",
    "WORK_DIR": "CMS_ARCHIVE_WORK_DIR",
    "UPLOAD_CHECKSUM": "CMS_ARCHIVE_UPLOAD_CHECKSUM",
    "RECORD_CODE_PREFIX": "CMS_ARCHIVE_RECORD_CODE_PREFIX",
    "OAI_REPOSITORY_ID": "CMS_ARCHIVE_OAI_REPOSITORY_ID",
    "OAI_ADMIN_EMAILS": "CMS_ARCHIVE_OAI_ADMIN_EMAILS",
    "PROVINCE_CODE": "CMS_ARCHIVE_PROVINCE_CODE",
}


def get(name: str) -> Any:
    """One archive setting. Read on every call so tests can override settings."""
    configured = getattr(settings, "CMS_ARCHIVE", {}) or {}
    if name in configured:
        return configured[name]
    env_name = ENVIRONMENT.get(name)
    if env_name and os.environ.get(env_name):
        value: Any = os.environ[env_name]
        if isinstance(DEFAULTS[name], int):
            value = int(value)
        elif isinstance(DEFAULTS[name], list):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value
    return DEFAULTS[name]


# What OAI-PMH's schema demands of adminEmail (and all an address needs to reach someone).
EMAIL_PATTERN = re.compile(r"^\S+@(\S+\.)+\S+$")
# Development and demo sites only: production must name a real contact (checks.py).
DEMO_CONTACT = "luutru@example.org"


def admin_addresses() -> list[str]:
    """The addresses in ``settings.ADMINS`` ((name, address) pairs or plain addresses):
    who receives the fixity job's and the package checks' alerts."""
    return [entry if isinstance(entry, str) else entry[1] for entry in settings.ADMINS]


def configured_contacts() -> list[str]:
    """The archive's contact as configured: ``OAI_ADMIN_EMAILS``, else ``ADMINS``."""
    return [str(email) for email in get("OAI_ADMIN_EMAILS")] or admin_addresses()


def contact_emails() -> list[str]:
    """Identify's adminEmail: the configured contact, else the demo address."""
    return configured_contacts() or [DEMO_CONTACT]


def work_dir() -> Path:
    configured = get("WORK_DIR")
    path = Path(configured) if configured else Path(settings.VAR_DIR) / "archive-work"
    path.mkdir(parents=True, exist_ok=True)
    return path
