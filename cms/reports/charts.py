"""Server-rendered SVG charts (pygal): no JavaScript, readable next to their tables.

Numbers are written as the tables write them (Django's number format for the active
language: "33,3" in Vietnamese), count axes have whole-number ticks only, and every chart
has a legend that is never cut short (issue 14, item 20)."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pygal
from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pygal.style import Style

from cms.reports.figures import Indicator, Section

STYLE = Style(
    background="white",
    plot_background="white",
    font_family="'Noto Sans', sans-serif",
    colors=("#a3121b", "#1f5fa8", "#2e7d32", "#8e6c00", "#6a1b9a", "#00838f", "#5d4037"),
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    legend_font_size=13,
    title_font_size=15,
)
MAX_BARS = 12
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def _render(chart: pygal.graph.graph.Graph) -> str:
    """The SVG without pygal's inline config script (the charts need no JavaScript)."""
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _config() -> dict[str, object]:
    # js=[]: pygal links a tooltip script from a CDN by default; the admin must work offline.
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 720,
        "height": 360,
        "print_values": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "truncate_legend": -1,
        "truncate_label": -1,
        "value_formatter": count_text,
    }


def count_text(value: float | int | None) -> str:
    """A count as the tables show it."""
    return "" if value is None else number_format(round(value), force_grouping=True)


def share_text(value: float | Decimal) -> str:
    """A percentage as the tables show it ("33,3 %")."""
    return f"{number_format(Decimal(str(value)), 1)} %"


def count_ticks(highest: int) -> list[int]:
    """Whole-number ticks from 0 to at least ``highest``, at most about 8 of them."""
    step = max(1, math.ceil(max(highest, 1) / 8))
    return list(range(0, max(highest, 1) + step, step))


def section_chart(section: Section) -> str:
    """An SVG string for the section, or "" when it has no chart."""
    counted = [row for row in section.rows if row.count]
    if section.chart == "none" or not counted:
        return ""
    series_name = _("Số sản phẩm")
    if section.chart == "pie":
        chart = pygal.Pie(**{**_config(), "inner_radius": 0.4})
        for row in section.rows:  # every category in the legend, the empty ones too
            share = f" ({share_text(row.share)})" if row.share is not None else ""
            chart.add(f"{row.label}: {count_text(row.count)}{share}", row.count)
    else:
        rows = counted[:MAX_BARS]
        if section.chart == "line":
            chart = pygal.Bar(**_config())
            chart.x_labels = [row.label for row in rows]
            values = [row.count for row in rows]
        else:
            height = 120 + 32 * len(rows)
            chart = pygal.HorizontalBar(**{**_config(), "height": height})
            chart.x_labels = [row.label for row in reversed(rows)]
            values = [row.count for row in reversed(rows)]
        chart.y_labels = count_ticks(max(values))
        chart.add(series_name, values)
    chart.title = section.title
    return _render(chart)


def indicator_chart(indicator: Indicator, title: str) -> str:
    chart = pygal.SolidGauge(**{**_config(), "height": 300, "half_pie": True, "inner_radius": 0.6})
    chart.title = title
    chart.value_formatter = lambda value: share_text(value)
    legend = _(
        "%(title)s: %(share)s (%(count)s/%(total)s sản phẩm; mục tiêu %(min)s–%(max)s %%)"
    ) % {
        "title": title,
        "share": share_text(indicator.share),
        "count": count_text(indicator.count),
        "total": count_text(indicator.total),
        "min": floatformat(indicator.target_min, "-2"),
        "max": floatformat(indicator.target_max, "-2"),
    }
    chart.add(legend, [{"value": float(indicator.share), "max_value": 100}])
    return _render(chart)
