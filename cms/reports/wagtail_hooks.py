from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.reports import views
from cms.reports.access import scope_for
from cms.reports.models import ReportingMembership, ReportingSchedule


class ReportsMenuItem(MenuItem):
    """Shown only to users who may see some figures."""

    def is_shown(self, request: HttpRequest) -> bool:
        return scope_for(request.user) is not None


@hooks.register("register_admin_urls")
def register_report_urls() -> list[Any]:
    return [
        path("reports/", views.reports_index, name="reports_index"),
        path("reports/export.xlsx", views.export_xlsx, name="reports_export_xlsx"),
        path("reports/export.csv", views.export_csv, name="reports_export_csv"),
    ]


@hooks.register("register_admin_menu_item")
def reports_menu_item() -> MenuItem:
    # Not "Báo cáo": that is Wagtail's own reports menu (locked pages, workflows, ...).
    return ReportsMenuItem(
        _("Báo cáo kế hoạch"),
        reverse("reports_index"),
        icon_name="table",
        order=900,
        name="reports",
    )


class ScheduleViewSet(SnippetViewSet):
    model = ReportingSchedule
    icon = "date"
    menu_label = _("Lịch báo cáo")
    list_display = ["province", "half_year_day", "half_year_month", "annual_day", "annual_month"]


class MembershipViewSet(SnippetViewSet):
    model = ReportingMembership
    icon = "group"
    menu_label = _("Phạm vi xem báo cáo")
    list_display = ["user", "producing_unit", "province"]


class ReportSettingsGroup(SnippetViewSetGroup):
    items = (ScheduleViewSet, MembershipViewSet)
    menu_icon = "cog"
    menu_label = _("Cài đặt báo cáo")
    menu_order = 910


register_snippet(ReportSettingsGroup)
