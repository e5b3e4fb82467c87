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
from typing import Any

from django import forms
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.stations import conf
from cms.stations.models import BroadcastPackage, PackageDelivery, StationKind
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
    ("", gettext_lazy("Mọi trạng thái")),
    ("unreleased", gettext_lazy("Chưa phát hành")),
    ("overdue", gettext_lazy("Có đài quá hạn (khẩn cấp)")),
    ("incomplete", gettext_lazy("Còn đài chưa nhận")),
    ("received", gettext_lazy("Mọi đài đã nhận")),
]


class DashboardFilter(forms.Form):
    """Filters of the carriage dashboard: every one is a WHERE on indexed columns or an
    EXISTS on the deliveries (``unique (package, station)`` starts with ``package_id``), so
    the page stays fast with thousands of packages times hundreds of stations."""

    bulletin_class = forms.ChoiceField(
        label=gettext_lazy("Loại bản tin"),
        required=False,
        choices=[("", gettext_lazy("Mọi loại")), *BulletinClass.choices],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), required=False, choices=PACKAGE_STATES
    )
    date_from = forms.DateField(
        label=gettext_lazy("Từ ngày"), required=False, widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Đến ngày"), required=False, widget=forms.DateInput({"type": "date"})
    )
    q = forms.CharField(label=gettext_lazy("Tiêu đề có chứa"), required=False, max_length=100)


def filter_packages(data: dict[str, Any]) -> QuerySet[BroadcastPackage]:
    """Packages matching the cleaned filter, newest first (release date, else creation)."""
    packages = BroadcastPackage.objects.annotate(
        day=TruncDate(Coalesce("released_at", "created_at"))
    )
    if data.get("bulletin_class"):
        packages = packages.filter(bulletin_class=data["bulletin_class"])
    if data.get("date_from"):
        packages = packages.filter(day__gte=data["date_from"])
    if data.get("date_to"):
        packages = packages.filter(day__lte=data["date_to"])
    if data.get("q"):
        packages = packages.filter(title__icontains=data["q"])
    deliveries = PackageDelivery.objects.filter(package=OuterRef("pk"))
    state = data.get("state")
    if state == "unreleased":
        packages = packages.filter(released_at__isnull=True)
    elif state == "overdue":
        packages = packages.filter(Exists(deliveries.filter(overdue_q())))
    elif state == "incomplete":
        packages = packages.alias(
            has_pending=Exists(deliveries.filter(received_at__isnull=True))
        ).filter(released_at__isnull=False, has_pending=True)
    elif state == "received":
        packages = packages.alias(
            has_any=Exists(deliveries), has_pending=Exists(deliveries.filter(received_at=None))
        ).filter(released_at__isnull=False, has_any=True, has_pending=False)
    return packages.order_by(Coalesce("released_at", "created_at").desc(), "-pk")


DELIVERY_STATES = [
    ("", gettext_lazy("Mọi trạng thái")),
    ("waiting", gettext_lazy("Đang đóng gói / lỗi")),
    ("not_received", gettext_lazy("Sẵn sàng, chưa nhận")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("not_aired", gettext_lazy("Đã nhận, chưa phát")),
    ("aired", gettext_lazy("Đã phát")),
]


class DeliveryFilter(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"), required=False, choices=DELIVERY_STATES
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại đài"),
        required=False,
        choices=[("", gettext_lazy("Mọi loại")), *StationKind.choices],
    )
    q = forms.CharField(label=gettext_lazy("Tên hoặc mã đài"), required=False, max_length=100)


def filter_deliveries(package: BroadcastPackage, data: dict[str, Any]) -> QuerySet[PackageDelivery]:
    deliveries = package.deliveries.select_related("station", "build")
    state = data.get("state")
    if state == "waiting":
        deliveries = deliveries.filter(available_at__isnull=True)
    elif state == "not_received":
        deliveries = deliveries.filter(available_at__isnull=False, received_at__isnull=True)
    elif state == "overdue":
        deliveries = deliveries.filter(overdue_q())
    elif state == "not_aired":
        deliveries = deliveries.filter(received_at__isnull=False, aired_at__isnull=True)
    elif state == "aired":
        deliveries = deliveries.filter(aired_at__isnull=False)
    if data.get("kind"):
        deliveries = deliveries.filter(station__kind=data["kind"])
    if data.get("q"):
        deliveries = deliveries.filter(
            Q(station__name__icontains=data["q"]) | Q(station__code__icontains=data["q"])
        )
    return deliveries.order_by("station__name", "pk")


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
