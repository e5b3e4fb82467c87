"""Report sections that apps above the reports app add through a Wagtail hook (issue 17 §4)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from wagtail import hooks

from cms.channels.figures import channel_sections
from cms.reports.figures import Row, Section
from cms.reports.periods import Period, PeriodKind
from cms.reports.sections import REPORT_SECTIONS_HOOK, SectionsFunction, registered_sections

PERIOD = Period(PeriodKind.CUSTOM, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))


def _one(key: str) -> SectionsFunction:
    def function(period: Period, restriction: Q | None) -> list[Section]:
        return [Section(key, key, [Row(str(period.start), 0)])]

    return function


def test_the_channels_app_registers_its_figures() -> None:
    assert hooks.get_hooks(REPORT_SECTIONS_HOOK) == [channel_sections]


@pytest.mark.django_db
def test_sections_come_in_the_hooks_order_whatever_the_registration_order() -> None:
    channels = [s.key for s in channel_sections(PERIOD, None)]
    with (
        hooks.register_temporarily(REPORT_SECTIONS_HOOK, _one("late"), order=10),
        hooks.register_temporarily(REPORT_SECTIONS_HOOK, _one("early"), order=-10),
    ):
        found = registered_sections(PERIOD, None)
    assert [s.key for s in found] == ["early", *channels, "late"]
    assert found[0].rows[0].label == "2026-01-01"
    # gone once unregistered
    assert [s.key for s in registered_sections(PERIOD, None)] == channels
