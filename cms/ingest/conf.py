from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def ingest_root() -> Path:
    """Where offices copy digitised files for ingest (a share or a mounted disk)."""
    configured = getattr(settings, "CMS_INGEST_ROOT", None) or os.environ.get("CMS_INGEST_ROOT")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "ingest"


def folder_choices() -> list[tuple[str, str]]:
    root = ingest_root()
    if not root.is_dir():
        return []
    choices = [(".", f"{root.name}/ (toàn bộ)")]
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        choices.append((directory.name, f"{directory.name}/"))
        for inner in sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink()):
            relative = f"{directory.name}/{inner.name}"
            choices.append((relative, f"{relative}/"))
    return choices
