from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.reports.models import ReportingMembership, ReportingSchedule
from cms.reports.viewsets import ReportsViewSet


@hooks.register("register_admin_viewset")
def register_reports_viewset() -> ReportsViewSet:
    return ReportsViewSet()


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
