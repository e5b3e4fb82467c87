"""Flag and e-mail emergency packages not received in time; run it every minute (cron)."""

from typing import Any

from django.core.management.base import BaseCommand

from cms.stations.carriage import flag_overdue_emergencies


class Command(BaseCommand):
    help = "Flag (and e-mail) emergency packages that stations have not received in time."

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = flag_overdue_emergencies()
        self.stdout.write(f"{len(flagged)} overdue emergency deliveries flagged")
