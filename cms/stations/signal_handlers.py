"""Keep ``Station.list_version`` right when deliveries disappear (a package deleted)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from cms.stations.models import PackageDelivery


@receiver(post_delete, sender=PackageDelivery, dispatch_uid="stations-delivery-deleted")
def delivery_deleted(
    sender: type[PackageDelivery], instance: PackageDelivery, **kwargs: Any
) -> None:
    from cms.stations.access import touch_stations

    # In the deleting transaction (when a station itself is deleted, its deliveries go
    # first and the update simply touches a row about to be deleted).
    touch_stations([instance.station_id])
