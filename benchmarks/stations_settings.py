"""Settings for the stations benchmarks: the test settings, X-Accel switched by environment."""

import os

from cms.settings.test import *  # noqa: F403

CMS_STATIONS = {
    "ACCEL_REDIRECT_PREFIX": "/_protected/" if os.environ.get("BENCH_ACCEL") == "1" else None,
    "AUTH_FAILURE_LIMIT": 1000,
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
