"""Settings of the real ``db_worker`` processes started by tests: the test settings with the
production task queue (django-tasks' database backend)."""

import os

from cms.settings.test import *  # noqa: F403

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "media"],
    }
}
MEDIA_ROOT = Path(os.environ["CMS_MEDIA_ROOT"])  # noqa: F405
