"""Production settings read secrets from the environment and refuse to start without them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "cms.settings.production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_check_deploy_is_clean_with_sample_environment() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": "x" * 20 + "-sample-secret-for-check-deploy-" + "y" * 20,
            "DJANGO_ALLOWED_HOSTS": "cms.example.vn",
            "DATABASE_URL": "postgres://cms@127.0.0.1:5432/cms",
            "CMS_S3_BUCKET": "media",
            "CMS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "DJANGO_ADMINS": "quantri@example.vn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_logs_are_one_json_object_per_line() -> None:
    import json

    script = (
        "import logging, django; django.setup(); "
        "logging.getLogger('cms.test').warning('Đài xã %s đã nhận gói', 'Đồng Đăng')"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "cms.example.vn",
            "DATABASE_URL": "postgres://cms@127.0.0.1:5432/cms",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["logger"] == "cms.test"
    assert record["message"] == "Đài xã Đồng Đăng đã nhận gói"
    assert "time" in record
