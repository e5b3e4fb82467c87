from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.operations.backup import BackupError, back_up


class Command(BaseCommand):
    help = "Back up the database and all stored files as a BagIt bag under DIRECTORY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--label", help="name of the backup (default: backup-<UTC time>)")

    def handle(self, *args: Any, **options: Any) -> None:
        options["directory"].mkdir(parents=True, exist_ok=True)
        try:
            path = back_up(options["directory"], options["label"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
