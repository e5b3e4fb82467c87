"""Reporting periods: a 6-month and an annual report per year, cut off on the province's
dates, each starting the day after the previous year's annual cut-off."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _


class PeriodKind:
    HALF_YEAR = "half_year"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date
    year: int | None = None

    @property
    def label(self) -> str:
        dates = _("từ %(start)s đến %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }
        if self.kind == PeriodKind.HALF_YEAR:
            return _("6 tháng đầu năm %(year)s (%(dates)s)") % {"year": self.year, "dates": dates}
        if self.kind == PeriodKind.YEAR:
            return _("Năm %(year)s (%(dates)s)") % {"year": self.year, "dates": dates}
        return dates[0].upper() + dates[1:]


def cutoff(year: int, month_day: tuple[int, int]) -> datetime.date:
    """The cut-off in ``year``; 29/2 becomes 28/2 in other years."""
    month, day = month_day
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def half_year(year: int, half_cutoff: tuple[int, int], annual_cutoff: tuple[int, int]) -> Period:
    start = cutoff(year - 1, annual_cutoff) + datetime.timedelta(days=1)
    return Period(PeriodKind.HALF_YEAR, start, cutoff(year, half_cutoff), year)


def annual(year: int, annual_cutoff: tuple[int, int]) -> Period:
    start = cutoff(year - 1, annual_cutoff) + datetime.timedelta(days=1)
    return Period(PeriodKind.YEAR, start, cutoff(year, annual_cutoff), year)


def current_year(today: datetime.date, annual_cutoff: tuple[int, int]) -> int:
    """The reporting year ``today`` falls in (after the annual cut-off: next year)."""
    return today.year + 1 if today > cutoff(today.year, annual_cutoff) else today.year
