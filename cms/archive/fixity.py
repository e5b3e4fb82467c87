"""Fixity checks: prove on a schedule that nothing stored has changed.

- masters: re-hash every master file and compare with ``MediaMaster.sha256`` (taken at
  upload, before anything else touched the file);
- bags in directories (second copy, USB disks): ``bagit`` validation, which re-hashes every
  payload file against both manifests;
- bags in S3: stream every object of every completed version and compare its SHA-256 with
  the bag manifest's value recorded in the export log.

Each check is a PREMIS "fixity check" event (``ArchiveEvent``); a mismatch is logged at
ERROR and mailed to the site admins.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from botocore.exceptions import BotoCoreError, ClientError
from django.core.mail import mail_admins

from cms.archive.models import (
    ArchiveEvent,
    EventOutcome,
    EventType,
    ExportRecord,
    ExportStatus,
    VersionKind,
)
from cms.archive.targets import DirectoryTarget, S3Target, Target
from cms.media.models import MediaMaster

logger = logging.getLogger(__name__)
CHUNK = 4 * 1024 * 1024
VERSION_DIR = re.compile(r"^v\d{4,}$")


@dataclass
class FixityReport:
    checked: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _record(
    report: FixityReport,
    ok: bool,
    detail: str,
    *,
    master: MediaMaster | None = None,
    translation_key: uuid.UUID | str | None = None,
    target: str = "",
    object_name: str = "",
) -> None:
    report.checked += 1
    ArchiveEvent.objects.create(
        master=master,
        translation_key=translation_key,
        event_type=EventType.FIXITY_CHECK,
        outcome=EventOutcome.SUCCESS if ok else EventOutcome.FAILURE,
        target=target,
        object_name=object_name[:1000],
        detail=detail[:4000],
        agent="cms.archive.fixity",
    )
    if not ok:
        report.failures.append(f"{target or 'media'} {object_name}: {detail}")
        logger.error("fixity check failed: %s %s: %s", target, object_name, detail)


def check_masters(report: FixityReport, masters: Iterable[MediaMaster] | None = None) -> None:
    for master in masters if masters is not None else MediaMaster.objects.exclude(sha256=""):
        digest = hashlib.sha256()
        try:
            with master.file.storage.open(master.file.name or "", "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
        except (OSError, BotoCoreError, ClientError) as error:
            _record(
                report,
                False,
                f"cannot read: {error}",
                master=master,
                object_name=master.file.name or "",
            )
            continue
        actual = digest.hexdigest()
        ok = actual == master.sha256
        detail = f"sha256 {actual}" if ok else f"sha256 {actual} != recorded {master.sha256}"
        _record(report, ok, detail, master=master, object_name=master.file.name or "")


def check_directory(report: FixityReport, root: Path) -> None:
    """Validate every bag under ``root/items/<key>/vNNNN``."""
    items = root / "items"
    if not items.is_dir():
        return
    for item_dir in sorted(p for p in items.iterdir() if p.is_dir()):
        for bag_dir in sorted(p for p in item_dir.iterdir() if VERSION_DIR.match(p.name)):
            target = f"dir:{root.resolve()}"
            try:
                bag = bagit.Bag(str(bag_dir))
                bag.validate(processes=1)
                ok, detail = True, "bag valid (sha256, sha512)"
            except (bagit.BagError, OSError) as error:
                ok, detail = False, "; ".join([str(error), *changed_files(bag_dir)])
            _record(
                report,
                ok,
                detail,
                translation_key=_uuid_or_none(item_dir.name),
                target=target,
                object_name=str(bag_dir.relative_to(root)),
            )


def changed_files(bag_dir: Path) -> list[str]:
    """Name the files that differ from the manifest (bagit stops at the first
    Payload-Oxum mismatch without naming them)."""
    try:
        bag = bagit.Bag(str(bag_dir))
    except bagit.BagError:
        return []
    changed = []
    for path, digests in bag.entries.items():
        expected = digests.get("sha256")
        target = bag_dir / path
        if expected is None:
            continue
        if not target.is_file():
            changed.append(f"{path}: missing")
            continue
        digest = hashlib.sha256()
        with target.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != expected:
            changed.append(f"{path}: sha256 {digest.hexdigest()} != {expected}")
    return changed


def check_s3(report: FixityReport, target: S3Target) -> None:
    records = ExportRecord.objects.filter(
        target=target.name, status=ExportStatus.DONE, version__kind=VersionKind.BAG
    ).select_related("version__item")
    for record in records:
        problems = []
        for stored in record.objects_stored:
            key = stored["key"]
            if key.endswith(".done.json"):
                continue
            digest = hashlib.sha256()
            try:
                body = target.client.get_object(Bucket=target.bucket, Key=key)["Body"]
                for chunk in body.iter_chunks(CHUNK):
                    digest.update(chunk)
            except (BotoCoreError, ClientError) as error:
                problems.append(f"{key}: cannot read ({error})")
                continue
            if digest.hexdigest() != stored["sha256"]:
                problems.append(f"{key}: sha256 {digest.hexdigest()} != {stored['sha256']}")
        _record(
            report,
            not problems,
            "; ".join(problems) or f"{len(record.objects_stored)} objects match the manifests",
            translation_key=record.version.item.translation_key,
            target=target.name,
            object_name=f"items/{record.version.item.translation_key}/{record.version.label}",
        )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def run(
    targets: Iterable[Target] = (),
    directories: Iterable[Path] = (),
    masters: bool = True,
) -> FixityReport:
    report = FixityReport()
    if masters:
        check_masters(report)
    for target in targets:
        if isinstance(target, S3Target):
            check_s3(report, target)
        elif isinstance(target, DirectoryTarget):
            check_directory(report, target.root)
    for directory in directories:
        check_directory(report, Path(directory))
    if report.failures:
        mail_admins(
            "Kiểm tra toàn vẹn lưu trữ: phát hiện sai lệch",
            "\n".join(report.failures),
            fail_silently=True,
        )
    return report
