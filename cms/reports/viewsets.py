"""The plan report in the admin as a Wagtail viewset: the page (Wagtail's slim header and
breadcrumbs, its tables as ``ui.tables`` components) and its XLSX and CSV files."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from cms.reports import charts, exports, views
from cms.reports.access import scope_for
from cms.reports.figures import Report


class CellColumn(Column):
    """The n-th cell of a row of figures, shown as the page always showed it (localized)."""

    cell_template_name = "reports/cell.html"
    header_template_name = "reports/column_header.html"

    def __init__(self, index: int, label: str, *, row_header: bool = False) -> None:
        super().__init__(f"c{index}", label=label, accessor=lambda row: row[index])
        self.row_header = row_header

    def get_cell_context_data(self, instance: Any, parent_context: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_cell_context_data(instance, parent_context)
        context["value"] = self.get_value(instance)
        context["row_header"] = self.row_header
        return context


def figures_table(
    headers: list[str], rows: list[list[Any]], caption: str, attrs: dict[str, str] | None = None
) -> Table:
    """Wagtail's table component over rows of cells; the first cell heads its row."""
    columns = [CellColumn(n, h, row_header=n == 0) for n, h in enumerate(headers)]
    return Table(columns, rows, caption=caption, attrs=attrs, template_name="reports/table.html")


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/index.html"
    page_title = gettext_lazy("Báo cáo kế hoạch")
    header_icon = "table"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # build_report checks the user's scope (a 403 for those who see no figures)
        self.report, self.form, self.schedule = views.build_report(request)
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return self.report.scope_label if self.report is not None else ""

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        report: Report | None = self.report
        context.update(form=self.form, report=report, schedule=self.schedule)
        if report is None:
            return context
        title = _("Chỉ tiêu của kế hoạch")
        context["indicator_chart"] = charts.indicator_chart(
            report.indicator, _("Tỷ lệ sản phẩm theo chỉ tiêu")
        )
        headers, rows = exports.indicator_rows(report)
        context["indicator_table"] = figures_table(
            headers, rows, title, {"data-table": "indicator"}
        )
        context["sections"] = [
            {
                "section": s,
                "chart": charts.section_chart(s),
                "table": figures_table(*s.table(), caption=str(s.title)),
            }
            for s in [*report.sections, *report.extra_sections]
        ]
        context["counting_rule"] = exports.counting_rule(report)
        context["query"] = report.query
        return context


class ReportsMenuItem(MenuItem):
    """Shown only to users who may see some figures."""

    def is_shown(self, request: HttpRequest) -> bool:
        return scope_for(request.user) is not None


class ReportsViewSet(ViewSet):
    """/admin/reports/: the page and its files."""

    name = "reports"
    icon = "table"
    # Not "Báo cáo": that is Wagtail's own reports menu (locked pages, workflows, ...).
    menu_label = gettext_lazy("Báo cáo kế hoạch")
    menu_name = "reports"
    menu_order = 900
    add_to_admin_menu = True
    menu_item_class = ReportsMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", ReportView.as_view(), name="index"),
            path("export.xlsx", views.export_xlsx, name="export_xlsx"),
            path("export.csv", views.export_csv, name="export_csv"),
        ]
