"""Back up and restore the database and every stored file as one BagIt bag.

A backup is a directory ``<name>/`` holding a bag (RFC 8493, SHA-256 manifest):
``data/database.dump`` (``pg_dump -Fc``; for SQLite a consistent copy made with SQLite's
online backup API) and ``data/media/<storage name>`` for every file in the default storage
(local disk or S3, read through Django's storage API, streamed). It is made under a hidden
temporary name and renamed when complete (``cms.staging``), so a half-made backup is never
mistaken for one.
Restoring validates the bag first (every checksum), then replaces the database and writes
the files back. Copy the backup directory to a second, independent medium (Circular
02/2019/TT-BNV asks for two).
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import bagit
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections

from cms.media.storage import copy_stored
from cms.staging import staged

CHUNK = 1024 * 1024
DUMP = "database.dump"


class BackupError(Exception):
    pass


def _pg_env(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(db.get("HOST") or "localhost"), "-U", str(db.get("USER") or "")]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def dump_database(target: Path, alias: str = "default") -> None:
    db = settings.DATABASES[alias]
    if db["ENGINE"] == "django.db.backends.postgresql":
        args, env = _pg_env(db)
        _run(["pg_dump", "-Fc", "--no-owner", *args, "-f", str(target), db["NAME"]], env)
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    else:
        raise BackupError(f"unsupported database engine {db['ENGINE']}")


def restore_database(dump: Path, alias: str = "default") -> None:
    db = settings.DATABASES[alias]
    connections[alias].close()
    if db["ENGINE"] == "django.db.backends.postgresql":
        args, env = _pg_env(db)
        _run(
            [
                "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                *args, "-d", db["NAME"], str(dump),
            ],
            env,
        )  # fmt: skip
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        source = sqlite3.connect(dump)
        live = sqlite3.connect(db["NAME"])
        with live:
            source.backup(live)
        live.close()
        source.close()
    else:
        raise BackupError(f"unsupported database engine {db['ENGINE']}")


def walk(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in the storage (the storage API has no recursive listing)."""
    directories, files = storage.listdir(directory)
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for name in sorted(directories):
        yield from walk(storage, f"{directory}/{name}" if directory else name)


def _copy_out(storage: Storage, name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_stored(storage, name, target, CHUNK)


def back_up(destination: Path, label: str | None = None) -> Path:
    """Write a complete, validated backup bag into ``destination``; returns its path."""
    label = label or datetime.datetime.now(datetime.UTC).strftime("backup-%Y%m%dT%H%M%SZ")
    final = destination / label
    if final.exists():
        raise BackupError(f"{final} exists already")
    with staged(destination, label) as stage:
        work = stage.path
        dump_database(work / DUMP)
        count = 0
        for name in walk(default_storage):
            if Path(name).name.startswith("."):
                continue  # a temporary name of a write in progress
            _copy_out(default_storage, name, work / "media" / name)
            count += 1
        stage.make_bag(
            {
                "Source-Organization": str(getattr(settings, "WAGTAIL_SITE_NAME", "")),
                "External-Description": f"CMS backup: database and {count} stored files",
            },
            ["sha256"],
            validate=True,
        )
        stage.publish(final, replace=False)
    return final


def restore(source: Path) -> int:
    """Validate the bag, replace the database, write every file back. Returns the file count."""
    try:
        bag = bagit.Bag(str(source))
        bag.validate()
    except (bagit.BagError, bagit.BagValidationError) as error:
        raise BackupError(f"the backup at {source} is not intact: {error}") from error
    data = source / "data"
    restore_database(data / DUMP)
    media = data / "media"
    count = 0
    if media.is_dir():
        for path in sorted(media.rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(media).as_posix()
            if default_storage.exists(name):
                default_storage.delete(name)
            with open(path, "rb") as handle:
                saved = default_storage.save(name, File(handle, name=Path(name).name))
            if saved != name:
                raise BackupError(f"{name} was stored as {saved}")
            count += 1
    return count
