"""Report settings: ``settings.CMS_REPORTS`` overrides these defaults.

Defaults follow Decree 09/2019/ND-CP (6-month figures to 14 June, annual to 14 December);
a province sets its own cut-offs in "Lịch báo cáo" (``ReportingSchedule``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The plan indicator's target range, in per cent of all products.
    "TARGET_MIN": 15,
    "TARGET_MAX": 20,
    # (month, day) of the last day counted in the 6-month and the annual report.
    "HALF_YEAR_CUTOFF": (6, 14),
    "ANNUAL_CUTOFF": (12, 14),
}


def get(name: str) -> Any:
    return getattr(settings, "CMS_REPORTS", {}).get(name, DEFAULTS[name])
