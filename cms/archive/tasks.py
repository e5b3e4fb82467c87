"""Background tasks. django-tasks has no scheduler: cron (or a systemd timer) enqueues or
runs them, e.g. ``15 2 * * * manage.py export_archive`` and
``30 3 * * 0 manage.py fixity_check`` (see docs/archive.md)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from cms.archive import catalog, fixity
from cms.archive.exporter import export
from cms.archive.targets import configured_targets


@task()
def run_export(item_keys: list[str] | None = None) -> dict[str, Any]:
    import uuid

    keys = [uuid.UUID(k) for k in item_keys] if item_keys else None
    report = export(configured_targets(), keys=keys)
    return {"summary": report.summary(), "aborted": report.aborted}


@task()
def run_fixity_check() -> dict[str, Any]:
    report = fixity.run(configured_targets())
    return {"checked": report.checked, "failures": report.failures}


@task()
def sync_items(item_keys: list[str]) -> int:
    """Bring these items' OAI-PMH catalogue rows up to date (a view restriction changed
    above many items); returns how many were checked."""
    for key in item_keys:
        catalog.sync_safely(key)
    return len(item_keys)
