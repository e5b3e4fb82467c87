"""Rebuild the archive search index from every item page (after an import, a taxonomy
rename, or a failed update)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cms.search.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the archive search index (every item page, live and latest revision)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild()
        self.stdout.write(f"Indexed {count} item pages.")
