"""Whose figures a user may see.

Superusers and the "Quản trị nội dung" group see everything; a ``ReportingMembership``
gives one producing unit's figures, or a whole province's. A province's products are those
of producing units located in it (or in its pre/post-2025 counterparts); for a producing
unit with no province set, those whose coverage lies in the province.

Office heads (the approver role, "Lãnh đạo duyệt", which holds ``reports.view_report``)
see the figures of the unit or province their reporting membership names, and without one
the whole office's, i.e. the province-wide report. Approvers are not members of unit
groups (``cms.editorial.units`` makes those for reporters and editors only), so the
reporting membership is what ties an office head to a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cms.editorial import roles
from cms.reports.models import ReportingMembership
from cms.search.models import FacetKind, SearchTag
from cms.taxonomy.models import AdministrativeUnit, ProducingUnit

REPORT_PERMISSION = ".".join(roles.REPORT_PERMISSION)


@dataclass(frozen=True)
class ReportScope:
    label: str
    restriction: Q | None  # None: every product
    province: AdministrativeUnit | None = None
    producing_unit: str = ""  # code, when fixed by membership
    sees_all: bool = False


def province_restriction(province: AdministrativeUnit) -> Q:
    related = province.related_units()
    located = set(
        ProducingUnit.objects.filter(province_id__in=related).values_list("code", flat=True)
    )
    unplaced = (
        set(ProducingUnit.objects.filter(province__isnull=True).values_list("code", flat=True))
        - located
    )
    covered = Exists(
        SearchTag.objects.filter(
            document=OuterRef("pk"),
            facet=FacetKind.UNIT,
            value__in=[str(pk) for pk in related],
        )
    )
    return Q(producing_unit__in=located) | Q(Q(producing_unit__in=unplaced), covered)


def is_report_admin(user: Any) -> bool:
    return bool(
        user.is_active
        and (user.is_superuser or user.groups.filter(name=roles.ROLES["administrator"]).exists())
    )


def scope_for(user: Any) -> ReportScope | None:
    """The user's scope, or None when they may not see reports at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_report_admin(user):
        return ReportScope(_("Toàn bộ"), None, sees_all=True)
    membership = (
        ReportingMembership.objects.select_related("producing_unit", "province")
        .filter(user=user)
        .first()
    )
    if membership is None:
        if user.has_perm(REPORT_PERMISSION):
            return ReportScope(_("Toàn bộ"), None, sees_all=True)
        return None
    unit = membership.producing_unit
    if unit is not None:
        return ReportScope(unit.name, Q(producing_unit=unit.code), producing_unit=unit.code)
    province = membership.province
    if province is None:
        raise ValueError(f"reporting membership {membership.pk} names no unit and no province")
    return ReportScope(province.name, province_restriction(province), province=province)
