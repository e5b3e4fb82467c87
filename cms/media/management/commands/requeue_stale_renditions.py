"""Runs again the rendition jobs whose worker died (run it every few minutes)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cms.media.renditions import HEARTBEAT_SECONDS, requeue_stale


class Command(BaseCommand):
    help = "Re-queue rendition jobs left 'running' by a worker that stopped (killed, crashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seconds",
            type=float,
            default=HEARTBEAT_SECONDS * 10,
            help="a running job silent this long is stale (default: 10 heartbeats, 300 s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        requeued, failed = requeue_stale(datetime.timedelta(seconds=options["seconds"]))
        self.stdout.write(f"requeued {len(requeued)}, failed {len(failed)}")
