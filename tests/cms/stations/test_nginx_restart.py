"""Fault: nginx is restarted (or reloaded) while a station's sync client is downloading.

A real nginx (X-Accel-Redirect after the app's token check) in front of the live site,
throttled with ``limit_rate`` so one 12 MB file of the package takes about six seconds. The
real client (``python -m station_sync``, a subprocess) downloads the package; once its
``.part`` file holds a megabyte, the test acts on nginx:

* restart: SIGTERM to the master (nginx's fast shutdown: open connections are closed), wait
  for it to exit, start a new master on the same port. The client must retry in the same
  run and resume with ``Range: bytes=<its partial size>-`` (nginx logs a 206 starting exactly
  there), not start over;
* reload: ``nginx -s reload``. The old worker finishes the transfer it is serving, so the
  client gets the file in the one request it made.

Either way the file's SHA-256 matches the package's manifest, the receipt is confirmed
exactly once, and no partial file is left under a final name.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.cache import cache

from cms.stations.models import AuditAction, AuditLog, PackageDelivery

from .conftest import NGINX, NGINX_CONF, add_rendition, env_without_proxy, ffmpeg, free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[3]
RATE = 2 * 1024 * 1024  # bytes per second and connection
CUT_AFTER = 1024 * 1024  # act on nginx once the client holds this much of the big file
BIG_SECONDS = 130  # mono 48 kHz 16-bit: about 12.5 MB

# The fixture's configuration, plus: a log line per request with its status, Range header
# and bytes sent; the throttle on the protected location; notices (reloads) in the error log.
LOG_FORMAT = "log_format faults '$request_uri|$status|$http_range|$body_bytes_sent';\n"


def restart_conf() -> str:
    access = "    access_log {tmp}/access.log;"
    conf = NGINX_CONF.replace(access, f"    {LOG_FORMAT}{access[:-1]} faults;")
    conf = conf.replace("etag off;", "etag off;\n            limit_rate " + str(RATE) + ";")
    conf = conf.replace("error_log {tmp}/error.log warn;", "error_log {tmp}/error.log notice;")
    assert conf.count("faults") == 2 and "limit_rate" in conf and "notice" in conf
    return conf


class Nginx:
    """A real nginx master on a fixed port that can be stopped, started again and reloaded."""

    def __init__(self, tmp: Path, media: Path, upstream: str) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = tmp / "nginx.conf"
        self.conf.write_text(
            restart_conf().format(
                tmp=tmp, port=self.port, media=media, upstream=upstream, user=getpass.getuser()
            ),
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.masters: list[int] = []

    def command(self, *extra: str) -> list[str]:
        return [NGINX, "-c", str(self.conf), "-p", str(self.tmp), "-e", str(self.tmp / "error.log"),
                *extra]  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.masters.append(self.process.pid)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {self.error_log()}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """nginx's fast shutdown (SIGTERM to the master): connections are closed at once."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def reload(self) -> None:
        subprocess.run(self.command("-s", "reload"), check=True, timeout=20, capture_output=True)

    def error_log(self) -> str:
        path = self.tmp / "error.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def requests_for(self, name: str) -> list[tuple[str, int, str, int]]:
        """(uri, status, Range header, body bytes) of every logged request for a file."""
        rows = []
        for line in (self.tmp / "access.log").read_text("utf-8").splitlines():
            uri, status, byte_range, sent = line.rsplit("|", 3)
            if unquote(uri).endswith("/" + name):
                rows.append((uri, int(status), "" if byte_range == "-" else byte_range, int(sent)))
        return rows


@pytest.fixture
def throttled_nginx(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[Nginx]:
    assert Path(NGINX).exists(), "nginx is not installed"
    tmp = tmp_path / "nginx"
    tmp.mkdir()
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    settings.CMS_STATIONS = {"ACCEL_REDIRECT_PREFIX": "/_protected/"}
    server = Nginx(tmp, media, live_server.url)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def big_package(
    make_item: Any, make_station: Any, make_package: Any, release: Any, units: Any, token_for: Any,
    tmp_path: Path,
) -> dict[str, Any]:  # fmt: skip
    """A package for one station whose broadcast WAV is about 12 MB."""
    cache.clear()
    page = make_item("Phòng chống lũ quét ở vùng cao")
    big = tmp_path / "big.broadcast.wav"
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=330:duration={BIG_SECONDS}:sample_rate=48000",
           "-ac", "1", "-c:a", "pcm_s16le", str(big))  # fmt: skip
    add_rendition(page.audio, "broadcast", big, duration=float(BIG_SECONDS))
    station = make_station("xa-cao-loc", unit="cao_loc")
    [delivery] = release(make_package("Gói lũ quét", [page], units=[units["cao_loc"]]))
    assert delivery.build.status == "ready", delivery.build.error
    entry = max(delivery.build.files, key=lambda f: f["size"])
    assert entry["path"].endswith(".wav") and entry["size"] > 10 * CUT_AFTER
    return {"delivery": delivery, "entry": entry, "token": token_for(station)}


def start_sync(base: str, token: str, dest: Path) -> subprocess.Popen[str]:
    env = env_without_proxy()
    env["STATION_SYNC_TOKEN"] = token
    # Eight attempts with 0.5 s doubling backoff: about a minute for nginx to come back,
    # far more than it needs (a restart takes well under a second).
    return subprocess.Popen(
        [sys.executable, "-m", "station_sync", "sync", "--url", base, "--dest", str(dest),
         "--backoff", "0.5", "--max-attempts", "8", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_part(dest: Path, entry: dict[str, Any], client: subprocess.Popen[str]) -> Path:
    """The client's partial file of ``entry`` once it holds ``CUT_AFTER`` bytes."""
    name = f".{Path(entry['path']).name}.part"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert client.poll() is None, client.communicate()
        for part in (dest / ".incoming").rglob(name) if (dest / ".incoming").exists() else ():
            if part.stat().st_size >= CUT_AFTER:
                return part
        time.sleep(0.02)
    raise AssertionError("the client never got a megabyte of the big file")


def finish(client: subprocess.Popen[str]) -> str:
    try:
        _, stderr = client.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        client.kill()
        _, stderr = client.communicate()
        raise AssertionError(f"the sync client did not finish: {stderr}") from None
    assert client.returncode == 0, stderr
    return stderr


def check_delivered(dest: Path, package: dict[str, Any]) -> None:
    delivery = PackageDelivery.objects.select_related("build").get(pk=package["delivery"].pk)
    build = delivery.build
    bag = dest / build.bag_name
    for entry in build.files:
        path = bag / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
    assert not list(dest.rglob("*.part")), "a partial file was left behind"
    incoming = dest / ".incoming"
    assert not incoming.exists() or not any(p.is_file() for p in incoming.rglob("*"))
    assert delivery.received_at is not None
    assert delivery.received_sha256 == build.bag_sha256
    confirmations = AuditLog.objects.filter(
        action=AuditAction.CONFIRM_RECEIPT, package_id=delivery.package_id
    )
    assert confirmations.count() == 1


def test_nginx_restarted_mid_download_client_resumes_with_range(
    throttled_nginx: Nginx, big_package: dict[str, Any], tmp_path: Path
) -> None:
    dest = tmp_path / "dai"
    entry = big_package["entry"]
    client = start_sync(throttled_nginx.url, big_package["token"], dest)
    try:
        part = wait_for_part(dest, entry, client)
        throttled_nginx.stop()  # a real stop: the master and its worker are gone
        held = part.stat().st_size  # what the client kept when its connection died
        assert CUT_AFTER <= held < entry["size"], "nginx was stopped after the file was complete"
        throttled_nginx.start()  # a new master on the same port
    finally:
        stderr = finish(client)
    assert len(set(throttled_nginx.masters)) == 2

    served = throttled_nginx.requests_for(entry["path"])
    # nginx's fast shutdown does not log the request it cut; the new master served one 206
    # from the exact size of the partial file, carrying the rest, and never the whole file.
    resumed = [row for row in served if row[1] == 206]
    assert [(status, byte_range) for _, status, byte_range, _ in resumed] == [
        (206, f"bytes={held}-")
    ], served
    assert resumed[0][3] == entry["size"] - held, served  # the rest, not the whole file again
    assert not [row for row in served if row[1] == 200 and row[3] == entry["size"]], served
    # The app saw the same: the resumed request asked for a range from the partial size.
    ranges = list(
        AuditLog.objects.filter(
            action=AuditAction.DOWNLOAD_FILE,
            package_id=big_package["delivery"].package_id,
            detail__file=entry["path"],
        )
        .order_by("pk")
        .values_list("detail__range", flat=True)
    )
    assert ranges == ["", f"bytes={held}-"]
    assert "thử lại" in stderr  # the client logged its retry
    check_delivered(dest, big_package)


def test_nginx_reloaded_mid_download_transfer_completes(
    throttled_nginx: Nginx, big_package: dict[str, Any], tmp_path: Path
) -> None:
    dest = tmp_path / "dai"
    entry = big_package["entry"]
    client = start_sync(throttled_nginx.url, big_package["token"], dest)
    try:
        part = wait_for_part(dest, entry, client)
        throttled_nginx.reload()
        held = part.stat().st_size
        assert held < entry["size"], "nginx was reloaded after the file was complete"
    finally:
        finish(client)
    errors = throttled_nginx.error_log()
    assert "reconfiguring" in errors  # the reload really happened, mid-transfer
    assert throttled_nginx.process is not None and throttled_nginx.process.poll() is None
    served = throttled_nginx.requests_for(entry["path"])
    # The old worker finished what it was sending: one request, the whole file.
    assert [(status, byte_range, sent) for _, status, byte_range, sent in served] == [
        (200, "", entry["size"])
    ], served
    check_delivered(dest, big_package)
    assert (
        os.path.getsize(dest / big_package["delivery"].build.bag_name / entry["path"])
        == (entry["size"])
    )
