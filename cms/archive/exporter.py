"""Export runs: which items need a new version, building their bags, storing them in
every target, and the export log that makes runs idempotent and resumable.

For each item:

1. not export-ready → refused, with the missing fields;
2. its content fingerprint (``package.plan_bag``) equals the latest version's and every target
   has that version ``done`` → nothing to do, nothing uploaded;
3. otherwise the version (the latest one again when its fingerprint matches, so a failed
   run is completed, else a new number) is built once and stored in each target that
   does not have it: objects first, the ``.done.json`` marker and ``latest.json`` last,
   then the ``ExportRecord`` is marked ``done``;
4. an item with no live version that was exported before gets a tombstone version.
"""

from __future__ import annotations

import logging
import shutil
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from cms.archive import catalog, conf
from cms.archive.items import item_pages, language_order, load_item, published_keys
from cms.archive.metadata_profile import RecordInvalid
from cms.archive.metadata_profile import validate as validate_record
from cms.archive.models import (
    ArchiveEvent,
    ArchiveItem,
    EventOutcome,
    EventType,
    ExportLease,
    ExportRecord,
    ExportStatus,
    ItemVersion,
    VersionKind,
)
from cms.archive.package import (
    BagChanged,
    BagPlan,
    assemble_bag,
    build_bag,
    frozen_files,
    manifest_digest,
    plan_bag,
)
from cms.archive.readiness import readiness_of
from cms.archive.targets import (
    DirectoryTarget,
    StoredObject,
    Target,
    TargetUnavailable,
    describe_error,
    is_fatal,
    version_prefix,
)

logger = logging.getLogger(__name__)
LEASE_NAME = "export"
LEASE_SECONDS = 15 * 60


class ExportBusy(Exception):
    """Another export run holds the lease."""


@dataclass
class ItemOutcome:
    translation_key: str
    record_code: str = ""
    status: str = ""  # exported | unchanged | not_ready | withdrawn | failed | would_export
    version: int | None = None
    missing: list[str] = field(default_factory=list)
    error: str = ""
    uploaded_bytes: int = 0
    uploaded_objects: int = 0


@dataclass
class RunReport:
    outcomes: list[ItemOutcome] = field(default_factory=list)
    aborted: str = ""

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def ok(self) -> bool:
        return not self.aborted and self.count("failed") == 0

    def summary(self) -> dict[str, int]:
        statuses = ("exported", "unchanged", "withdrawn", "not_ready", "failed", "would_export")
        return {status: self.count(status) for status in statuses}


class Lease:
    """A renewable lease in the database, usable from any number of worker machines."""

    def __init__(self, name: str = LEASE_NAME) -> None:
        self.name = name
        self.holder = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> None:
        now = timezone.now()
        ExportLease.objects.get_or_create(
            name=self.name, defaults={"expires_at": now - timedelta(seconds=1)}
        )
        taken = (
            ExportLease.objects.filter(name=self.name)
            .filter(Q(expires_at__lt=now) | Q(holder=self.holder))
            .update(holder=self.holder, expires_at=now + timedelta(seconds=LEASE_SECONDS))
        )
        if not taken:
            raise ExportBusy("another export run is in progress")

    renew = acquire

    def release(self) -> None:
        ExportLease.objects.filter(name=self.name, holder=self.holder).update(
            holder="", expires_at=timezone.now()
        )


def candidate_keys(since: datetime | None = None) -> list[uuid.UUID]:
    """Items to look at: published ones (changed since ``since``), withdrawn ones still
    shown as present, and ones whose last export did not finish."""
    keys = set(published_keys(since))
    live = set(published_keys())
    # A row shown as present, or whose latest archived version is a bag (a non-public
    # item's row is "deleted" for OAI-PMH while its archived bag still needs a tombstone).
    latest_kind = (
        ItemVersion.objects.filter(item=OuterRef("pk")).order_by("-number").values("kind")[:1]
    )
    present = ArchiveItem.objects.annotate(latest_kind=Subquery(latest_kind)).filter(
        Q(deleted=False) | Q(latest_kind=VersionKind.BAG)
    )
    for key in present.values_list("translation_key", flat=True):
        if key not in live:
            keys.add(key)
    unfinished = ExportRecord.objects.exclude(status=ExportStatus.DONE).values_list(
        "version__item__translation_key", flat=True
    )
    keys.update(unfinished)
    return sorted(keys, key=str)


def export(
    targets: list[Target],
    keys: Iterable[uuid.UUID] | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
    log: Any = None,
) -> RunReport:
    """Export items to every target; see the module docstring."""
    report = RunReport()
    if not targets:
        report.aborted = "no export target configured (CMS_ARCHIVE_S3_BUCKET or --to-dir)"
        return report
    lease = Lease()
    if not dry_run:
        lease.acquire()
    try:
        if not dry_run:
            for target in targets:
                target.check()
                abort = getattr(target, "abort_stale_uploads", None)
                if abort is not None:
                    abort()
        for key in keys if keys is not None else candidate_keys(since):
            outcome = export_item(key, targets, dry_run)
            report.outcomes.append(outcome)
            if log is not None:
                log(outcome)
            if not dry_run:
                lease.renew()
    except TargetUnavailable as error:
        report.aborted = str(error)
        logger.error("export stopped: %s", error)
    finally:
        if not dry_run:
            lease.release()
    return report


def export_item(key: uuid.UUID, targets: list[Target], dry_run: bool = False) -> ItemOutcome:
    outcome = ItemOutcome(str(key))
    item = load_item(key)
    if item is None:
        return withdraw(key, targets, dry_run, outcome)
    missing = readiness_of(item)
    if missing:
        outcome.status = "not_ready"
        outcome.missing = missing
        return outcome
    package = plan_bag(item, validate=False)
    outcome.record_code = package.record_code
    archive_item = ArchiveItem.objects.filter(translation_key=key).first()
    latest = archive_item.versions.order_by("-number").first() if archive_item else None
    # The latest version is completed again (not a new one) when its content is the same
    # and its bag can be made again byte for byte: frozen when first built, or never
    # stored anywhere (a version built before bags were frozen gets a new label).
    reusable = (
        latest
        if latest is not None
        and latest.kind == VersionKind.BAG
        and latest.fingerprint == package.fingerprint
        and (latest.frozen_files or not latest.exports.filter(status=ExportStatus.DONE).exists())
        else None
    )
    same = reusable is not None
    if not same:
        try:
            validate_record(package.record)
        except RecordInvalid as error:
            outcome.status = "not_ready"
            outcome.missing = error.errors
            return outcome
    if dry_run:
        done = reusable is not None and all(_done(reusable, t) for t in targets)
        outcome.status = "unchanged" if done else "would_export"
        if reusable is not None:
            outcome.version = reusable.number
        else:
            outcome.version = latest.number + 1 if latest is not None else 1
        return outcome
    archive_item = catalog.sync_item(key, item, package.record)
    if archive_item is None:  # sync_item makes the row when given the item and its record
        raise RuntimeError(f"item {key}: no catalogue row to export into")
    if reusable is not None:
        version = reusable
    else:
        version = ItemVersion.objects.create(
            item=archive_item,
            number=(latest.number + 1) if latest is not None else 1,
            fingerprint=package.fingerprint,
        )
    outcome.version = version.number
    pending = [t for t in targets if not _done(version, t)]
    if not pending:
        outcome.status = "unchanged"
        return outcome
    try:
        export_version(package, version, pending, outcome)
    except BagChanged as error:
        # A content file known only by name differs from the one the version was built
        # with: the label keeps its bag, the changed content gets the next label.
        logger.warning("%s %s cannot be copied again (%s)", key, version.label, error)
        version = ItemVersion.objects.create(
            item=archive_item, number=version.number + 1, fingerprint=package.fingerprint
        )
        outcome.version = version.number
        outcome.status = outcome.error = ""
        export_version(package, version, list(targets), outcome)
    return outcome


def _done(version: ItemVersion | None, target: Target) -> bool:
    if version is None:
        return False
    return version.exports.filter(target=target.name, status=ExportStatus.DONE).exists()


def _work_bag(version: ItemVersion) -> Path:
    return conf.work_dir() / str(version.item.translation_key) / version.label


def _bag(package: BagPlan, version: ItemVersion, targets: list[Target]) -> Path:
    """The version's one bag: built (and frozen) the first time, assembled from the frozen
    files afterwards, so every target, in this run or a later one, gets the same bytes."""
    key = str(version.item.translation_key)
    destination = _work_bag(version)
    if len(targets) == 1 and isinstance(targets[0], DirectoryTarget):
        # Alone, a directory target gets the bag made in place (no extra copy).
        destination = targets[0].version_dir(key, version.label)
    if version.frozen_files:
        return assemble_bag(package, version.frozen_files, destination)
    bag = build_bag(package, version.number, destination)
    version.frozen_files = frozen_files(bag)
    version.save(update_fields=["frozen_files"])
    return bag


def export_version(
    package: BagPlan, version: ItemVersion, targets: list[Target], outcome: ItemOutcome
) -> None:
    """Raises ``BagChanged`` when the frozen bag cannot be assembled again."""
    key = str(version.item.translation_key)
    bag: Path | None = None
    failures: list[str] = []
    for target in targets:
        record, _ = ExportRecord.objects.get_or_create(version=version, target=target.name)
        record.attempts += 1
        record.status = ExportStatus.PENDING
        record.started_at = timezone.now()
        record.error = ""
        record.save()
        uploaded = {"bytes": 0}

        def progress(n: int, uploaded: dict[str, int] = uploaded) -> None:
            uploaded["bytes"] += n

        try:
            if bag is None:
                bag = _bag(package, version, targets)
            stored = target.store_bag(bag, key, version.label, progress)
            digest = manifest_digest(bag)
            marker = {
                "translationKey": key,
                "recordCode": package.record_code,
                "version": version.number,
                "kind": VersionKind.BAG,
                "fingerprint": package.fingerprint,
                "manifestSha256": digest,
                "objects": [o.as_dict() for o in stored],
                "completedAt": timezone.now().isoformat(),
            }
            done_marker = target.write_json(
                f"{version_prefix(key, version.label)}.done.json", marker
            )
            target.write_json(
                f"items/{key}/latest.json",
                {"version": version.number, "kind": VersionKind.BAG, "label": version.label},
            )
        except BagChanged:
            record.delete()  # this label will not reach this target: the next one will
            raise
        except Exception as error:
            message = describe_error(target.name, error)
            _fail(record, version, target, message)
            outcome.status = "failed"
            outcome.error = message
            failures.append(message)
            if is_fatal(error):
                raise TargetUnavailable(message) from error
            continue
        _succeed(record, version, target, [*stored, done_marker], digest, uploaded["bytes"])
        outcome.uploaded_bytes += uploaded["bytes"]
        outcome.uploaded_objects += sum(1 for o in stored if o.uploaded)
    if not failures:
        outcome.status = "exported"
        if bag is not None and bag.is_relative_to(conf.work_dir()):
            shutil.rmtree(bag, ignore_errors=True)


def _succeed(
    record: ExportRecord,
    version: ItemVersion,
    target: Target,
    stored: list[StoredObject],
    digest: str,
    uploaded: int,
) -> None:
    with transaction.atomic():
        record.status = ExportStatus.DONE
        record.objects_stored = [o.as_dict() for o in stored]
        record.manifest_sha256 = digest
        record.size = sum(o.size for o in stored)
        record.uploaded_bytes = uploaded
        record.finished_at = timezone.now()
        record.save()
        ArchiveEvent.objects.create(
            translation_key=version.item.translation_key,
            event_type=EventType.EXPORT
            if version.kind == VersionKind.BAG
            else EventType.WITHDRAWAL,
            outcome=EventOutcome.SUCCESS,
            target=target.name,
            object_name=version_prefix(str(version.item.translation_key), version.label),
            detail=f"{version.kind} {version.label}; manifest sha256 {digest}".strip(),
            agent="cms.archive.export",
        )


def _fail(record: ExportRecord, version: ItemVersion, target: Target, message: str) -> None:
    logger.error("export of %s %s failed: %s", version.item.translation_key, version.label, message)
    record.status = ExportStatus.FAILED
    record.error = message[:4000]
    record.save(update_fields=["status", "error"])
    ArchiveEvent.objects.create(
        translation_key=version.item.translation_key,
        event_type=EventType.EXPORT if version.kind == VersionKind.BAG else EventType.WITHDRAWAL,
        outcome=EventOutcome.FAILURE,
        target=target.name,
        object_name=version_prefix(str(version.item.translation_key), version.label),
        detail=message[:4000],
        agent="cms.archive.export",
    )


def tombstone_title(archive_item: ArchiveItem) -> tuple[str, str]:
    """(language, title) of a withdrawn item in the record's own language: its version in
    the first language of ``settings.LANGUAGES`` that still exists (unpublished pages keep
    their titles), else the last public record's title in that order, else the row's title.
    The row's title follows the last *public* version, so after withdrawing vi before en it
    is English."""
    pages = item_pages().filter(translation_key=archive_item.translation_key)
    titles = [(page.locale.language_code, page.title) for page in pages.select_related("locale")]
    if not titles:
        for value in archive_item.metadata.get("dc:title", []):
            if isinstance(value, dict) and value.get("@value") and value.get("@language"):
                titles.append((value["@language"], value["@value"]))
    if not titles:
        return "", archive_item.title
    return min(titles, key=lambda pair: language_order(pair[0]))


def withdraw(
    key: uuid.UUID, targets: list[Target], dry_run: bool, outcome: ItemOutcome
) -> ItemOutcome:
    """An item with no live version: a tombstone version on every target that had it."""
    archive_item = ArchiveItem.objects.filter(translation_key=key).first()
    if archive_item is None:
        outcome.status = "unchanged"
        return outcome
    outcome.record_code = archive_item.record_code
    latest = archive_item.versions.order_by("-number").first()
    if latest is None:
        if not dry_run:
            catalog.sync_item(key, None)
        outcome.status = "unchanged"
        return outcome
    if latest.kind == VersionKind.TOMBSTONE:
        version = latest
    elif dry_run:
        outcome.status = "would_export"
        outcome.version = latest.number + 1
        return outcome
    else:
        version = ItemVersion.objects.create(
            item=archive_item,
            number=latest.number + 1,
            kind=VersionKind.TOMBSTONE,
            fingerprint="tombstone",
        )
    outcome.version = version.number
    if not dry_run:
        catalog.sync_item(key, None)
    pending = [t for t in targets if not _done(version, t)]
    if not pending:
        outcome.status = "unchanged"
        return outcome
    if dry_run:
        outcome.status = "would_export"
        return outcome
    for target in pending:
        record, _ = ExportRecord.objects.get_or_create(version=version, target=target.name)
        record.attempts += 1
        record.save(update_fields=["attempts"])
        language, title = tombstone_title(archive_item)
        tombstone = {
            "translationKey": str(key),
            "recordCode": archive_item.record_code,
            "title": title,
            "language": language,
            "version": version.number,
            "kind": VersionKind.TOMBSTONE,
            "withdrawnAt": archive_item.datestamp.isoformat(),
            "previousVersion": version.number - 1,
        }
        try:
            stored = target.write_json(
                f"{version_prefix(str(key), version.label)}.tombstone.json", tombstone
            )
            target.write_json(
                f"items/{key}/latest.json",
                {"version": version.number, "kind": VersionKind.TOMBSTONE, "label": version.label},
            )
        except Exception as error:
            message = describe_error(target.name, error)
            _fail(record, version, target, message)
            outcome.status = "failed"
            outcome.error = message
            if is_fatal(error):
                raise TargetUnavailable(message) from error
            continue
        _succeed(record, version, target, [stored], "", stored.size)
        outcome.uploaded_objects += 1
    if outcome.status != "failed":
        outcome.status = "withdrawn"
    return outcome
