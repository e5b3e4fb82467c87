"""Write a directory (a BagIt bag, usually) where nobody can see it, then rename it into place.

The three bag writers (the archive's item bags, the stations' package bags, the site
backup) share this: a bag is built in a hidden staging directory (``.partial-<name>-…``)
on the same file system as its destination, so that the final ``os.replace`` is atomic and
nobody ever sees half a bag; on any failure (a full disk, a missing file, a cancelled job)
the staging directory is removed. ``fresh_file`` does the same for one file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import bagit

from media_pipeline.atomic import temp_path_for

#: the prefix of every staging directory (and of every partial file, see media_pipeline.atomic)
PARTIAL_PREFIX = ".partial-"


class Stage:
    """A hidden directory being filled; ``publish`` renames it into place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.published = False

    def make_bag(
        self,
        info: Mapping[str, str],
        checksums: list[str],
        bag_dir: Path | None = None,
        validate: bool = False,
    ) -> bagit.Bag:
        """Turn the staged files (or ``bag_dir`` inside the stage) into a BagIt bag: the
        payload moves under ``data/``, the manifests and tag files are written."""
        bag = bagit.make_bag(
            str(bag_dir or self.path), dict(info), processes=1, checksums=checksums
        )
        if validate:
            bag.validate(processes=1)
        return bag

    def publish(self, destination: Path, replace: bool = True) -> Path:
        """Rename the stage to ``destination`` (atomic on one file system). An existing
        destination is removed first when ``replace``, else the rename fails on it."""
        os.chmod(self.path, 0o755)  # noqa: S103 (mkdtemp makes 0700; bags are shared)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if replace and destination.exists():
            shutil.rmtree(destination)
        os.replace(self.path, destination)
        self.published = True
        return destination


@contextlib.contextmanager
def staged(parent: Path, name: str) -> Iterator[Stage]:
    """A new hidden directory ``parent/.partial-<name>-…`` to fill; removed on leaving
    unless it was published (so also on every error)."""
    parent.mkdir(parents=True, exist_ok=True)
    stage = Stage(Path(tempfile.mkdtemp(prefix=f"{PARTIAL_PREFIX}{name}-", dir=parent)))
    try:
        yield stage
    finally:
        if not stage.published:
            shutil.rmtree(stage.path, ignore_errors=True)


@contextlib.contextmanager
def fresh_file(target: Path) -> Iterator[Path]:
    """A new temporary path next to ``target`` for a writer to create; once written, it
    replaces ``target`` atomically (``os.replace``), else it is removed. Nothing is ever
    written into an existing file (or through a link into shared storage)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = temp_path_for(target)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
