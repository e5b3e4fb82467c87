"""A worker killed mid-transcode: no partial file visible, master intact, the job runs again.

Real parts only: PostgreSQL, ``manage.py db_worker`` processes (the production task queue)
and ffmpeg. The worker and its ffmpeg are killed with SIGKILL, as the kernel's OOM killer or
a power cut would.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from media_pipeline.hashing import sha256_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[3]


def worker_env(media_root: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test_queue",
        "DATABASE_URL": url,
        "CMS_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(ROOT),
    }


def start_worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "media", "--no-reload", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL reaches ffmpeg too
    )


def test_killed_worker_leaves_nothing_and_the_job_is_run_again(
    settings: Any, media_root: Path, tmp_path: Path
) -> None:
    from cms.media.models import MediaRendition, RenditionStatus
    from cms.media.renditions import requeue_stale
    from cms.media.tasks import render_rendition
    from cms.media.uploads import master_from_file

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "media"],
        }
    }
    # 20 minutes of speech-band tone: long enough to be killed mid-way on any machine.
    source = tmp_path / "bản tin dài.wav"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-f", "lavfi",
            "-i", "sine=frequency=330:sample_rate=48000:duration=1200",
            "-ac", "1", "-c:a", "pcm_s16le", str(source),
        ],
        check=True, timeout=120,
    )  # fmt: skip
    master = master_from_file(source, "Bản tin dài", "vi")
    master_path = Path(master.file.path)
    master_digest = sha256_file(master_path)
    rendition = MediaRendition.objects.create(
        master=master, profile="loudspeaker", key="killed-worker-test"
    )
    render_rendition.enqueue(rendition.pk)

    env = worker_env(media_root)
    worker = start_worker(env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            rendition.refresh_from_db()
            if rendition.status == RenditionStatus.RUNNING:
                break
            assert worker.poll() is None, "the worker exited on its own"
            time.sleep(0.2)
        assert rendition.status == RenditionStatus.RUNNING
        time.sleep(1.5)  # ffmpeg is measuring or encoding now
        rendition.refresh_from_db()
        assert rendition.status == RenditionStatus.RUNNING, "finished before it could be killed"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.RUNNING, "the dead worker could not say so"
    visible = [p for p in media_root.rglob("*") if p.is_file() and "renditions" in p.parts]
    assert visible == [], f"partial output visible: {visible}"
    assert sha256_file(master_path) == master_digest, "the master was modified"

    # A fresh heartbeat keeps a live job from being taken away ...
    assert requeue_stale(datetime.timedelta(minutes=5)) == ([], [])
    # ... a silent one is run again.
    requeued, failed = requeue_stale(datetime.timedelta(seconds=0))
    assert requeued == [rendition.pk] and failed == []
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.PENDING

    finisher = start_worker(env, "--batch")
    assert finisher.wait(timeout=600) == 0
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.DONE, rendition.error_detail
    output = Path(rendition.file.path)
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration",
             "-of", "json", str(output)],
            check=True, capture_output=True, timeout=60,
        ).stdout
    )  # fmt: skip
    assert probe["streams"][0]["codec_name"] == "mp3"
    assert abs(float(probe["format"]["duration"]) - 1200) < 0.5
    assert sha256_file(master_path) == master_digest
