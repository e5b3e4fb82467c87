from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.archive import views


@hooks.register("register_admin_urls")
def register_archive_urls() -> list[Any]:
    return [
        path("archive/", views.readiness_view, name="archive_readiness"),
        path("archive/exports/", views.exports_view, name="archive_exports"),
        path("archive/run/", views.run_export_view, name="archive_run_export"),
    ]


class ArchiveMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return views.can_view(request.user)


@hooks.register("register_admin_menu_item")
def register_archive_menu_item() -> MenuItem:
    return ArchiveMenuItem(
        _("Lưu trữ"), reverse("archive_readiness"), icon_name="folder-inverse", order=900
    )
