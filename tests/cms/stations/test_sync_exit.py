"""The sync client ends cleanly and honours Retry-After (issue 16, section 2).

The real client runs as a subprocess (``python -m station_sync``) against a tiny local
HTTP server on 127.0.0.1: a down server, 429/503 with ``Retry-After`` (seconds and
HTTP-date), and SIGINT in the middle of a download the server trickles. The end is one
Vietnamese line on stderr, no traceback, and the documented exit code (see
``station_sync/cli.py`` and docs/stations.md). No Django involved.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from station_sync import cli
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[3]
API = "/api/stations/v1"
BODY = bytes(range(256)) * 2048  # 512 KiB
DIGEST = hashlib.sha256(BODY).hexdigest()
TOKEN = "st_test_token"


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers the station API from ``script``: a list of (status, headers) for the package
    list, consumed in order (the last one repeats); one package of one file, trickled."""

    script: ClassVar[list[tuple[int, dict[str, str]]]] = []
    seen: ClassVar[list[tuple[float, str]]] = []
    streaming = threading.Event()
    offer_package = True
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def send_json(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).seen.append((time.monotonic(), self.path))
        base = f"http://{self.headers['Host']}{API}"
        if self.path.startswith(f"{API}/packages?"):
            status, headers = self.script[0] if len(self.script) == 1 else self.script.pop(0)
            if status != 200:
                self.send_json(status, {"error": "busy"}, headers)
                return
            if not self.offer_package:
                self.send_json(200, {"packages": [], "next_cursor": None, "has_more": False,
                                     "emergency_pending": False})  # fmt: skip
                return
            summary = {"id": 1, "title": "Tin lũ", "bulletin_class": "emergency",
                       "manifest_url": f"{base}/packages/1"}  # fmt: skip
            self.send_json(200, {"packages": [summary], "next_cursor": "c1", "has_more": False,
                                 "emergency_pending": True})  # fmt: skip
        elif self.path == f"{API}/packages/1":
            self.send_json(200, {
                "bag": {"name": "goi-1"},
                "files": [{"path": "data/vi/tin.wav", "size": len(BODY), "sha256": DIGEST,
                           "url": f"{base}/packages/1/files/data/vi/tin.wav"}],
                "receipt_url": f"{base}/packages/1/receipt",
            })  # fmt: skip
        elif self.path.startswith(f"{API}/packages/1/files/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            for start in range(0, len(BODY), 4096):  # a weak link: 4 KiB every 50 ms
                try:
                    self.wfile.write(BODY[start : start + 4096])
                    self.wfile.flush()
                except OSError:
                    return
                type(self).streaming.set()
                time.sleep(0.05)
        else:
            self.send_json(404, {"error": "not_found"})


@pytest.fixture
def server() -> Iterator[str]:
    Handler.script = [(200, {})]
    Handler.seen = []
    Handler.streaming = threading.Event()
    Handler.offer_package = True
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(STATION_SYNC_TOKEN=TOKEN, PYTHONPATH=str(ROOT), NO_PROXY="127.0.0.1")
    return env


def start(url: str, dest: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "station_sync", "sync", "--url", url, "--dest", str(dest),
         "--backoff", "0.1", "--timeout", "10", *extra],
        cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=timeout)
    return process.returncode, stderr


def assert_clean_end(stderr: str, *words: str) -> str:
    """No traceback; the last line is the Vietnamese verdict, with ``words`` in it."""
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    for word in words:
        assert word in last, last
    return last


def test_down_server_in_one_shot_mode_exits_2_without_traceback(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, stderr = finish(start(url, tmp_path / "dest", "--max-attempts", "2"))
    assert code == cli.EXIT_TRANSIENT == 2
    assert_clean_end(stderr, "Không kết nối được máy chủ")


@pytest.mark.parametrize("status", [429, 503])
def test_long_retry_after_in_one_shot_mode_reports_and_exits_2(
    server: str, tmp_path: Path, status: int
) -> None:
    """RFC 9110 §10.2.3: asked to wait 600 s, a one-shot run neither retries after a
    second nor sleeps ten minutes: it says so and exits with the transient code."""
    Handler.script = [(status, {"Retry-After": "600"})]
    began = time.monotonic()
    code, stderr = finish(start(server, tmp_path / "dest"))
    assert time.monotonic() - began < 30
    assert code == cli.EXIT_TRANSIENT
    assert_clean_end(stderr, "600 giây", "Retry-After")
    assert len([path for _, path in Handler.seen if "/packages?" in path]) == 1  # no retry


def test_short_retry_after_as_http_date_is_waited_for(server: str, tmp_path: Path) -> None:
    """Retry-After as an HTTP-date (RFC 9110 §10.2.3): the retry waits until then, not
    the 0.1 s backoff; then the run completes and exits 0."""
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    Handler.script = [(503, {"Retry-After": when}), (200, {})]
    Handler.offer_package = False
    code, stderr = finish(start(server, tmp_path / "dest"))
    assert code == cli.EXIT_OK, stderr
    polls = [moment for moment, path in Handler.seen if "/packages?" in path]
    assert len(polls) == 2 and polls[1] - polls[0] >= 1.5


def test_sigint_mid_download_exits_130_and_keeps_the_part(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    process = start(server, dest)
    assert Handler.streaming.wait(timeout=30), "the download never started"
    time.sleep(1)
    process.send_signal(signal.SIGINT)
    code, stderr = finish(process)
    assert code == cli.EXIT_INTERRUPTED == 130
    assert_clean_end(stderr, "Ctrl+C")
    part = dest / ".incoming" / "goi-1" / "data" / "vi" / ".tin.wav.part"
    assert 0 < part.stat().st_size < len(BODY)  # kept, resumed next run


def test_watch_mode_sleeps_as_told_capped(server: str, tmp_path: Path) -> None:
    """In --watch mode the loop sleeps for Retry-After (not the poll interval), at most
    an hour; the real client's main() with its sleep recorded instead of waited."""
    sleeps: list[float] = []
    for asked, expected in (("600", 600.0), ("86400", cli.MAX_WATCH_RETRY_AFTER)):
        Handler.script = [(429, {"Retry-After": asked})]
        sleeps.clear()
        os.environ["STATION_SYNC_TOKEN"] = TOKEN
        try:
            code = cli.main(
                ["sync", "--url", server, "--dest", str(tmp_path / "d"), "--watch",
                 "--max-cycles", "2", "--quiet"],
                sleep=sleeps.append,
            )  # fmt: skip
        finally:
            del os.environ["STATION_SYNC_TOKEN"]
        assert sleeps == [expected] and code == cli.EXIT_TRANSIENT


def test_help_documents_the_exit_codes() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "station_sync", "sync", "--help"],
        cwd=ROOT, env=environment(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for code in ("0", "1", "2", "3", "4", "130"):
        assert f"\n  {code} " in out, code
    bad = subprocess.run(
        [sys.executable, "-m", "station_sync", "sync", "--dest", "x"],
        cwd=ROOT, env=environment(), capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == cli.EXIT_USAGE and "Traceback" not in bad.stderr
