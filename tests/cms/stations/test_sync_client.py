"""The sync client's own logic (standard library only), against a tiny local HTTP server
that drops the first connection half-way; no Django involved."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from station_sync.client import (
    Client,
    Config,
    SyncError,
    TransientError,
    load_state,
    safe_relative,
    save_state,
)

BODY = bytes(range(256)) * 4000  # ~1 MB


class FlakyHandler(http.server.BaseHTTPRequestHandler):
    """Serves BODY with Range support; the first full request is cut half-way."""

    requests: list[str | None] = []
    cut_first = True

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        header = self.headers.get("Range")
        type(self).requests.append(header)
        assert self.headers["Authorization"] == "Bearer st_test_token"
        first = int(header.split("=")[1].split("-")[0]) if header else 0
        body = BODY[first:]
        self.send_response(206 if header else 200)
        if header:
            self.send_header("Content-Range", f"bytes {first}-{len(BODY) - 1}/{len(BODY)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if type(self).cut_first and not header:
            type(self).cut_first = False
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)  # the weak link drops
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    FlakyHandler.requests = []
    FlakyHandler.cut_first = True
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(timeout=5)


def client(url: str, dest: Path, sleeps: list[float]) -> Client:
    config = Config(url=url, token="st_test_token", dest=dest, backoff=1.0, max_attempts=4,
                    max_backoff=3.0, timeout=10)  # fmt: skip
    return Client(config, sleep=sleeps.append)


def test_dropped_download_resumes_with_range_and_is_verified(server, tmp_path) -> None:
    sleeps: list[float] = []
    target = tmp_path / "data" / "vi" / "01 - Quyền trẻ em.wav"
    digest = hashlib.sha256(BODY).hexdigest()
    client(server, tmp_path, sleeps).download(f"{server}/f", target, digest, len(BODY))
    assert target.read_bytes() == BODY
    assert FlakyHandler.requests == [None, f"bytes={len(BODY) // 2}-"]
    assert len(sleeps) == 1  # one backoff between the cut and the resume
    assert not list(target.parent.glob(".*.part"))


def test_tampered_partial_file_is_caught_and_fetched_again(server, tmp_path) -> None:
    FlakyHandler.cut_first = False
    target = tmp_path / "a.mp3"
    part = tmp_path / ".a.mp3.part"
    part.write_bytes(b"\xff" * 1000)  # not what the server has
    digest = hashlib.sha256(BODY).hexdigest()
    client(server, tmp_path, []).download(f"{server}/f", target, digest, len(BODY))
    assert target.read_bytes() == BODY
    assert FlakyHandler.requests == ["bytes=1000-", None]


def test_wrong_checksum_never_becomes_a_final_file(server, tmp_path) -> None:
    FlakyHandler.cut_first = False
    sleeps: list[float] = []
    target = tmp_path / "a.mp3"
    with pytest.raises(TransientError):
        client(server, tmp_path, sleeps).download(f"{server}/f", target, "0" * 64, len(BODY))
    assert not target.exists()
    assert len(FlakyHandler.requests) == 4  # bounded attempts
    assert sleeps[:3] == pytest.approx([1.0, 2.0, 3.0], rel=0.11)  # exponential, capped


def test_paths_from_the_manifest_cannot_escape_the_destination() -> None:
    assert safe_relative("data/vi/01 - Quyền.mp3") == Path("data", "vi", "01 - Quyền.mp3")
    for bad in ("../x", "/etc/passwd", "data/../../x", "C:/x", "data\\..\\x", "", "a//b"):
        with pytest.raises(SyncError):
            safe_relative(bad)
    # Names a Windows station PC could not store (or would store under another name).
    for bad in ("data/NUL.txt", "data/com1", "data/vi/a?.mp3", 'data/"x"', "data/x.", "data/x ",
                "data/a|b", "data/tab\there"):  # fmt: skip
        with pytest.raises(SyncError):
            safe_relative(bad)
    assert safe_relative("data/km/01 - សិទ្ធិកុមារ.txt").name == "01 - សិទ្ធិកុមារ.txt"
    assert safe_relative("data/vi/console.mp3").name == "console.mp3"


def test_state_is_written_atomically(tmp_path) -> None:
    assert load_state(tmp_path)["cursor"] is None
    save_state(tmp_path, {"cursor": "abc", "pending": {}, "received": {"1": {}}})
    assert load_state(tmp_path)["cursor"] == "abc"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".state.json"]
