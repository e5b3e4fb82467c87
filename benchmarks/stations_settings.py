"""Settings for the stations benchmarks: the test settings, X-Accel and cache by environment."""

import os

from cms.settings.test import *  # noqa: F403

CMS_STATIONS = {
    "ACCEL_REDIRECT_PREFIX": "/_protected/" if os.environ.get("BENCH_ACCEL") == "1" else None,
    "AUTH_FAILURE_LIMIT": 1000,
    # nchan's publisher (benchmarks.stations_push_bench); unset: no push.
    "PUSH_PUBLISH_URL": os.environ.get("BENCH_PUSH_URL") or None,
}
if os.environ.get("BENCH_CACHE") == "db":  # as in production (cms.settings.production)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cms_cache",
        }
    }
LOGGING = {"version": 1, "disable_existing_loggers": False}
