"""Releasing a package: which stations get it, in which variant, and when it is available."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from cms.stations import access
from cms.stations.models import (
    BroadcastPackage,
    BuildStatus,
    PackageBuild,
    PackageDelivery,
    Station,
)
from cms.taxonomy.models import AdministrativeUnit


def unit_scope(package: BroadcastPackage) -> set[int] | None:
    """Administrative units a package reaches, or None for "no unit restriction".

    With ``include_related_units`` a target unit brings everything inside it (children,
    transitively), every unit that was merged into it by the 2025 reform (predecessors, with
    their own children), and the units it and its children became (successors, without
    their contents). So a former district station still registered under its old district code
    receives what its new commune is sent, and targeting a new province reaches stations
    registered under the old provinces and districts merged into it; but targeting one new
    commune does not spill over to its sibling communes, as the symmetric
    ``AdministrativeUnit.related_units`` used by archive search would.
    """
    targets = {unit.pk for unit in package.target_units.all()}
    if not targets:
        return None
    if not package.include_related_units:
        return targets
    through = AdministrativeUnit.successors.through
    inside = descendants(targets)
    frontier = set(inside)
    while frontier:
        predecessors = set(
            through.objects.filter(to_administrativeunit_id__in=frontier).values_list(
                "from_administrativeunit_id", flat=True
            )
        )
        frontier = descendants(predecessors - inside) - inside
        inside |= frontier
    successors = set(
        through.objects.filter(from_administrativeunit_id__in=descendants(targets)).values_list(
            "to_administrativeunit_id", flat=True
        )
    )
    return inside | successors


def descendants(units: set[int]) -> set[int]:
    """The units with everything below them."""
    found = set(units)
    frontier = set(units)
    while frontier:
        frontier = (
            set(
                AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list(
                    "pk", flat=True
                )
            )
            - found
        )
        found |= frontier
    return found


def package_languages(station: Station, package: BroadcastPackage) -> list[str]:
    wanted = set(package.target_languages or [])
    return [code for code in station.languages if not wanted or code in wanted]


def target_stations(package: BroadcastPackage) -> list[Station]:
    """Active stations matching the unit, kind and language targets, plus those named."""
    scope = unit_scope(package)
    explicit = {s.pk for s in package.target_stations.all()}
    stations = Station.objects.filter(is_active=True)
    if scope is not None:
        stations = stations.filter(Q(administrative_unit_id__in=scope) | Q(pk__in=explicit))
    elif explicit:
        stations = stations.filter(pk__in=explicit)
    result = []
    for station in stations.order_by("pk"):
        if (
            station.pk not in explicit
            and package.target_kinds
            and station.kind not in package.target_kinds
        ):
            continue
        if not package_languages(station, package):
            continue
        result.append(station)
    return result


def variant_for(station: Station, package: BroadcastPackage) -> dict[str, Any]:
    variant: dict[str, Any] = {
        "languages": package_languages(station, package),
        "audio_profiles": station.audio_profiles(),
        "video_profile": station.video_profile(),
        "scripts": True,
    }
    # Only when asked for, so the variants (and shared bags) of other stations do not change.
    if station.broadcast_mp2 and "broadcast" in variant["audio_profiles"]:
        variant["broadcast_mp2"] = True
    return variant


def variant_key(variant: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(variant, sort_keys=True).encode()).hexdigest()


def release(package: BroadcastPackage, user: Any = None) -> list[PackageDelivery]:
    """Target the stations, create their deliveries, and enqueue the builds after commit.

    Emergency packages' builds carry the highest queue priority, so a worker picks them
    before any normal package already waiting.
    """
    from cms.stations.tasks import build_package

    with transaction.atomic():
        package = BroadcastPackage.objects.select_for_update().get(pk=package.pk)
        deliveries = []
        touched: list[int] = []
        builds: dict[str, PackageBuild] = {}
        for station in target_stations(package):
            variant = variant_for(station, package)
            key = variant_key(variant)
            if key not in builds:
                builds[key], _ = PackageBuild.objects.get_or_create(
                    package=package, variant_key=key, defaults={"variant": variant}
                )
            delivery, created = PackageDelivery.objects.get_or_create(
                package=package, station=station, defaults={"build": builds[key]}
            )
            deliveries.append(delivery)
            if created:
                touched.append(station.pk)
        access.touch_stations(touched)  # new deliveries: ``emergency_pending`` may change
        if package.released_at is None:
            package.released_at = timezone.now()
            package.released_by = user if getattr(user, "pk", None) else None
            package.save(update_fields=["released_at", "released_by"])
        pending = [b.pk for b in builds.values() if b.status == BuildStatus.PENDING]
        priority = package.priority

        def enqueue() -> None:
            for build_id in pending:
                build_package.using(priority=priority).enqueue(build_id)

        transaction.on_commit(enqueue)
    return deliveries


def mark_available(build: PackageBuild) -> int:
    """Make a ready build visible to its stations.

    ``available_at`` is the keyset cursor of the package list, so it must follow commit
    order per station: the station rows are locked first and the time is the database's
    statement time, taken after the lock, so a build finishing later can never get an
    earlier timestamp than one a station has already seen.
    """
    with transaction.atomic():
        station_ids = list(
            PackageDelivery.objects.filter(build=build, available_at__isnull=True).values_list(
                "station_id", flat=True
            )
        )
        list(Station.objects.select_for_update().filter(pk__in=station_ids).order_by("pk"))
        count = PackageDelivery.objects.filter(build=build, available_at__isnull=True).update(
            available_at=Now()
        )
        access.touch_stations(station_ids)
        if count:
            from cms.stations import push

            package_id = build.package_id
            transaction.on_commit(lambda: push.notify(package_id, station_ids))
        return count
