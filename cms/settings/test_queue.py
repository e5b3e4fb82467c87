"""The test settings with the production task queue (django-tasks' database backend), for
real ``manage.py db_worker`` processes started by tests and benchmarks. ``CMS_MEDIA_ROOT``
names the media directory they share with the process that started them."""

import os
from pathlib import Path

from .test import *

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "media"],
    }
}
MEDIA_ROOT = Path(os.environ["CMS_MEDIA_ROOT"])
