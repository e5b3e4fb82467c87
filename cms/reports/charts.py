"""Server-rendered SVG charts (pygal): no JavaScript, readable next to their tables."""

from __future__ import annotations

import re

import pygal
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
        "show_legend": False,
    }


def section_chart(section: Section) -> str:
    """An SVG string for the section, or "" when it has no chart."""
    rows = [row for row in section.rows if row.count][:MAX_BARS]
    if section.chart == "none" or not rows:
        return ""
    if section.chart == "pie":
        chart = pygal.Pie(**{**_config(), "show_legend": True, "inner_radius": 0.4})
        for row in rows:
            chart.add(row.label, row.count)
    elif section.chart == "line":
        chart = pygal.Bar(**_config())
        chart.x_labels = [row.label for row in rows]
        chart.add(section.title, [row.count for row in rows])
    else:
        chart = pygal.HorizontalBar(**{**_config(), "height": 60 + 32 * len(rows)})
        chart.x_labels = [row.label for row in reversed(rows)]
        chart.add(section.title, [row.count for row in reversed(rows)])
    chart.title = section.title
    return _render(chart)


def indicator_chart(indicator: Indicator, title: str) -> str:
    chart = pygal.SolidGauge(
        **{**_config(), "height": 260, "half_pie": True, "inner_radius": 0.6, "show_legend": True}
    )
    chart.title = title
    chart.value_formatter = lambda value: f"{value:.1f} %"
    chart.add(str(title), [{"value": float(indicator.share), "max_value": 100}])
    return _render(chart)
