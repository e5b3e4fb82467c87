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

The pieces: :mod:`station_sync.transport` (HTTP, retries, resumed downloads),
:mod:`station_sync.files` (digests, safe paths, the state file), :mod:`station_sync.errors`
and :mod:`station_sync.config`; their public names are importable from here too.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
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
from station_sync.files import (
    STATE_FILE,
    WINDOWS_FORBIDDEN,
    WINDOWS_RESERVED,
    load_state,
    safe_part,
    safe_relative,
    save_state,
    sha256_file,
    write_json_atomic,
)
from station_sync.transport import API_PREFIX, Client, content_range_start, parse_retry_after

__all__ = [
    "API_PREFIX",
    "CLASS_ORDER",
    "INCOMING",
    "STATE_FILE",
    "WINDOWS_FORBIDDEN",
    "WINDOWS_RESERVED",
    "ChecksumMismatch",
    "Client",
    "Config",
    "RangeNotSatisfiable",
    "ServerBusy",
    "SyncError",
    "SyncResult",
    "TransientError",
    "check_received",
    "content_range_start",
    "damaged_files",
    "fetch_package",
    "list_new",
    "load_state",
    "parse_retry_after",
    "safe_part",
    "safe_relative",
    "save_state",
    "sha256_file",
    "sync",
    "verify_bag_manifest",
    "write_json_atomic",
]

log = logging.getLogger("station_sync")

INCOMING = ".incoming"
CLASS_ORDER = {"emergency": 0, "priority": 1, "normal": 2}


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
