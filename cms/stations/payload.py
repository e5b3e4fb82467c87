"""Writing a bag's payload from its build plan: stored files copied, images rendered, MP2 encoded,
texts written, each checked against its recorded SHA-256, then the rundown and manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage

from cms.media.storage import copy_stored
from cms.staging import fresh_file
from cms.stations.build_plan import BuildPlan, name_key
from cms.stations.documents import manifest_document, rundown_csv
from cms.stations.encoding import encode_mp2, render_board_image, retag_mp3
from cms.stations.models import BroadcastPackage
from media_pipeline.hashing import sha256_file


def copy_from_storage(storage_name: str, target: Path) -> None:
    """Copy a stored file's bytes into a new file of the bag.

    Never a hard link: a bag's file and the stored rendition must not share an inode,
    or anything written to one (a later build, a tampered bag) changes the other. The copy
    goes to a fresh temporary file that then replaces ``target`` atomically, so nothing is
    ever written into an existing file (or through a link into shared storage).
    """
    with fresh_file(target) as partial:
        copy_stored(default_storage, storage_name, partial)


def write_payload(
    build_plan: BuildPlan, package: BroadcastPackage, variant: dict[str, Any], root: Path
) -> None:
    described: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in build_plan.files:
        key = name_key(entry.path)
        if key in seen or "/" not in entry.path:
            raise ValueError(f"two files of the bag would be named {entry.path!r}")
        seen.add(key)
        target = root / entry.path
        if entry.storage_name is not None:
            copy_from_storage(entry.storage_name, target)
        elif entry.image is not None:
            render_board_image(*entry.image, target)
        elif entry.mp2_from is not None:
            encode_mp2(entry.mp2_from, target)
        else:
            write_text(target, entry.text or "")
        digest = sha256_file(target)
        if entry.expected_sha256 and digest != entry.expected_sha256:
            raise OSError(f"rendition {entry.storage_name} does not match its recorded SHA-256")
        if entry.tags is not None:
            retag_mp3(target, entry.tags)
            digest = sha256_file(target)
        described.append(
            {
                "path": f"data/{entry.path}",
                "size": target.stat().st_size,
                "sha256": digest,
                "role": entry.role,
                "language": entry.language,
                "item_id": entry.item_id,
                **entry.extra,
            }
        )
    write_text(root / "rundown.json", json.dumps(build_plan.rundown, ensure_ascii=False, indent=2))
    write_text(root / "rundown.csv", rundown_csv(build_plan.rundown))
    document = manifest_document(package, variant, build_plan, described)
    write_text(root / "manifest.json", json.dumps(document, ensure_ascii=False, indent=2))


def write_text(target: Path, text: str) -> None:
    with fresh_file(target) as partial, partial.open("x", encoding="utf-8", newline="") as out:
        out.write(text)
