"""HTTP to the CMS: the bearer token, bounded retries with backoff (``Retry-After``
honoured), JSON calls and downloads resumed with ``Range`` and verified by SHA-256."""

from __future__ import annotations

import datetime
import email.utils
import json
import logging
import os
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from pathlib import Path
from typing import Any

from station_sync.config import Config
from station_sync.errors import (
    ChecksumMismatch,
    RangeNotSatisfiable,
    ServerBusy,
    SyncError,
    TransientError,
)
from station_sync.files import sha256_file

log = logging.getLogger("station_sync")

API_PREFIX = "/api/stations/v1"


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
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)  # noqa: UP017 - Python 3.9
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


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
