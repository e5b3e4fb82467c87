"""The registry of report sections that apps above the reports app add (issue 17 §4)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db.models import Q

from cms.channels.figures import channel_sections
from cms.reports import sections
from cms.reports.figures import Row, Section
from cms.reports.periods import Period, PeriodKind


@pytest.fixture
def registry() -> Iterator[dict[str, sections.Registration]]:
    saved = dict(sections._REGISTERED)
    yield sections._REGISTERED
    sections._REGISTERED.clear()
    sections._REGISTERED.update(saved)


def _one(key: str) -> sections.SectionsFunction:
    def function(period: Period, restriction: Q | None) -> list[Section]:
        return [Section(key, key, [Row(str(period.start), 0)])]

    return function


def test_the_channels_app_registers_its_figures() -> None:
    assert [(r.key, r.function) for r in sections.registered()] == [("channels", channel_sections)]


def test_sections_come_by_order_then_key_whatever_the_registration_order(
    registry: dict[str, sections.Registration],
) -> None:
    registry.clear()
    sections.register_section("zeta", _one("zeta"))
    sections.register_section("late", _one("late"), order=200)
    sections.register_section("alpha", _one("alpha"))
    sections.register_section("early", _one("early"), order=10)
    period = Period(PeriodKind.CUSTOM, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    found = sections.registered_sections(period, None)
    assert [s.key for s in found] == ["early", "alpha", "zeta", "late"]
    assert found[0].rows[0].label == "2026-01-01"


def test_registering_a_key_again_replaces_it(
    registry: dict[str, sections.Registration],
) -> None:
    registry.clear()
    sections.register_section("one", _one("first"))
    sections.register_section("one", _one("second"))
    period = Period(PeriodKind.CUSTOM, datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    assert [s.key for s in sections.registered_sections(period, None)] == ["second"]
