"""Who may manage which channels and record which posts.

* The list of channels: office heads ("Lãnh đạo duyệt") and content administrators hold the
  ``channels.*_channel`` permissions. Like the plan report (``cms.reports.access``), a
  reporting membership ties a head to one producing unit or one province: such a head sees
  and edits only the channels of that unit (or of the province's units); a head without
  one, an administrator or a superuser, every channel.
* Posts: whoever holds ``channels.add_channelpost`` (reporters, editors, heads,
  administrators) and may edit the item page records posts of that item; a reporter changes
  or deletes only the posts they recorded, the others (``change``/``delete_channelpost``)
  any post of an item they may edit.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from wagtail.models import Page

from cms.channels.models import ChannelPost
from cms.editorial import roles
from cms.reports.models import ReportingMembership
from cms.taxonomy.models import AdministrativeUnit, ProducingUnit


def _membership(user: Any) -> ReportingMembership | None:
    if user.is_superuser or user.groups.filter(name=roles.ROLES["administrator"]).exists():
        return None
    return (
        ReportingMembership.objects.select_related("producing_unit", "province")
        .filter(user=user)
        .first()
    )


def unit_codes(user: Any) -> set[str] | None:
    """The producing units (codes) whose channels the user manages; ``None``: all."""
    membership = _membership(user)
    if membership is None:
        return None
    if membership.producing_unit is not None:
        return {membership.producing_unit.code}
    province: AdministrativeUnit | None = membership.province
    if province is None:
        return set()
    return set(
        ProducingUnit.objects.filter(province_id__in=province.related_units()).values_list(
            "code", flat=True
        )
    )


def may_manage_channels(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and any(user.has_perm(f"channels.{verb}_channel") for verb in ("add", "change", "view"))
    )


def managed_channels(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if not may_manage_channels(user):
        return queryset.none()
    codes = unit_codes(user)
    if codes is None:
        return queryset
    return queryset.filter(producing_unit__code__in=codes)


def may_record(user: Any, page: Page) -> bool:
    """May the user see an item's posts and record new ones."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm("channels.add_channelpost")
        and page.permissions_for_user(user).can_edit()
    )


def may_change(user: Any, page: Page, post: ChannelPost, verb: str = "change") -> bool:
    """May the user change (or, with ``verb="delete"``, delete) this post of the item."""
    if not may_record(user, page):
        return False
    return bool(
        user.has_perm(f"channels.{verb}_channelpost")
        or (post.recorded_by_id is not None and post.recorded_by_id == user.pk)
    )
