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

from cms.media import file_responses

DEFAULTS: dict[str, Any] = {
    # How files are handed over (ACCEL_REDIRECT_PREFIX, PRESIGNED_URL_SECONDS, CHUNK_BYTES):
    # read by cms.media.file_responses for every stored file the site serves.
    **file_responses.DEFAULTS,
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
    # nchan's publisher location (loopback only), e.g. "http://127.0.0.1/_push/pub/"; None =
    # no push: stations are not told of a push channel and keep polling (see push.py).
    "PUSH_PUBLISH_URL": None,
    # Seconds to wait for nchan when publishing (after commit, in the build worker).
    "PUSH_PUBLISH_TIMEOUT": 5.0,
}


def get(name: str) -> Any:
    """One setting, from ``settings.CMS_STATIONS`` or the default above."""
    return getattr(settings, "CMS_STATIONS", {}).get(name, DEFAULTS[name])
