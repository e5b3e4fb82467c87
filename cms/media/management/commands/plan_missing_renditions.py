"""Schedules the renditions that masters do not have yet: after an upgrade adds a profile (the
light web video, say), or an override in ``CMS_MEDIA["PROFILE_OVERRIDES"]`` declares one, the
masters uploaded before get it too. Renditions that exist are left alone, failed ones too
(retry those from the renditions page)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cms.media import renditions
from cms.media.models import MediaMaster


def missing_profiles(master: MediaMaster, table: dict[str, Any]) -> list[str]:
    wanted = [name for name in renditions.profile_names_for(master) if name in table]
    present = set(master.renditions.values_list("profile", flat=True))
    return [name for name in wanted if name not in present]


class Command(BaseCommand):
    help = "Plan (and queue) the renditions each media master is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is missing, plan nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        table = renditions.profiles()
        masters = scheduled = 0
        for master in MediaMaster.objects.order_by("pk").iterator(chunk_size=200):
            missing = missing_profiles(master, table)
            if not missing:
                continue
            masters += 1
            scheduled += len(missing)
            if options["dry_run"]:
                self.stdout.write(f"{master.pk} {master.title}: {', '.join(missing)}")
                continue
            renditions.schedule_renditions(master, requeue=False)
        verb = "missing" if options["dry_run"] else "planned"
        self.stdout.write(f"{masters} masters, {scheduled} renditions {verb}")
