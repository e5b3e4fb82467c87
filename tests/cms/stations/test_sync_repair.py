"""Received bags stay intact (issue 16, section 2): each run re-checks them cheaply (size
and mtime), ``--verify`` with the full SHA-256; a changed byte or a deleted folder is
fetched again from the server and reported. The real client as a subprocess against a
tiny local HTTP server; no Django involved."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

ROOT = Path(__file__).resolve().parents[3]
API = "/api/stations/v1"
WAV = bytes(range(256)) * 512
TAG = b"tag\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FILES = {
    "data/vi/tin.wav": WAV,
    "manifest-sha256.txt": f"{sha(WAV)}  data/vi/tin.wav\n".encode(),
    "tagmanifest-sha256.txt": TAG,
}


class Handler(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def reply(self, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).seen.append(f"GET {self.path}")
        base = f"http://{self.headers['Host']}{API}"
        if self.path.startswith(f"{API}/packages?"):
            summary = {"id": 1, "title": "Tin", "bulletin_class": "normal",
                       "manifest_url": f"{base}/packages/1"}  # fmt: skip
            page = {"packages": [summary], "next_cursor": "c1", "has_more": False,
                    "emergency_pending": False}  # fmt: skip
            self.reply(json.dumps(page).encode())
        elif self.path == f"{API}/packages/1":
            files = [{"path": p, "size": len(b), "sha256": sha(b),
                      "url": f"{base}/packages/1/files/{p}"} for p, b in FILES.items()]  # fmt: skip
            manifest = {"bag": {"name": "goi-1"}, "files": files,
                        "receipt_url": f"{base}/packages/1/receipt"}  # fmt: skip
            self.reply(json.dumps(manifest).encode())
        elif self.path.startswith(f"{API}/packages/1/files/"):
            self.reply(FILES[self.path.split("/files/", 1)[1]], "application/octet-stream")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_POST(self) -> None:
        type(self).seen.append(f"POST {self.path}")
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.reply(b'{"verified": true}')


@pytest.fixture
def server() -> Iterator[str]:
    Handler.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def run(url: str, dest: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(STATION_SYNC_TOKEN="st_test", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "station_sync", "sync", "--url", url, "--dest", str(dest),
         "--backoff", "0.1", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def wav_downloads() -> int:
    return sum(1 for line in Handler.seen if line.endswith("/files/data/vi/tin.wav"))


def flip_byte(path: Path, keep_mtime: bool) -> None:
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[1000] ^= 0xFF
    path.write_bytes(bytes(data))
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_damaged_or_deleted_bags_are_repaired_from_the_server(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    wav = dest / "goi-1" / "data" / "vi" / "tin.wav"
    first = run(server, dest)
    assert first.returncode == 0, first.stderr
    assert wav.read_bytes() == WAV and wav_downloads() == 1

    # Nothing wrong: a second run downloads nothing.
    assert run(server, dest).returncode == 0 and wav_downloads() == 1

    # A changed byte (the mtime changes with it): the quick check sees it, refetches the
    # damaged file only, confirms receipt again and says so.
    flip_byte(wav, keep_mtime=False)
    repaired = run(server, dest)
    assert repaired.returncode == 0, repaired.stderr
    assert wav.read_bytes() == WAV and wav_downloads() == 2
    assert "Đã sửa gói" in repaired.stderr.strip().splitlines()[-1]
    assert sum(1 for line in Handler.seen if line.startswith("POST")) == 2
    assert not any(line.endswith("manifest-sha256.txt") for line in Handler.seen[-6:])

    # Same size, mtime put back: only --verify (full SHA-256) catches it.
    flip_byte(wav, keep_mtime=True)
    assert run(server, dest).returncode == 0 and wav.read_bytes() != WAV
    verified = run(server, dest, "--verify")
    assert verified.returncode == 0 and wav.read_bytes() == WAV, verified.stderr
    assert "Đã sửa gói" in verified.stderr

    # The whole bag folder deleted: fetched again.
    for path in sorted((dest / "goi-1").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (dest / "goi-1").rmdir()
    again = run(server, dest)
    assert again.returncode == 0 and wav.read_bytes() == WAV, again.stderr
    assert "Đã sửa gói" in again.stderr
