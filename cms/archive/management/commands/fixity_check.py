"""Re-hash masters and stored bags; record a PREMIS event per check; alert on mismatch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.archive import fixity
from cms.archive.targets import configured_targets


class Command(BaseCommand):
    help = "Check the fixity of masters and of the bags in every configured store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", action="append", default=[], help="also check the bags in this directory"
        )
        parser.add_argument("--no-masters", action="store_true", help="skip the masters")
        parser.add_argument("--no-stores", action="store_true", help="skip configured stores")

    def handle(self, *args: Any, **options: Any) -> None:
        targets = [] if options["no_stores"] else configured_targets()
        report = fixity.run(
            targets, [Path(d) for d in options["dir"]], masters=not options["no_masters"]
        )
        self.stdout.write(f"checked: {report.checked}, failures: {len(report.failures)}")
        for failure in report.failures:
            self.stderr.write(failure)
        if report.failures:
            raise CommandError("fixity check found mismatches (admins alerted)")
