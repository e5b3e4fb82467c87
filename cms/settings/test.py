"""Tests: PostgreSQL from DATABASE_URL (started by `make test`), fast hashing."""

import os
from pathlib import Path

from .base import *

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = Path(os.environ.get("CMS_MEDIA_ROOT", VAR_DIR / "test-media"))
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "media"],
    }
}
# Masters created by fixtures do not start transcoding; the rendition tests plan and run
# jobs explicitly, with real ffmpeg, so every other test stays fast.
CMS_MEDIA = {**CMS_MEDIA, "AUTO_RENDER": False}
