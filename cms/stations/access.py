"""What a station may see and do, shared by the portal and the API.

Every lookup is scoped to the station first: a package not targeted at the station, not yet
built, or not existing at all is the same ``None``, so callers answer the same 404 and leak
nothing about other stations' packages.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cms.security.clients import client_ip
from cms.stations.choices import AuditAction
from cms.stations.models import (
    AiringReport,
    AuditLog,
    BuildStatus,
    PackageBuild,
    PackageDelivery,
    Station,
    StationToken,
)
from cms.taxonomy.models import BulletinClass

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def touch_stations(station_ids: Iterable[int]) -> None:
    """Note that these stations' package lists changed (see ``Station.list_version``).

    Called, in the same transaction, by everything that changes what the list shows:
    release (a new delivery, maybe an emergency pending), availability, receipt, airing,
    deletion. The cached list is keyed by the version read from the database with the
    token, so it can never be served after the change is committed, whatever the cache
    backend (even a per-process one) and however many processes there are.
    """
    ids = sorted(set(station_ids))
    if ids:
        Station.objects.filter(pk__in=ids).update(list_version=F("list_version") + 1)


def list_cache_key(station: Station, request: HttpRequest, *parts: object) -> str:
    """Cache key of one station's list response at its current ``list_version``.

    The host and scheme are part of it because the response holds absolute URLs.
    """
    raw = json.dumps([request.scheme, request.get_host(), *map(str, parts)])
    digest = hashlib.sha256(raw.encode()).hexdigest()[:32]
    return f"stations:list:{station.pk}:{station.list_version}:{digest}"


def available_deliveries(station: Station) -> QuerySet[PackageDelivery]:
    return PackageDelivery.objects.filter(
        station=station, available_at__isnull=False, build__status=BuildStatus.READY
    ).select_related("package", "build")


def delivery_for(station: Station, package_id: int) -> PackageDelivery | None:
    return available_deliveries(station).filter(package_id=package_id).first()


class NotReleased(LookupError):
    """A delivery without a build: ``available_deliveries`` never lists one."""


def released_build(delivery: PackageDelivery) -> PackageBuild:
    """The build of an available delivery (``available_deliveries``: a ready build)."""
    if delivery.build is None:
        raise NotReleased(f"delivery {delivery.pk} has no build")
    return delivery.build


class PortalRank(TypedDict):
    rank: int


if TYPE_CHECKING:  # WithAnnotations takes its second argument for type checkers only
    RankedDelivery = WithAnnotations[PackageDelivery, PortalRank]


def portal_order(deliveries: QuerySet[PackageDelivery]) -> QuerySet[RankedDelivery]:
    """Emergency bulletins not yet aired on top, then packages not yet received, newest first."""
    return deliveries.annotate(
        rank=Case(
            When(Q(package__bulletin_class=BulletinClass.EMERGENCY, aired_at__isnull=True), then=0),
            When(received_at__isnull=True, then=1),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "-available_at", "-pk")


class InvalidCursor(ValueError):
    pass


def encode_cursor(delivery: PackageDelivery) -> str:
    if delivery.available_at is None:
        raise NotReleased(f"delivery {delivery.pk} is not available: no cursor")
    raw = json.dumps([delivery.available_at.isoformat(), delivery.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        stamp, pk = json.loads(raw)
        moment = parse_datetime(stamp)
        if moment is None or not isinstance(pk, int):
            raise InvalidCursor(value)
        return moment, pk
    except (binascii.Error, ValueError, TypeError) as error:
        raise InvalidCursor(value) from error


def deliveries_since(
    station: Station, cursor: str | None, limit: int
) -> tuple[list[PackageDelivery], bool]:
    """Keyset page of the station's available deliveries after ``cursor``, oldest first."""
    deliveries = available_deliveries(station)
    if cursor:
        moment, pk = decode_cursor(cursor)
        deliveries = deliveries.filter(
            Q(available_at__gt=moment) | Q(available_at=moment, pk__gt=pk)
        )
    page = list(deliveries.order_by("available_at", "pk")[: limit + 1])
    return page[:limit], len(page) > limit


def emergency_pending(station: Station) -> bool:
    """An emergency package is targeted at the station and not yet received."""
    return PackageDelivery.objects.filter(
        station=station,
        package__bulletin_class=BulletinClass.EMERGENCY,
        received_at__isnull=True,
    ).exists()


def audit(
    request: HttpRequest,
    action: str,
    *,
    station: Station | None = None,
    token: StationToken | None = None,
    package_id: int | None = None,
    **detail: Any,
) -> None:
    user = getattr(request, "user", None)
    AuditLog.objects.create(
        action=action,
        station=station,
        user=user if user is not None and user.is_authenticated else None,
        token=token,
        ip=client_ip(request),
        package_id=package_id,
        detail=detail,
    )


def record_download(
    request: HttpRequest,
    delivery: PackageDelivery,
    what: str,
    *,
    token: StationToken | None = None,
) -> None:
    """Audit a download (every request, ranges included) and note the first one."""
    action = AuditAction.DOWNLOAD_BAG if what == "bag.zip" else AuditAction.DOWNLOAD_FILE
    audit(
        request,
        action,
        station=delivery.station,
        token=token,
        package_id=delivery.package_id,
        file=what,
        range=request.META.get("HTTP_RANGE", ""),
        method=request.method,
    )
    if delivery.first_download_at is None:
        PackageDelivery.objects.filter(pk=delivery.pk, first_download_at__isnull=True).update(
            first_download_at=timezone.now()
        )


def confirm_receipt(
    request: HttpRequest,
    delivery: PackageDelivery,
    sha256: str,
    *,
    token: StationToken | None = None,
) -> bool:
    """Record receipt if ``sha256`` is the zip's or the bag's (tag manifest's) checksum."""
    sha256 = (sha256 or "").strip().lower()
    build = released_build(delivery)
    ok = bool(sha256) and sha256 in (build.zip_sha256, build.bag_sha256)
    audit(
        request,
        AuditAction.CONFIRM_RECEIPT if ok else AuditAction.RECEIPT_MISMATCH,
        station=delivery.station,
        token=token,
        package_id=delivery.package_id,
        sha256=sha256[:64],
    )
    if ok and delivery.received_at is None:
        with transaction.atomic():
            delivery.received_at = timezone.now()
            delivery.received_sha256 = sha256
            delivery.save(update_fields=["received_at", "received_sha256"])
            touch_stations([delivery.station_id])
    return ok


class InvalidAiring(ValueError):
    pass


def record_airing(
    request: HttpRequest,
    delivery: PackageDelivery,
    aired_at: datetime.datetime,
    item_ids: list[int],
    *,
    token: StationToken | None = None,
    versions: dict[int, list[tuple[str, str]]] | None = None,
) -> AiringReport:
    """Record that the given items went on air at ``aired_at``.

    At least one item: "nothing named" never means "everything" (an empty report once
    marked a whole board as aired that nobody aired). ``versions`` names, per item, the
    language versions aired as (language, title): the portal's form lists each one."""
    items = list(delivery.package.items.order_by("sort_order", "pk").select_related("page"))
    known = {item.pk: (order, item) for order, item in enumerate(items, start=1)}
    chosen = list(dict.fromkeys(item_ids))
    if not chosen:
        raise InvalidAiring("no items")
    if any(pk not in known for pk in chosen):
        raise InvalidAiring("unknown item")
    if timezone.is_naive(aired_at):
        aired_at = timezone.make_aware(aired_at)
    if aired_at > timezone.now() + datetime.timedelta(minutes=5):
        raise InvalidAiring("in the future")
    snapshot: list[dict[str, Any]] = []
    for pk in chosen:
        for language, title in (versions or {}).get(pk) or [("", known[pk][1].page.title)]:
            entry: dict[str, Any] = {"id": pk, "order": known[pk][0], "title": title}
            if language:
                entry["language"] = language
            snapshot.append(entry)
    with transaction.atomic():
        report = AiringReport.objects.create(
            delivery=delivery,
            aired_at=aired_at,
            items=snapshot,
            reported_by=request.user
            if getattr(request, "user", None) and request.user.is_authenticated
            else None,
            token=token,
        )
        if delivery.aired_at is None or aired_at < delivery.aired_at:
            delivery.aired_at = aired_at
            delivery.save(update_fields=["aired_at"])
            touch_stations([delivery.station_id])
    audit(
        request,
        AuditAction.CONFIRM_AIRING,
        station=delivery.station,
        token=token,
        package_id=delivery.package_id,
        aired_at=aired_at.isoformat(),
        items=chosen,
    )
    return report
