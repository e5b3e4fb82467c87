"""Restore an item from its archival package (a bag directory, or a version in S3)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from wagtail.models import Page

from cms.archive.importer import ImportRefused, restore
from cms.archive.targets import S3Target, configured_targets


class Command(BaseCommand):
    help = "Restore an item (every language version, media and metadata) from its bag."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bag", nargs="?", help="path of a bag directory")
        parser.add_argument("--from-s3", metavar="TRANSLATION_KEY", help="read from the store")
        parser.add_argument("--bag-version", type=int, help="version number (default: latest)")
        parser.add_argument("--parent", type=int, help="page id of the section to restore into")

    def handle(self, *args: Any, **options: Any) -> None:
        parent = None
        if options["parent"]:
            parent = Page.objects.filter(pk=options["parent"]).first()
            if parent is None:
                raise CommandError(f"--parent: no page with id {options['parent']}")
        if options["from_s3"]:
            page = self.from_s3(options["from_s3"], options["bag_version"], parent)
        elif options["bag"]:
            page = self.restore(Path(options["bag"]), parent)
        else:
            raise CommandError("give a bag directory or --from-s3 TRANSLATION_KEY")
        self.stdout.write(f"restored: {page.title} (page {page.pk})")

    def restore(self, bag: Path, parent: Page | None, source: str | None = None) -> Page:
        try:
            return restore(bag, parent, source)
        except ImportRefused as error:
            raise CommandError(str(error)) from error

    def from_s3(self, key: str, version: int | None, parent: Page | None) -> Page:
        targets = [t for t in configured_targets() if isinstance(t, S3Target)]
        if not targets:
            raise CommandError("no S3 store configured (CMS_ARCHIVE_S3_BUCKET)")
        target = targets[0]
        if version is None:
            latest = target.read_json(f"items/{key}/latest.json")
            if not latest or latest.get("kind") != "bag":
                raise CommandError(f"no complete bag for {key} in {target.name}")
            version = int(latest["version"])
        label = f"v{version:04d}"
        if not target.read_json(f"items/{key}/{label}.done.json"):
            raise CommandError(f"{label} of {key} is not complete in {target.name}")
        with tempfile.TemporaryDirectory(prefix="restore-") as tmp:
            target.download_prefix(f"items/{key}/{label}", Path(tmp))
            return self.restore(Path(tmp), parent, target.name)
