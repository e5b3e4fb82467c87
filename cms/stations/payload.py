"""Writing a planned bag's payload: stored files copied, images rendered, MP2 encoded,
texts written, each checked against its recorded SHA-256, then the rundown and manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage

from cms.media.storage import copy_stored
from cms.staging import fresh_file
from cms.stations.documents import manifest_document, rundown_csv
from cms.stations.encoding import encode_mp2, render_board_image, retag_mp3
from cms.stations.models import BroadcastPackage
from cms.stations.planning import Plan, name_key
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
    plan: Plan, package: BroadcastPackage, variant: dict[str, Any], root: Path
) -> None:
    described: list[dict[str, Any]] = []
    seen: set[str] = set()
    for planned in plan.files:
        key = name_key(planned.path)
        if key in seen or "/" not in planned.path:
            raise ValueError(f"two files of the bag would be named {planned.path!r}")
        seen.add(key)
        target = root / planned.path
        if planned.storage_name is not None:
            copy_from_storage(planned.storage_name, target)
        elif planned.image is not None:
            render_board_image(*planned.image, target)
        elif planned.mp2_from is not None:
            encode_mp2(planned.mp2_from, target)
        else:
            write_text(target, planned.text or "")
        digest = sha256_file(target)
        if planned.expected_sha256 and digest != planned.expected_sha256:
            raise OSError(f"rendition {planned.storage_name} does not match its recorded SHA-256")
        if planned.tags is not None:
            retag_mp3(target, planned.tags)
            digest = sha256_file(target)
        described.append(
            {
                "path": f"data/{planned.path}",
                "size": target.stat().st_size,
                "sha256": digest,
                "role": planned.role,
                "language": planned.language,
                "item_id": planned.item_id,
                **planned.extra,
            }
        )
    write_text(root / "rundown.json", json.dumps(plan.rundown, ensure_ascii=False, indent=2))
    write_text(root / "rundown.csv", rundown_csv(plan.rundown))
    document = manifest_document(package, variant, plan, described)
    write_text(root / "manifest.json", json.dumps(document, ensure_ascii=False, indent=2))


def write_text(target: Path, text: str) -> None:
    with fresh_file(target) as partial, partial.open("x", encoding="utf-8", newline="") as out:
        out.write(text)
