from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cms.reports.models import ReportingSchedule
from cms.reports.periods import annual, current_year, cutoff, half_year

D = datetime.date


def test_province_cut_offs() -> None:
    assert half_year(2025, (5, 30), (11, 30)).start == D(2024, 12, 1)
    assert half_year(2025, (5, 30), (11, 30)).end == D(2025, 5, 30)
    assert half_year(2025, (6, 20), (12, 10)).start == D(2024, 12, 11)
    assert annual(2025, (12, 10)).end == D(2025, 12, 10)
    assert annual(2025, (11, 30)).start == D(2024, 12, 1)


def test_leap_day_cut_off_falls_back_to_28_february() -> None:
    assert cutoff(2025, (2, 29)) == D(2025, 2, 28)
    assert cutoff(2024, (2, 29)) == D(2024, 2, 29)


def test_current_reporting_year_turns_after_the_annual_cut_off() -> None:
    assert current_year(D(2025, 12, 10), (12, 10)) == 2025
    assert current_year(D(2025, 12, 11), (12, 10)) == 2026


@pytest.mark.django_db
def test_schedule_validation() -> None:
    from cms.taxonomy.models import AdministrativeUnit

    province = AdministrativeUnit.objects.get(code="P2025-20")
    bad = ReportingSchedule(
        province=province, half_year_day=31, half_year_month=6, annual_day=10, annual_month=12
    )
    with pytest.raises(ValidationError):
        bad.full_clean()
    reversed_order = ReportingSchedule(
        province=province, half_year_day=10, half_year_month=12, annual_day=20, annual_month=6
    )
    with pytest.raises(ValidationError):
        reversed_order.full_clean()
    ReportingSchedule(
        province=province, half_year_day=20, half_year_month=6, annual_day=10, annual_month=12
    ).full_clean()
