"""The whole production setup on loopback, from this checkout (``Stack``): what
``scripts/prod_local.py`` runs until Ctrl-C and the load benchmark starts and stops.

All on 127.0.0.1 and all with ``DJANGO_SETTINGS_MODULE=cms.settings.production`` and the
environment of ``deploy/cms.env.example``: its own PostgreSQL cluster
(``scripts/test-postgres.sh``), a moto S3 server with the media bucket, ``migrate``,
``createcachetable``, ``collectstatic``, ``load_demo``, gunicorn with
``deploy/gunicorn.conf.py``, nginx with ``deploy/nginx/cms.conf`` (``devstack.nginx``) and a
self-signed certificate, task workers and the frequent scheduled jobs of
``deploy/systemd/*.timer``. ``start()`` then ``stop()``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from devstack import ROOT
from devstack.nginx import NGINX, nginx_main, nginx_site, self_signed
from devstack.ports import free_port, wait_port

BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
# Fixed names (not mkdtemp): a restart finds and replaces the previous run's files.
DEFAULT_WORK = Path("/tmp/cms-prod-local")
STATE = "stack.json"
BUCKET = "cms-media"
ENV_PREFIXES = ("DJANGO_", "CMS_", "DATABASE_URL", "AWS_", "PYTHONPATH", "NO_PROXY")
# The frequent timers of deploy/systemd (service name, seconds between runs).
SCHEDULE = (("cms-carriage", 60.0), ("cms-requeue", 300.0))


@dataclass
class Stack:
    """The whole production setup; ``start()`` returns once every part answers."""

    work: Path = DEFAULT_WORK
    pg_port: int = 54340
    https_port: int = 0
    http_port: int = 0
    app_port: int = 0
    s3_port: int = 0
    workers: int = 2
    # `nice` for the workers and their ffmpeg children (10, as Nice=10 in cms-worker@.service).
    worker_nice: int = 10
    web_processes: int | None = None
    demo: bool = True
    scheduler: bool = True
    quiet: bool = False
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    admin_password: str = ""
    totp_key: str = ""
    _logs: list[IO[bytes]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _pg_env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def var(self) -> Path:
        return self.work / "var"

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def start(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if self.work.exists():
            shutil.rmtree(self.work)
        for folder in (self.logs, self.var, self.work / "nginx", self.work / "cache"):
            folder.mkdir(parents=True)
        self.https_port = self.https_port or free_port()
        self.http_port = self.http_port or free_port()
        self.app_port = self.app_port or free_port()
        self.s3_port = self.s3_port or free_port()
        self.say(f"PostgreSQL on 127.0.0.1:{self.pg_port} …")
        self._pg_env = {
            **os.environ,
            "CMS_TEST_PGPORT": str(self.pg_port),
            "CMS_TEST_PGDATA": f"/tmp/cms-prod-local-pg-{self.pg_port}",
        }
        database = subprocess.run(
            [str(ROOT / "scripts" / "test-postgres.sh"), "start"],
            env=self._pg_env, check=True, capture_output=True, text=True, timeout=120,
        ).stdout.splitlines()[0]  # fmt: skip
        self.say(f"S3 (moto) on 127.0.0.1:{self.s3_port} …")
        self._spawn("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)])
        wait_port(self.s3_port, self.processes["s3"])
        self.env = self._environment(database)
        self._make_bucket()
        for command in (
            ["migrate", "-v0"],
            ["createcachetable"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            self.say(f"manage.py {' '.join(command)} …")
            self.manage(*command)
        if self.demo:
            self.say("manage.py load_demo …")
            self.manage("load_demo")
            self.admin_password = json.loads(
                (self.var / "demo-credentials.json").read_text(encoding="utf-8")
            )["password"]
            self.totp_key = self._totp_device("admin")
        self.say(f"gunicorn on 127.0.0.1:{self.app_port} …")
        web_env = {"CMS_BIND": f"127.0.0.1:{self.app_port}"}
        if self.web_processes:
            web_env["CMS_WEB_PROCESSES"] = str(self.web_processes)
        self._spawn(
            "gunicorn",
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "cms.wsgi"],
            web_env,
        )
        wait_port(self.app_port, self.processes["gunicorn"], 60)
        for n in range(1, self.workers + 1):
            self._spawn(
                f"worker-{n}",
                [
                    *(["nice", "-n", str(self.worker_nice)] if self.worker_nice else []),
                    str(PYTHON), "manage.py", "db_worker", "--queue-name", "*", "--no-reload",
                    "--worker-id", f"prod-local-{n}",
                ],
            )  # fmt: skip
        self._start_nginx()
        if self.scheduler:
            threading.Thread(target=self._schedule, daemon=True).start()
        (self.work / STATE).touch(mode=0o600)
        (self.work / STATE).write_text(
            json.dumps(
                {
                    "base_url": self.base_url,
                    "totp_key": self.totp_key,
                    "admin_password": self.admin_password,
                    "cert": str(self.work / "ssl" / "fullchain.pem"),
                    # For clients attaching to this run (the load benchmark); 0600, in /tmp.
                    "env": {k: v for k, v in self.env.items() if k.startswith(ENV_PREFIXES)},
                }
            ),
            encoding="utf-8",
        )

    def _environment(self, database: str) -> dict[str, str]:
        """deploy/cms.env.example, filled in for loopback."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CMS_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "cms.settings.production",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_CSRF_TRUSTED_ORIGINS": self.base_url,
                "DATABASE_URL": database,
                "CMS_BASE_URL": self.base_url,
                "CMS_VAR_DIR": str(self.var),
                "CMS_S3_BUCKET": BUCKET,
                "CMS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
                "CMS_S3_REGION": "us-east-1",
                # moto accepts any key pair; these are not secrets.
                "AWS_ACCESS_KEY_ID": "prod-local",
                "AWS_SECRET_ACCESS_KEY": "prod-local",
                "CMS_ACCEL_REDIRECT_PREFIX": "",
                "CMS_STATIONS_ALERT_EMAILS": "",
                "EMAIL_HOST": "127.0.0.1",
                "DJANGO_ADMINS": "quantri@example.org",
                "CMS_ARCHIVE_OAI_ADMIN_EMAILS": "luutru@example.org",
                "DEFAULT_FROM_EMAIL": "cms@localhost",
                "CMS_2FA_REQUIRED": "1",
                "PYTHONPATH": str(ROOT),
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env.pop(name, None)
        return env

    def manage(self, *args: str, timeout: float = 1800) -> str:
        result = subprocess.run(
            [str(PYTHON), "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def _make_bucket(self) -> None:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=self.env["CMS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="prod-local",
            aws_secret_access_key="prod-local",
        )
        client.create_bucket(Bucket=BUCKET)

    def _totp_device(self, username: str) -> str:
        key = secrets.token_hex(20)
        self.manage(
            "shell",
            "-c",
            "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
            "from cms.security.two_factor import DEVICE_NAME\n"
            "from cms.users.models import User\n"
            f"user = User.objects.get(username={username!r})\n"
            "TOTPDevice.objects.filter(user=user).delete()\n"
            f"TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key={key!r}, "
            "confirmed=True)\n",
        )
        return key

    def _spawn(self, name: str, args: list[str], extra: dict[str, str] | None = None) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self._logs.append(log)
        env = {**(self.env or os.environ), **(extra or {})}
        self.processes[name] = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def _start_nginx(self) -> None:
        tmp = self.work / "nginx"
        site = nginx_site(
            upstream=self.app_port,
            http=self.http_port,
            https=self.https_port,
            var=self.var,
            certs=self.work / "ssl",
            cache=self.work / "cache",
            logs=self.logs,
        )
        self_signed(self.work / "ssl")
        conf = tmp / "nginx.conf"
        conf.write_text(nginx_main(site, tmp), encoding="utf-8")
        self.say(f"nginx on 127.0.0.1:{self.https_port} (HTTPS) and :{self.http_port} …")
        self._spawn("nginx", [NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")])
        wait_port(self.https_port, self.processes["nginx"])

    def _schedule(self) -> None:
        """The frequent systemd timers: their services' manage.py commands, on time."""
        commands: list[tuple[str, list[str], float]] = []
        for service, interval in SCHEDULE:
            unit = (ROOT / "deploy" / "systemd" / f"{service}.service").read_text("utf-8")
            line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
            commands.append((service, line.split("manage.py", 1)[1].split(), interval))
        due = {service: time.monotonic() + 5 for service, _, _ in commands}
        with (self.logs / "scheduler.log").open("a", encoding="utf-8") as log:
            while not self._stop.wait(1.0):
                for service, args, interval in commands:
                    if time.monotonic() < due[service]:
                        continue
                    due[service] = time.monotonic() + interval
                    result = subprocess.run(
                        [str(PYTHON), "manage.py", *args],
                        cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600,
                    )  # fmt: skip
                    log.write(
                        json.dumps(
                            {
                                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                "service": service,
                                "returncode": result.returncode,
                                "output": (result.stdout + result.stderr)[-2000:],
                            },
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                    log.flush()

    def stop_process(self, name: str, timeout: float = 60) -> None:
        """SIGTERM one part (its whole process group) and wait; SIGKILL if it hangs."""
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop(self) -> None:
        self._stop.set()
        order = ["nginx", "gunicorn", *sorted(n for n in self.processes if n.startswith("worker"))]
        for name in [*order, *(n for n in self.processes if n not in order)]:
            self.stop_process(name)
        if self._pg_env:
            subprocess.run(
                [str(ROOT / "scripts" / "test-postgres.sh"), "stop"],
                env=self._pg_env, capture_output=True, timeout=120,
            )  # fmt: skip
            self._pg_env = {}
        for log in self._logs:
            log.close()
        self._logs.clear()

    def summary(self) -> str:
        return "\n".join(
            [
                f"Public site:  {self.base_url}/vi/   (self-signed certificate: curl -k)",
                f"Admin:        {self.base_url}/admin/   user admin, password "
                f"{self.admin_password}",
                f"Second factor: TOTP key (hex) {self.totp_key}; current code: "
                f"{sys.executable} -m scripts.prod_local code --work {self.work}",
                f"HTTP → HTTPS: http://127.0.0.1:{self.http_port}/",
                f"Health:       {self.base_url}/healthz",
                f"S3 (moto):    {self.env.get('CMS_S3_ENDPOINT_URL')} bucket {BUCKET}",
                f"PostgreSQL:   {self.env.get('DATABASE_URL')}",
                f"Logs (JSON):  {self.logs}/",
            ]
        )
