"""Production settings read secrets from the environment and refuse to start without them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "q7Vn-2kLx9Rm_Tz4Hb8Wc1Yd6Fg3Js5Np0Qa-Ue7Ir2Ot9Ly4Mk8Xh1Zs6Cv3Bw"
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "cms.example.vn",
    "DATABASE_URL": "postgres://cms@127.0.0.1:5432/cms",
}


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
            "DJANGO_SECRET_KEY": STRONG_KEY,
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
            "DJANGO_SECRET_KEY": STRONG_KEY,
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


def load_production(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the production settings with this environment (as gunicorn would)."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CMS_"))
    }
    clean.update({**PRODUCTION, **env})
    script = "from django.conf import settings; settings.SECRET_KEY; print('started')"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


WEAK = {
    "secret_key": [
        {"DJANGO_SECRET_KEY": "x"},
        {"DJANGO_SECRET_KEY": "ab" * 40},
        {"DJANGO_SECRET_KEY": "django-insecure-" + STRONG_KEY},
    ],
    "hosts": [{"DJANGO_ALLOWED_HOSTS": "*"}, {"DJANGO_ALLOWED_HOSTS": "cms.example.vn,*"}],
    "2fa": [{"CMS_2FA_REQUIRED": "0"}],
    "hsts": [{"DJANGO_HSTS_SECONDS": "0"}, {"DJANGO_HSTS_SECONDS": "86400"}],
}


def test_production_starts_with_strong_values() -> None:
    result = load_production()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
    assert "Insecure" not in result.stderr


def test_production_refuses_each_weak_value_with_a_clear_message() -> None:
    for check, variants in WEAK.items():
        for env in variants:
            result = load_production(**env)
            assert result.returncode != 0, (check, env)
            assert "ImproperlyConfigured" in result.stderr, (check, env)
            assert f"CMS_ALLOW_INSECURE={check}" in result.stderr, (check, env)
            assert "started" not in result.stdout


def test_an_explicit_override_relaxes_only_the_named_check_and_warns() -> None:
    relaxed = load_production(DJANGO_ALLOWED_HOSTS="*", CMS_ALLOW_INSECURE="hosts")
    assert relaxed.returncode == 0, relaxed.stderr
    assert "Insecure production setting accepted (CMS_ALLOW_INSECURE=hosts)" in relaxed.stderr
    # naming one check does not relax another
    other = load_production(
        DJANGO_ALLOWED_HOSTS="*", DJANGO_SECRET_KEY="x", CMS_ALLOW_INSECURE="hosts"
    )
    assert other.returncode != 0 and "CMS_ALLOW_INSECURE=secret_key" in other.stderr
    everything = load_production(
        DJANGO_SECRET_KEY="x",
        DJANGO_ALLOWED_HOSTS="*",
        CMS_2FA_REQUIRED="0",
        DJANGO_HSTS_SECONDS="0",
        CMS_ALLOW_INSECURE="secret_key, hosts,2fa,hsts",
    )
    assert everything.returncode == 0, everything.stderr
    assert everything.stderr.count("Insecure production setting accepted") == 4
    typo = load_production(CMS_ALLOW_INSECURE="host")
    assert typo.returncode != 0 and "unknown checks ['host']" in typo.stderr
