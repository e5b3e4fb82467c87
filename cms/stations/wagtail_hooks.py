"""Admin: stations, station users, packages (snippets); the carriage viewset (dashboard, tokens)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from cms.stations import admin_views
from cms.stations.models import BroadcastPackage, Station, StationMembership
from cms.stations.viewsets import CarriageViewSet, ReleaseColumn
from cms.users.snippet_scope import ManagersOnlySnippetViewSet, has_any_model_permission

# Station users and packages are listed and chosen only by those who manage them
# (cms/stations/migrations/0002_permissions.py); stations also by the package makers, who
# target them.


class StationViewSet(ManagersOnlySnippetViewSet):
    model = Station
    icon = "radio-full"
    menu_label = _("Đài / điểm phát")
    list_display = ["name", "code", "kind", "administrative_unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]

    def may_choose(self, user: Any) -> bool:
        return has_any_model_permission(user, Station) or has_any_model_permission(
            user, BroadcastPackage
        )


class StationMembershipViewSet(ManagersOnlySnippetViewSet):
    model = StationMembership
    icon = "user"
    menu_label = _("Người dùng của đài")
    list_display = ["user", "station"]


class BroadcastPackageViewSet(ManagersOnlySnippetViewSet):
    model = BroadcastPackage
    icon = "folder-inverse"
    menu_label = _("Gói phát sóng")
    list_display = [
        "title",
        "bulletin_class",
        "created_at",
        ReleaseColumn("released_at", label=_("Phát hành")),
    ]
    list_filter = ["bulletin_class"]


class StationsGroup(SnippetViewSetGroup):
    menu_label = _("Đài cơ sở")
    menu_icon = "radio-full"
    menu_order = 310
    items = (BroadcastPackageViewSet, StationViewSet, StationMembershipViewSet)


register_snippet(StationsGroup)


@hooks.register("after_create_snippet")
def remember_package_author(request: HttpRequest, instance: Any) -> None:
    if isinstance(instance, BroadcastPackage) and instance.created_by_id is None:
        BroadcastPackage.objects.filter(pk=instance.pk).update(created_by=request.user)


@hooks.register("register_snippet_listing_buttons")
def station_buttons(snippet: Any, user: Any, next_url: str | None = None) -> list[Button]:
    buttons = []
    if isinstance(snippet, Station) and user.has_perm(admin_views.TOKEN_PERMISSION):
        buttons.append(
            Button(
                _("Khóa truy cập"),
                reverse("stations_admin:tokens", args=[snippet.pk]),
                icon_name="key",
                priority=50,
            )
        )
    if isinstance(snippet, BroadcastPackage) and user.has_perm(admin_views.DASHBOARD_PERMISSION):
        if snippet.released_at is None and user.has_perm(admin_views.RELEASE_PERMISSION):
            buttons.append(
                Button(
                    _("Phát hành"),
                    reverse("stations_admin:release", args=[snippet.pk]),
                    icon_name="upload",
                    priority=40,
                )
            )
        buttons.append(
            Button(
                _("Tình hình phát sóng"),
                reverse("stations_admin:package", args=[snippet.pk]),
                icon_name="list-ul",
                priority=45,
            )
        )
    return buttons


@hooks.register("register_admin_viewset")
def register_carriage_viewset() -> CarriageViewSet:
    return CarriageViewSet()
