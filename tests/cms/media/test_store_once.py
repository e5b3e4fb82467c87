"""``store_once``: a finished file stored under a name that says what it holds, once, whole,
on the local disk and on an S3 server (a real moto_server on 127.0.0.1)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cms.media.storage import UnicodeFileSystemStorage, UnicodeS3Storage, store_once
from tests.support import MotoServer, s3_default_storage

BUCKET = "cms-test"
NAME = "sharing/cards/3f2a9c.jpg"
WRITERS = 6


class RacingLocal(UnicodeFileSystemStorage):
    """Every writer's first look finds the name free: they all go on to write together."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.barrier = threading.Barrier(WRITERS)
        self.looked = threading.local()

    def exists(self, name: str) -> bool:
        if not getattr(self.looked, "once", False):
            self.looked.once = True
            self.barrier.wait(timeout=30)
            return False
        return super().exists(name)


class WatchedLocal(UnicodeFileSystemStorage):
    """Records, after each chunk is written, what a reader of the folder would see."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[list[str]] = []

    def _save(self, name: str, content: Any) -> str:
        chunks = content.chunks
        folder = Path(self.path(name)).parent

        def watched(*args: Any, **kwargs: Any) -> Iterator[bytes]:
            for chunk in chunks(*args, **kwargs):
                yield chunk
                # resumed once the chunk just handed out is written
                self.seen.append(sorted(p.name for p in folder.iterdir()))

        content.chunks = watched
        return str(super()._save(name, content))


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "source" / "card.jpg"
    path.parent.mkdir()
    path.write_bytes(os.urandom(300 * 1024))
    return path


def test_a_second_save_keeps_the_first_file(tmp_path: Path, payload: Path) -> None:
    storage = UnicodeFileSystemStorage(location=tmp_path / "media")
    assert store_once(payload, NAME, storage) == NAME
    first = Path(storage.path(NAME)).stat()
    assert store_once(b"other bytes", NAME, storage) == NAME
    assert files_under(tmp_path / "media") == [NAME]
    assert Path(storage.path(NAME)).stat().st_ino == first.st_ino
    assert storage.open(NAME).read() == payload.read_bytes()


def test_bytes_are_stored_too(tmp_path: Path) -> None:
    storage = UnicodeFileSystemStorage(location=tmp_path / "media")
    assert store_once(b"%PDF-1.7 ...", "docs/ab12.pdf", storage) == "docs/ab12.pdf"
    assert storage.open("docs/ab12.pdf").read() == b"%PDF-1.7 ..."


def test_writers_racing_on_one_name_leave_one_file(tmp_path: Path, payload: Path) -> None:
    storage = RacingLocal(location=tmp_path / "media")
    results: list[str] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            results.append(store_once(payload, NAME, storage))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert results == [NAME] * WRITERS
    assert files_under(tmp_path / "media") == [NAME]
    assert storage.open(NAME).read() == payload.read_bytes()


def test_no_partial_file_is_ever_visible(tmp_path: Path, payload: Path) -> None:
    storage = WatchedLocal(location=tmp_path / "media")
    assert store_once(payload, NAME, storage) == NAME
    assert len(storage.seen) >= 4  # 300 KiB in 64 KiB chunks
    for listing in storage.seen:
        assert "3f2a9c.jpg" not in listing
        assert all(name.startswith(".partial-") for name in listing), listing
    assert files_under(tmp_path / "media") == [NAME]


@pytest.fixture
def s3(s3_credentials: None, tmp_path: Path) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path)
    server.start()
    try:
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        server.stop()


def options(server: MotoServer) -> dict[str, Any]:
    return dict(s3_default_storage(BUCKET, server.url)["OPTIONS"])


def keys(server: MotoServer) -> list[str]:
    listing = server.client().list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_on_s3_duplicate_and_concurrent_saves_give_one_object(
    s3: MotoServer, payload: Path
) -> None:
    server, storage = s3, UnicodeS3Storage(**options(s3))
    assert store_once(payload, NAME, storage) == NAME
    assert store_once(b"other bytes", NAME, storage) == NAME
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(store_once(payload, "a/b.jpg", storage)))
        for _ in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["a/b.jpg"] * WRITERS
    assert keys(server) == ["media/a/b.jpg", f"media/{NAME}"]
    with storage.open(NAME) as stored:
        assert stored.read() == payload.read_bytes()


def test_on_s3_nothing_is_listed_before_the_upload_is_complete(
    s3: MotoServer, payload: Path
) -> None:
    server = s3
    seen: list[list[str]] = []

    class Listing:
        """The file being uploaded: each read also lists the bucket."""

        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __getattr__(self, attribute: str) -> Any:
            return getattr(self.handle, attribute)

        def read(self, *args: Any) -> bytes:
            data: bytes = self.handle.read(*args)
            if data:  # still uploading: the key must not be listed yet
                seen.append(keys(server))
            return data

    class Watched(UnicodeS3Storage):
        def _save(self, name: str, content: Any) -> str:
            content.file = Listing(content.file)
            return str(super()._save(name, content))

    assert store_once(payload, NAME, Watched(**options(server))) == NAME
    assert seen and all(listing == [] for listing in seen)
    assert keys(server) == [f"media/{NAME}"]
