"""Report sections that apps above the reports app add to every report.

The reports app sits below the apps whose figures it shows (channels), so it cannot import
them; such an app registers a function computing its sections with Wagtail's hook registry,
in its ``wagtail_hooks.py``::

    hooks.register(REPORT_SECTIONS_HOOK, channel_sections)

Every report then appends, after its own sections, the sections of every registered
function in the hooks' order (``hooks.register(..., order=N)``). A function gets the report's
period and its restriction (a ``Q`` on ``SearchDocument``, or ``None`` for the whole office)
and returns its sections (none when it has nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Q
from wagtail import hooks

from cms.reports.periods import Period

if TYPE_CHECKING:
    from cms.reports.figures import Section

REPORT_SECTIONS_HOOK = "register_report_sections"

SectionsFunction = Callable[[Period, Q | None], "list[Section]"]


def registered_sections(period: Period, restriction: Q | None) -> list[Section]:
    """The sections of every registered function for one report, in the hooks' order."""
    sections: list[Section] = []
    function: SectionsFunction
    for function in hooks.get_hooks(REPORT_SECTIONS_HOOK):
        sections.extend(function(period, restriction))
    return sections
