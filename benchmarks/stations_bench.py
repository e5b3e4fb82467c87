"""Shared harness of the stations benchmarks: a PostgreSQL database, gunicorn, nginx.

Everything listens on 127.0.0.1 only. Importing this module starts, creates and registers
nothing: a benchmark's ``main()`` calls ``atexit.register(PROCESSES.stop_all)`` (every
process started here is then stopped at exit), and the work folder is made at first use.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from devstack import ROOT
from devstack.nginx import NGINX
from devstack.ports import free_port, wait_port
from devstack.processes import Processes

PG = os.environ.get("BENCH_PG", "postgres://cms@127.0.0.1:54329")
DB_NAME = "stations_bench"
PROCESSES = Processes()


@functools.cache
def work() -> Path:
    """This run's scratch folder (made at the first call)."""
    return Path(tempfile.mkdtemp(prefix="stations-bench-"))


def media() -> Path:
    return work() / "media"


@functools.cache
def env() -> dict[str, str]:
    """The environment of the benchmark's processes (one dict, updated by the benchmarks)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.stations_settings",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "CMS_MEDIA_ROOT": str(media()),
        "PYTHONPATH": str(ROOT),
    }


def setup_django() -> None:
    """Create (once) and migrate the benchmark database, then set Django up in-process."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    for command in (["migrate", "-v0"], ["createcachetable"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env(), check=True, timeout=600
        )
    os.environ.update(
        {k: env()[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CMS_MEDIA_ROOT")}
    )
    import django

    django.setup()


def write_file(path: Path, size: int) -> str:
    """A file of ``size`` pseudo-random bytes; returns its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1024 * 1024)
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        remaining = size
        while remaining:
            chunk = block[: min(len(block), remaining)]
            handle.write(chunk)
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def make_stations(count: int, files: dict[str, int]) -> dict[str, Any]:
    """``count`` stations, one token each, and one ready package per file (name -> size)."""
    from django.db.models.functions import Now

    from cms.stations import tokens
    from cms.stations.models import (
        BroadcastPackage,
        BuildStatus,
        PackageBuild,
        PackageDelivery,
        Station,
    )
    from cms.taxonomy.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code="C2025-20-cao-loc")
    PackageDelivery.objects.all().delete()
    BroadcastPackage.objects.all().delete()
    Station.objects.filter(code__startswith="bench-").delete()
    stations = [
        Station.objects.create(
            name=f"Đài {n}",
            code=f"bench-{n}",
            kind="commune_radio",
            administrative_unit=unit,
            languages=["vi"],
        )
        for n in range(count)
    ]
    secrets = [tokens.issue(s).secret for s in stations]
    packages = {}
    for name, size in files.items():
        folder = f"stations/packages/bench/{name}"
        sha = write_file(media() / folder / f"{name}.zip", size)
        package = BroadcastPackage.objects.create(title=f"Gói {name}")
        build = PackageBuild.objects.create(
            package=package, variant_key=name, status=BuildStatus.READY, bag_name=name,
            folder=folder, zip_size=size, zip_sha256=sha, bag_sha256=sha,
        )  # fmt: skip
        PackageDelivery.objects.bulk_create(
            [PackageDelivery(package=package, station=s, build=build) for s in stations]
        )
        PackageDelivery.objects.filter(build=build).update(available_at=Now())
        packages[name] = {"id": package.pk, "sha256": sha, "size": size, "folder": folder}
    return {"tokens": secrets, "packages": packages}


def start_gunicorn(
    accel: bool, workers: int = 1, threads: int = 1
) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    process_env = {**env(), "BENCH_ACCEL": "1" if accel else "0"}
    args = [
        str(ROOT / ".venv/bin/gunicorn"), "cms.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads), "--timeout", "300",
        "--log-level", "warning",
    ]  # fmt: skip
    process = PROCESSES.add(
        subprocess.Popen(args, cwd=ROOT, env=process_env, stdout=subprocess.DEVNULL)
    )
    wait_port(port, process)
    return port, process


NGINX_CONF = """
daemon off;
user {user};
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/cb; proxy_temp_path {tmp}/pt; fastcgi_temp_path {tmp}/ft;
    uwsgi_temp_path {tmp}/ut; scgi_temp_path {tmp}/st;
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 10000;
    upstream app {{ server 127.0.0.1:{upstream}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        location /_protected/ {{ internal; alias {media}/; etag off;
                                 add_header ETag $upstream_http_etag always; }}
        location /direct/ {{ alias {media}/; }}
        location / {{ proxy_pass http://app; proxy_http_version 1.1;
                      proxy_set_header Connection ""; proxy_set_header Host $http_host; }}
    }}
}}
"""


def start_nginx(upstream: int) -> int:
    import getpass

    tmp = work() / f"nginx-{upstream}"
    tmp.mkdir()
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            tmp=tmp, port=port, media=media(), upstream=upstream, user=getpass.getuser()
        )
    )
    process = PROCESSES.add(
        subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")])
    )
    wait_port(port, process)
    return port
