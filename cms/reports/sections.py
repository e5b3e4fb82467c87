"""Report sections that apps above the reports app add to every report.

The reports app sits below the apps whose figures it shows (channels), so it cannot import
them; such an app registers a function that computes its sections instead, from its
``AppConfig.ready()``::

    register_section("channels", channel_sections, order=100)

Every report then appends, after its own sections, the sections of every registered
function, in a stable order: by ``order``, then by ``key``. A function gets the report's
period and its restriction (a ``Q`` on ``SearchDocument``, or ``None`` for the whole
office) and returns its sections (none when it has nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from cms.reports.periods import Period

if TYPE_CHECKING:
    from cms.reports.figures import Section

SectionsFunction = Callable[[Period, Q | None], "list[Section]"]


@dataclass(frozen=True)
class Registration:
    key: str
    function: SectionsFunction
    order: int


_REGISTERED: dict[str, Registration] = {}


def register_section(key: str, function: SectionsFunction, *, order: int = 100) -> None:
    """Add ``function``'s sections to every report; registering a key again replaces it."""
    _REGISTERED[key] = Registration(key, function, order)


def registered() -> list[Registration]:
    """The registrations in the order their sections appear."""
    return sorted(_REGISTERED.values(), key=lambda r: (r.order, r.key))


def registered_sections(period: Period, restriction: Q | None) -> list[Section]:
    """The sections of every registered function for one report, in the stable order."""
    sections: list[Section] = []
    for registration in registered():
        sections.extend(registration.function(period, restriction))
    return sections
