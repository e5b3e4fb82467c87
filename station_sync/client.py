"""The sync logic: list, download with resume, verify, move into place, confirm.

Layout under ``--dest``::

    .state.json                 cursor and packages still to fetch (written atomically)
    .incoming/<bag>/...         a bag being fetched; files appear only when complete
    .incoming/<bag>/.x.mp3.part a file being fetched (resumed from its size)
    <bag>/                      a complete, verified bag, moved here in one rename

Every file is checked against the SHA-256 in the package manifest before it gets its
final name; a bag is moved out of ``.incoming`` only when all its files are there and
its own ``manifest-sha256.txt`` agrees with the server's manifest. Received bags are
re-checked each run (size and mtime; the full SHA-256 with ``--verify``) and repaired
from the server when damaged or missing.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import json
import logging
import os
import random
import shutil
import socket
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any

log = logging.getLogger("station_sync")

API_PREFIX = "/api/stations/v1"
STATE_FILE = ".state.json"
INCOMING = ".incoming"
CLASS_ORDER = {"emergency": 0, "priority": 1, "normal": 2}


class SyncError(Exception):
    """A failure that retrying will not fix (bad token, package gone, bad answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(Exception):
    """A failure worth retrying: network, timeout, 5xx, 429, checksum mismatch.

    ``retry_after``: the seconds the server asked us to wait (``Retry-After``), if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChecksumMismatch(TransientError):
    """A file arrived whole but its SHA-256 is not the manifest's (retried; if it persists
    the package counts as failed verification, not as a network problem)."""


class ServerBusy(TransientError):
    """The server asked us to come back later than we are willing to wait in this pass:
    stop the pass (every other request would get the same answer) and report it."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)  # noqa: UP017 - Python 3.9
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


class RangeNotSatisfiable(TransientError):
    """416: the partial file does not fit the file on the server; start it over."""


@dataclass
class Config:
    url: str
    token: str
    dest: Path
    timeout: float = 60.0
    max_attempts: int = 6
    backoff: float = 2.0
    max_backoff: float = 120.0
    # The longest Retry-After honoured by sleeping within a pass; longer ends the pass
    # with ServerBusy (the watch loop then sleeps as told, capped; one-shot mode exits).
    max_retry_after: float = 120.0
    # Re-check received bags with a full SHA-256 of every file (otherwise size + mtime).
    verify: bool = False
    chunk_bytes: int = 256 * 1024
    page_size: int = 100
    max_pages: int = 1000


@dataclass
class SyncResult:
    received: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    # Not fetched in this pass for a network or server reason (retried next pass).
    deferred: list[int] = field(default_factory=list)
    # Received earlier, found damaged or missing on disk, fetched again from the server.
    repaired: list[int] = field(default_factory=list)
    emergency_pending: bool = False
    # The station's push channel, when the server advertises one (see push.py).
    push_url: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.deferred


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


#: characters Windows refuses in a file name (besides control characters)
WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
#: device names Windows reserves whatever the extension (``NUL.txt`` is the null device)
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                    *(f"LPT{n}" for n in range(1, 10))}  # fmt: skip


def safe_part(part: str) -> bool:
    """A name that is one file or folder on Linux and on Windows alike."""
    return not (
        part in ("", ".", "..")
        or any(ch in WINDOWS_FORBIDDEN or ord(ch) < 32 for ch in part)
        or part[-1] in ". "  # Windows drops trailing dots and spaces: two names would clash
        or part.split(".", 1)[0].strip().upper() in WINDOWS_RESERVED
    )


def safe_relative(path: str) -> Path:
    """A path inside the bag; refuses absolute paths, '..', drive letters, backslashes and
    names Windows cannot store, so a station PC on Windows or Linux writes the same tree."""
    path = unicodedata.normalize("NFC", path)
    parts = path.split("/")
    if not path or not all(safe_part(part) for part in parts):
        raise SyncError(f"unsafe path in manifest: {path!r}")
    return Path(*parts)


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_state(dest: Path) -> dict[str, Any]:
    path = dest / STATE_FILE
    if not path.exists():
        return {"cursor": None, "pending": {}, "received": {}}
    with path.open(encoding="utf-8") as handle:
        state = json.load(handle)
    state.setdefault("cursor", None)
    state.setdefault("pending", {})
    state.setdefault("received", {})
    return state


def save_state(dest: Path, state: dict[str, Any]) -> None:
    write_json_atomic(dest / STATE_FILE, state)


class Client:
    """HTTP with the bearer token, bounded retries with exponential backoff, resume."""

    def __init__(
        self,
        config: Config,
        sleep: Callable[[float], None] = time.sleep,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> None:
        self.config = config
        self.sleep = sleep
        self.opener = opener or urllib.request.build_opener()
        parts = urllib.parse.urlsplit(config.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SyncError(f"--url must be an http(s) address: {config.url!r}")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.rstrip("/")

    # --- plumbing -----------------------------------------------------------------
    def resolve(self, url: str) -> str:
        """The server's URL with our configured origin (the station may reach the site
        through another name than the one the site believes it has)."""
        parts = urllib.parse.urlsplit(url)
        if not parts.scheme:
            return self.origin + self.base_path + url
        query = f"?{parts.query}" if parts.query else ""
        return self.origin + parts.path + query

    def api(self, path: str) -> str:
        return self.origin + self.base_path + API_PREFIX + path

    def request(
        self, url: str, *, method: str = "GET", data: bytes | None = None, headers: Any = None
    ) -> Any:
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
        # Unredirected: urllib never forwards it to a presigned S3 URL it is redirected to.
        request.add_unredirected_header("Authorization", f"Bearer {self.config.token}")
        request.add_header("User-Agent", "station-sync/1.0")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            return self.opener.open(request, timeout=self.config.timeout)
        except urllib.error.HTTPError as error:
            body = error.read(2048).decode("utf-8", "replace")
            if error.code in (429,) or error.code >= 500:
                wait = parse_retry_after(
                    error.headers.get("Retry-After") if error.headers else None
                )
                raise TransientError(f"HTTP {error.code} {body}", retry_after=wait) from error
            if error.code == 416:
                raise RangeNotSatisfiable("HTTP 416") from error
            raise SyncError(f"HTTP {error.code} {body}", status=error.code) from error
        # socket.timeout is not TimeoutError before Python 3.10.
        except (urllib.error.URLError, socket.timeout, ConnectionError, HTTPException) as error:  # noqa: UP041
            raise TransientError(str(error)) from error

    def retrying(self, what: str, action: Callable[[], Any]) -> Any:
        """Run ``action``, retrying transient failures with capped exponential backoff."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return action()
            except TransientError as error:
                if (
                    error.retry_after is not None
                    and error.retry_after > self.config.max_retry_after
                ):
                    raise ServerBusy(str(error), retry_after=error.retry_after) from error
                if attempt >= self.config.max_attempts:
                    raise
                delay = min(self.config.max_backoff, self.config.backoff * 2 ** (attempt - 1))
                delay += random.uniform(0, delay / 10)  # noqa: S311 - jitter, not security
                if error.retry_after is not None:
                    delay = max(delay, error.retry_after)  # never sooner than asked
                log.warning(
                    "%s: %s; thử lại sau %.1f s (%d/%d)",
                    what,
                    error,
                    delay,
                    attempt,
                    self.config.max_attempts,
                )
                self.sleep(delay)

    def get_json(self, url: str) -> Any:
        def action() -> Any:
            with self.request(url, headers={"Accept": "application/json"}) as response:
                try:
                    return json.loads(response.read().decode("utf-8"))
                except (ValueError, OSError, HTTPException) as error:
                    raise TransientError(f"bad JSON from {url}: {error}") from error

        return self.retrying(url, action)

    def post_json(self, url: str, payload: Any) -> Any:
        body = json.dumps(payload).encode("utf-8")

        def action() -> Any:
            with self.request(
                url, method="POST", data=body, headers={"Content-Type": "application/json"}
            ) as response:
                return json.loads(response.read().decode("utf-8"))

        return self.retrying(url, action)

    # --- downloads ----------------------------------------------------------------
    def download(self, url: str, target: Path, sha256: str, size: int) -> None:
        """Fetch ``url`` into ``target``; resume from ``.<name>.part``; verify; rename."""
        if target.exists() and target.stat().st_size == size and sha256_file(target) == sha256:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.part")
        self.retrying(str(target.name), lambda: self._download_once(url, part, sha256, size))
        os.replace(part, target)

    def _download_once(self, url: str, part: Path, sha256: str, size: int) -> None:
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        if have < size or size == 0:
            headers = {}
            if have:
                headers = {"Range": f"bytes={have}-", "If-Range": f'"{sha256}"'}
            try:
                response = self.request(self.resolve(url), headers=headers)
            except RangeNotSatisfiable:
                part.unlink(missing_ok=True)
                raise
            with response:
                mode = "ab"
                if response.status == 206:
                    first = content_range_start(response.headers.get("Content-Range", ""))
                    if first != have:
                        part.unlink(missing_ok=True)
                        raise TransientError(f"server resumed at {first}, expected {have}")
                else:
                    mode = "wb"  # the whole file (no range asked, or If-Range did not match)
                with part.open(mode) as handle:
                    try:
                        # read1: whatever has arrived (up to a chunk), so that bytes received
                        # on a slow link are on disk when the link drops or Ctrl+C comes.
                        for block in iter(lambda: response.read1(self.config.chunk_bytes), b""):
                            handle.write(block)
                    except (OSError, HTTPException) as error:
                        handle.flush()
                        raise TransientError(f"connection lost: {error}") from error
                    handle.flush()
                    os.fsync(handle.fileno())
        got = part.stat().st_size
        if got < size:
            raise TransientError(f"incomplete: {got} of {size} bytes")
        if got != size or sha256_file(part) != sha256:
            part.unlink()
            raise ChecksumMismatch("SHA-256 mismatch: file damaged, downloading again")


def content_range_start(value: str) -> int | None:
    try:
        unit, _, rest = value.partition(" ")
        return int(rest.split("-", 1)[0]) if unit == "bytes" else None
    except ValueError:
        return None


def list_new(client: Client, state: dict[str, Any]) -> bool:
    """Add packages available since the cursor to ``pending``; returns emergency_pending."""
    emergency = False
    for _ in range(client.config.max_pages):
        query = {"limit": str(client.config.page_size)}
        if state["cursor"]:
            query["since"] = state["cursor"]
        page = client.get_json(client.api("/packages") + "?" + urllib.parse.urlencode(query))
        emergency = bool(page.get("emergency_pending"))
        state["push_url"] = page.get("push_url")
        for summary in page["packages"]:
            key = str(summary["id"])
            if key not in state["received"]:
                state["pending"][key] = summary
        state["cursor"] = page.get("next_cursor")
        save_state(client.config.dest, state)
        if not page.get("has_more"):
            break
    return emergency


def verify_bag_manifest(bag_dir: Path, files: list[dict[str, Any]]) -> None:
    """The bag's own manifest-sha256.txt must agree with the server's manifest."""
    expected = {f["path"]: f["sha256"] for f in files}
    manifest = bag_dir / "manifest-sha256.txt"
    if not manifest.exists():
        raise SyncError("bag has no manifest-sha256.txt")
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, path = line.partition(" ")
        path = unicodedata.normalize("NFC", path.strip())
        if expected.get(path) != digest.strip().lower():
            raise SyncError(f"bag manifest disagrees for {path}")


def fetch_package(
    client: Client, summary: dict[str, Any], record: dict[str, Any] | None = None
) -> str:
    """Fetch every file of one package; return the SHA-256 confirmed to the server.

    ``record`` receives the bag's name and what each file looked like once in place
    (path, size, SHA-256, mtime), for the checks of later runs (``check_received``)."""
    manifest = client.get_json(client.resolve(summary["manifest_url"]))
    name = safe_relative(manifest["bag"]["name"])
    dest = client.config.dest
    final = dest / name
    incoming = dest / INCOMING / name
    if final.exists() and damaged_files(final, manifest["files"], full=True):
        # A bag damaged after receipt: fetch again what differs (intact files are kept).
        incoming.parent.mkdir(parents=True, exist_ok=True)
        if incoming.exists():
            shutil.rmtree(incoming)
        os.replace(final, incoming)
    if not final.exists():
        for entry in manifest["files"]:
            client.download(
                entry["url"],
                incoming / safe_relative(entry["path"]),
                entry["sha256"],
                entry["size"],
            )
        verify_bag_manifest(incoming, manifest["files"])
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming, final)
    bag_sha256 = sha256_file(final / "tagmanifest-sha256.txt")
    if record is not None:
        record["bag"] = manifest["bag"]["name"]
        record["files"] = files = []
        for entry in manifest["files"]:
            stat = (final / safe_relative(entry["path"])).stat()
            files.append({"path": entry["path"], "size": entry["size"],
                          "sha256": entry["sha256"], "mtime_ns": stat.st_mtime_ns})  # fmt: skip
    client.post_json(client.resolve(manifest["receipt_url"]), {"sha256": bag_sha256})
    return bag_sha256


def damaged_files(bag: Path, files: list[dict[str, Any]], full: bool) -> list[str]:
    """Paths of ``files`` missing or changed under ``bag``: size and (when recorded) mtime,
    plus the SHA-256 when ``full``."""
    bad = []
    for entry in files:
        path = bag / safe_relative(entry["path"])
        try:
            stat = path.stat()
        except OSError:
            bad.append(entry["path"])
            continue
        changed = stat.st_size != entry["size"] or (
            "mtime_ns" in entry and stat.st_mtime_ns != entry["mtime_ns"]
        )
        if changed or (full and sha256_file(path) != entry["sha256"]):
            bad.append(entry["path"])
    return bad


def check_received(config: Config, state: dict[str, Any]) -> list[str]:
    """Received bags whose folder is gone or whose files changed since receipt (size and
    mtime every run; the full SHA-256 with ``--verify``): put back in ``pending`` so this
    run fetches them again. Returns their keys."""
    damaged = []
    for key, entry in list(state["received"].items()):
        if not entry.get("files") or not entry.get("summary") or not entry.get("bag"):
            continue  # received by an older client: nothing recorded to compare with
        bag = config.dest / safe_relative(entry["bag"])
        bad = damaged_files(bag, entry["files"], full=config.verify)
        if bad:
            log.warning(
                "gói %s đã nhận nhưng bị hỏng hoặc mất trên đĩa (%s); tải lại từ máy chủ",
                key,
                ", ".join(bad[:5]) + (" …" if len(bad) > 5 else ""),
            )
            state["pending"][key] = entry["summary"]
            damaged.append(key)
    return damaged


def sync(config: Config, client: Client | None = None) -> SyncResult:
    """One pass: list new packages, fetch pending ones (emergency first), confirm each."""
    client = client or Client(config)
    config.dest.mkdir(parents=True, exist_ok=True)
    state = load_state(config.dest)
    result = SyncResult()
    damaged = check_received(config, state)
    result.emergency_pending = list_new(client, state)
    result.push_url = state.get("push_url")
    pending = sorted(
        state["pending"].values(),
        key=lambda s: (CLASS_ORDER.get(s.get("bulletin_class"), 3), s.get("available_at") or ""),
    )
    for summary in pending:
        key = str(summary["id"])
        record: dict[str, Any] = {}
        try:
            bag_sha256 = fetch_package(client, summary, record)
        except SyncError as error:
            if error.status == 404:
                log.warning("gói %s không còn trên máy chủ; bỏ qua", key)
                state["pending"].pop(key, None)
                save_state(config.dest, state)
                continue
            if error.status == 401:
                raise
            log.error("gói %s lỗi: %s", key, error)
            result.failed.append(int(key))
            continue
        except ServerBusy:
            raise  # the whole server said "later": the next package would hear the same
        except ChecksumMismatch as error:
            log.error("gói %s sai SHA-256 sau nhiều lần tải: %s", key, error)
            result.failed.append(int(key))
            continue
        except TransientError as error:
            log.error("gói %s chưa tải xong: %s (sẽ thử lại lần sau)", key, error)
            result.deferred.append(int(key))
            continue
        state["pending"].pop(key, None)
        state["received"][key] = {
            "title": summary.get("title"),
            "bulletin_class": summary.get("bulletin_class"),
            "sha256": bag_sha256,
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "summary": summary,
            "bag": record.get("bag"),
            "files": record.get("files", []),
        }
        save_state(config.dest, state)
        if key in damaged:
            result.repaired.append(int(key))
            log.warning("gói %s đã được sửa: tải lại phần hỏng và kiểm tra SHA-256", key)
        else:
            result.received.append(int(key))
            log.info("đã nhận gói %s: %s", key, summary.get("title"))
    if any(
        summary.get("bulletin_class") == "emergency"
        and int(summary["id"]) in result.failed + result.deferred
        for summary in pending
    ):
        result.emergency_pending = True
    return result
