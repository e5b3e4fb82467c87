from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database and stored files from a backup made by backup_site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="replace the current database without asking"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("This replaces the whole database: run again with --yes.")
        try:
            count = restore(options["backup"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database and {count} files from {options['backup']}.")
