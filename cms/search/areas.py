"""The area filter as a visitor sees it: today's administrative units, each with the former
units (valid until 30/06/2025) it took over folded under it (issue 14: 4).

Filtering keeps one rule (``AdministrativeUnit.related_units``): choosing a unit finds items
tagged with it, with the units linked to it by the reform (before or after, transitively)
and with their sub-units. :func:`area_keys` is that rule turned around, so each indexed item
carries, in ``SearchDocument.facet_keys``, the ``area:<pk>`` of every *current* unit whose
filter finds it, and the counts shown beside the checkboxes are exactly what ticking one
gives (each item once, however many old and new units it is tagged with).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cms.taxonomy.models import AdministrativeLevel, AdministrativeUnit

AREA_FACET = "area"


def area_keys(unit_pks: Iterable[int]) -> set[int]:
    """The current units whose filter finds an item tagged with ``unit_pks``.

    ``related_units(C)`` is ``component(C)`` and the children of its units, so a tag ``u`` is
    found by ``C`` when ``C`` is in ``component(u)`` or in ``component(parent(u))``."""
    pks = {int(pk) for pk in unit_pks}
    if not pks:
        return set()
    parents = AdministrativeUnit.objects.filter(pk__in=pks, parent__isnull=False)
    start = pks | set(parents.values_list("parent_id", flat=True))
    # the union of each start unit's component
    component = AdministrativeUnit.reform_component(start)
    return set(
        AdministrativeUnit.objects.filter(pk__in=component, valid_until__isnull=True).values_list(
            "pk", flat=True
        )
    )


@dataclass
class AreaChoice:
    """One checkbox of the area filter."""

    pk: int
    name: str
    count: int | None
    selected: bool
    current: bool
    #: the former units this one took over ("Lạng Sơn (đến 30/06/2025)"), for the note
    former: list[str] = field(default_factory=list)
    #: today's communes of a province, shown under it
    children: list[AreaChoice] = field(default_factory=list)


def area_choices(counts: dict[int, int] | None, selected: Iterable[int]) -> list[AreaChoice]:
    """Today's units to offer, provinces first with their communes under them.

    With ``counts`` (a search ran): the units that find something, and the chosen ones.
    Without: today's provinces. A chosen unit that is no longer current (an old link) is
    offered as it is, so it can be unticked."""
    chosen = {int(pk) for pk in selected}
    if counts is None:
        wanted = set(
            AdministrativeUnit.objects.filter(
                valid_until__isnull=True, level=AdministrativeLevel.PROVINCE
            ).values_list("pk", flat=True)
        )
    else:
        wanted = {pk for pk, n in counts.items() if n}
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=wanted | chosen)}
    former = _former_units([pk for pk, u in units.items() if u.valid_until is None])
    choices = {
        pk: AreaChoice(
            pk=pk,
            name=unit.name if unit.valid_until is None else str(unit),
            count=(counts or {}).get(pk) if counts is not None else None,
            selected=pk in chosen,
            current=unit.valid_until is None,
            former=former.get(pk, []),
        )
        for pk, unit in units.items()
    }
    top: list[AreaChoice] = []
    for pk, choice in sorted(choices.items(), key=lambda item: _order(units[item[0]])):
        parent = choices.get(units[pk].parent_id or 0)
        if parent is not None and choice.current and parent.current:
            parent.children.append(choice)
        else:
            top.append(choice)
    return top


def _order(unit: AdministrativeUnit) -> tuple[int, int, str]:
    levels: list[str] = [AdministrativeLevel.PROVINCE, AdministrativeLevel.DISTRICT]
    level = levels.index(unit.level) if unit.level in levels else len(levels)
    return (unit.valid_until is not None, level, unit.name)


def _former_units(current: list[int]) -> dict[int, list[str]]:
    """``current unit -> names of the former units it took over``, directly or through
    intermediate steps (``predecessors``, transitively), e.g. Cần Thơ: Cần Thơ, Hậu Giang,
    Sóc Trăng (đến 30/06/2025)."""
    through = AdministrativeUnit.successors.through
    result: dict[int, list[str]] = {}
    for pk in current:
        seen: set[int] = set()
        frontier = [pk]
        while frontier:
            rows = through.objects.filter(to_administrativeunit_id__in=frontier).values_list(
                "from_administrativeunit_id", flat=True
            )
            frontier = [p for p in rows if p not in seen]
            seen.update(frontier)
        if seen:
            old = AdministrativeUnit.objects.filter(pk__in=seen).order_by("name")
            result[pk] = [unit.name for unit in old]
    return result
