"""Settings for the media throughput benchmark: the test settings with the real database task
queue (``django_tasks_db``, as in production) so that ``manage.py db_worker`` runs the jobs."""

import os

from cms.settings.test import *  # noqa: F403

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "media"],
    }
}
MEDIA_ROOT = Path(os.environ["CMS_MEDIA_ROOT"])  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
