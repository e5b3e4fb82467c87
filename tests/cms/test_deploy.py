"""The production files in deploy/ are valid for the real programs that read them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


def test_nginx_accepts_the_site_configuration(tmp_path: Path) -> None:
    certs = tmp_path / "ssl"
    certs.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=cms.test", "-keyout", str(certs / "privkey.pem"),
            "-out", str(certs / "fullchain.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = (ROOT / "deploy" / "nginx" / "cms.conf").read_text(encoding="utf-8")
    assert "/etc/ssl/cms/" in site
    site = site.replace("/etc/ssl/cms/", f"{certs}/")
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        "pid nginx.pid;\nerror_log logs/error.log;\nevents {}\n"
        "http {\n include /etc/nginx/mime.types;\n access_log off;\n"
        f"{site}\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_gunicorn_accepts_its_configuration() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "CMS_WEB_PROCESSES": "2",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c", "deploy/gunicorn.conf.py", "--check-config", "cms.wsgi",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_timer_has_its_service_and_runs_an_existing_command() -> None:
    from django.core.management import get_commands

    units = ROOT / "deploy" / "systemd"
    timers = sorted(units.glob("*.timer"))
    assert {t.stem for t in timers} >= {"cms-carriage", "cms-export", "cms-fixity", "cms-backup"}
    commands = get_commands()
    for timer in timers:
        service = timer.with_suffix(".service").read_text(encoding="utf-8")
        line = next(x for x in service.splitlines() if x.startswith("ExecStart="))
        command = line.split("manage.py", 1)[1].split()[0]
        assert command in commands, f"{timer.name} runs unknown command {command}"
