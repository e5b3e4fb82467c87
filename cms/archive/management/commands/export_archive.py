"""Export published, export-ready items to the national database's store (and the second
copy), or to a directory (``--to-dir``, e.g. a USB disk for a province without a link)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from wagtail.models import Page

from cms.archive.exporter import ExportBusy, ItemOutcome, export
from cms.archive.models import ArchiveItem
from cms.archive.targets import DirectoryTarget, Target, configured_targets


def parse_since(value: str) -> dt.datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since: not a date or date-time: {value!r}")
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def resolve_item(value: str) -> uuid.UUID:
    """A page id, a translation key or a record code."""
    if value.isdigit():
        page = Page.objects.filter(pk=int(value)).first()
        if page is None:
            raise CommandError(f"--item: no page with id {value}")
        key: uuid.UUID = page.translation_key
        return key
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    row = ArchiveItem.objects.filter(record_code=value).first()
    if row is None:
        from cms.archive.items import item_pages

        for page in item_pages().filter(live=True).specific():
            if page.record_code == value:
                found: uuid.UUID = page.translation_key
                return found
        raise CommandError(f"--item: no item with record code {value!r}")
    return row.translation_key


class Command(BaseCommand):
    help = "Export archival packages (BagIt) of ready items; idempotent and resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only items published since (date or date-time)")
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
        parser.add_argument(
            "--item", action="append", default=[], help="page id, translation key or record code"
        )
        parser.add_argument("--to-dir", help="export to this directory instead of S3")

    def handle(self, *args: Any, **options: Any) -> None:
        targets: list[Target] = (
            [DirectoryTarget(options["to_dir"])] if options["to_dir"] else configured_targets()
        )
        keys = [resolve_item(value) for value in options["item"]] or None
        since = parse_since(options["since"]) if options["since"] else None
        try:
            report = export(
                targets, keys=keys, since=since, dry_run=options["dry_run"], log=self.line
            )
        except ExportBusy as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{name}: {count}" for name, count in report.summary().items())
        self.stdout.write(summary)
        if report.aborted:
            raise CommandError(f"export stopped: {report.aborted}")
        if report.count("failed"):
            raise CommandError(f"{report.count('failed')} item(s) failed; run again to resume")

    def line(self, outcome: ItemOutcome) -> None:
        version = f" v{outcome.version:04d}" if outcome.version else ""
        text = f"{outcome.status:12} {outcome.record_code or outcome.translation_key}{version}"
        if outcome.missing:
            text += f" — thiếu: {', '.join(outcome.missing)}"
        if outcome.error:
            text += f" — {outcome.error}"
        if outcome.uploaded_objects:
            text += f" ({outcome.uploaded_objects} objects, {outcome.uploaded_bytes} bytes)"
        self.stdout.write(text)
