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
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


PACKAGE_STATES = [
    ("unreleased", gettext_lazy("Chưa phát hành")),
    ("overdue", gettext_lazy("Có đài quá hạn (khẩn cấp)")),
    ("incomplete", gettext_lazy("Còn đài chưa nhận")),
    ("received", gettext_lazy("Mọi đài đã nhận")),
]


def packages_newest_first() -> QuerySet[BroadcastPackage]:
    """Packages newest first (release date, else creation), with that ``day`` annotated."""
    packages: QuerySet[BroadcastPackage] = BroadcastPackage.objects.annotate(
        day=TruncDate(Coalesce("released_at", "created_at"))
    ).order_by(Coalesce("released_at", "created_at").desc(), "-pk")
    return packages


def filter_package_state(
    packages: QuerySet[BroadcastPackage], state: str
) -> QuerySet[BroadcastPackage]:
    """Every state is a WHERE on indexed columns or an EXISTS on the deliveries
    (``unique (package, station)`` starts with ``package_id``), so the dashboard stays fast
    with thousands of packages times hundreds of stations."""
    deliveries = PackageDelivery.objects.filter(package=OuterRef("pk"))
    if state == "unreleased":
        return packages.filter(released_at__isnull=True)
    if state == "overdue":
        return packages.filter(Exists(deliveries.filter(overdue_q())))
    selected: QuerySet[BroadcastPackage]
    if state == "incomplete":
        selected = packages.alias(
            has_pending=Exists(deliveries.filter(received_at__isnull=True))
        ).filter(released_at__isnull=False, has_pending=True)
        return selected
    if state == "received":
        selected = packages.alias(
            has_any=Exists(deliveries), has_pending=Exists(deliveries.filter(received_at=None))
        ).filter(released_at__isnull=False, has_any=True, has_pending=False)
        return selected
    return packages


DELIVERY_STATES = [
    ("waiting", gettext_lazy("Đang đóng gói / lỗi")),
    ("not_received", gettext_lazy("Sẵn sàng, chưa nhận")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("not_aired", gettext_lazy("Đã nhận, chưa phát")),
    ("aired", gettext_lazy("Đã phát")),
]


def filter_delivery_state(
    deliveries: QuerySet[PackageDelivery], state: str
) -> QuerySet[PackageDelivery]:
    if state == "waiting":
        return deliveries.filter(available_at__isnull=True)
    if state == "not_received":
        return deliveries.filter(available_at__isnull=False, received_at__isnull=True)
    if state == "overdue":
        return deliveries.filter(overdue_q())
    if state == "not_aired":
        return deliveries.filter(received_at__isnull=False, aired_at__isnull=True)
    if state == "aired":
        return deliveries.filter(aired_at__isnull=False)
    return deliveries


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
