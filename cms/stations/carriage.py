"""Carriage tracking: who has received and aired what, and overdue emergency bulletins.

``flag_overdue_emergencies`` runs every minute (cron or a systemd timer calling
``manage.py check_carriage``; django-tasks has no scheduler of its own). It marks each
emergency delivery not received within ``EMERGENCY_DOWNLOAD_MINUTES`` once, and sends one
e-mail listing them to ``ALERT_EMAILS`` and the stations' contact addresses.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.stations import conf
from cms.stations.models import BroadcastPackage, PackageDelivery
from cms.taxonomy.models import BulletinClass

logger = logging.getLogger(__name__)


def emergency_deadline() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=int(conf.get("EMERGENCY_DOWNLOAD_MINUTES")))


def overdue_q() -> Q:
    """Emergency deliveries not received (verified) within the configured time."""
    return Q(
        package__bulletin_class=BulletinClass.EMERGENCY,
        received_at__isnull=True,
        targeted_at__lte=emergency_deadline(),
    )


@dataclass
class PackageCarriage:
    package: BroadcastPackage
    targeted: int
    available: int
    received: int
    aired: int
    overdue: int


def package_carriage(packages: QuerySet[BroadcastPackage]) -> list[PackageCarriage]:
    rows = packages.annotate(
        n_targeted=Count("deliveries"),
        n_available=Count("deliveries", filter=Q(deliveries__available_at__isnull=False)),
        n_received=Count("deliveries", filter=Q(deliveries__received_at__isnull=False)),
        n_aired=Count("deliveries", filter=Q(deliveries__aired_at__isnull=False)),
    )
    overdue = dict(
        PackageDelivery.objects.filter(overdue_q(), package__in=packages)
        .values_list("package_id")
        .annotate(n=Count("pk"))
        .values_list("package_id", "n")
    )
    return [
        PackageCarriage(
            package=p,
            targeted=p.n_targeted,
            available=p.n_available,
            received=p.n_received,
            aired=p.n_aired,
            overdue=overdue.get(p.pk, 0),
        )
        for p in rows
    ]


def flag_overdue_emergencies() -> list[PackageDelivery]:
    """Flag newly overdue emergency deliveries and e-mail about them (once each)."""
    deliveries = list(
        PackageDelivery.objects.filter(overdue_q(), overdue_flagged_at__isnull=True)
        .select_related("package", "station")
        .order_by("package_id", "station__name")
    )
    if not deliveries:
        return []
    PackageDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        overdue_flagged_at=timezone.now()
    )
    recipients = list(conf.get("ALERT_EMAILS")) + sorted(
        {d.station.contact_email for d in deliveries if d.station.contact_email}
    )
    if recipients:
        minutes = conf.get("EMERGENCY_DOWNLOAD_MINUTES")
        lines = [
            _("Các đài sau chưa nhận bản tin khẩn cấp sau %(minutes)s phút:")
            % {"minutes": minutes},
            "",
        ]
        for delivery in deliveries:
            lines.append(f"- {delivery.package.title} → {delivery.station.name}")
        try:
            send_mail(
                _("[Khẩn cấp] Đài chưa nhận bản tin"),
                "\n".join(lines),
                getattr(settings, "DEFAULT_FROM_EMAIL", None),
                recipients,
            )
        except Exception:  # mail is best effort; the flag on the dashboard is what counts
            logger.exception("could not send the overdue emergency e-mail")
    return deliveries
