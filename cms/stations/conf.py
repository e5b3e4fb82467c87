"""Settings of the stations app, read from ``settings.CMS_STATIONS`` with defaults here.

Example (production)::

    CMS_STATIONS = {
        "ACCEL_REDIRECT_PREFIX": "/_protected/",   # nginx serves the bytes
        "ALERT_EMAILS": ["truc-ban@stttt.example.vn"],
    }
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # nginx ``internal`` location aliasing MEDIA_ROOT; None = the app streams the bytes itself.
    "ACCEL_REDIRECT_PREFIX": None,
    # Lifetime of a presigned S3 URL handed to a station (seconds).
    "PRESIGNED_URL_SECONDS": 300,
    # Failed token attempts per client IP and window before answering 429.
    "AUTH_FAILURE_LIMIT": 20,
    "AUTH_FAILURE_WINDOW_SECONDS": 600,
    # Default lifetime of a new station token (days).
    "TOKEN_LIFETIME_DAYS": 365,
    # Emergency packages not downloaded (verified) within this time are flagged and e-mailed.
    "EMERGENCY_DOWNLOAD_MINUTES": 15,
    # Who gets the overdue-emergency e-mail (besides nobody): provincial duty officers.
    "ALERT_EMAILS": [],
    # Peers whose X-Forwarded-For is trusted for the client IP (the nginx in front).
    "TRUSTED_PROXIES": ["127.0.0.1", "::1"],
    # How long a station's package list response is kept in the default cache (seconds; 0
    # = never). Safe at any length: its key holds ``Station.list_version``, read from the
    # database with the token on every request, so any change is seen on the next poll.
    "LIST_CACHE_SECONDS": 300,
    # Package list page size limit.
    "MAX_PAGE_SIZE": 200,
    # Chunk size of app-served downloads: memory stays at one chunk whatever the file size.
    "CHUNK_BYTES": 256 * 1024,
    # nchan's publisher location (loopback only), e.g. "http://127.0.0.1/_push/pub/"; None =
    # no push: stations are not told of a push channel and keep polling (see push.py).
    "PUSH_PUBLISH_URL": None,
    # Seconds to wait for nchan when publishing (after commit, in the build worker).
    "PUSH_PUBLISH_TIMEOUT": 5.0,
}


def get(name: str) -> Any:
    """One setting, from ``settings.CMS_STATIONS`` or the default above."""
    return getattr(settings, "CMS_STATIONS", {}).get(name, DEFAULTS[name])
