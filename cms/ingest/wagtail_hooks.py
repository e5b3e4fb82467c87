from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.ingest import views


@hooks.register("register_admin_urls")
def register_ingest_urls() -> list[Any]:
    return [
        path("ingest/", views.index, name="ingest_index"),
        path("ingest/bang-ke-mau.xlsx", views.template_download, name="ingest_template"),
        path("ingest/<int:batch_id>/", views.batch_view, name="ingest_batch"),
        path("ingest/<int:batch_id>/status.json", views.batch_status, name="ingest_status"),
        path("ingest/<int:batch_id>/report.csv", views.batch_report, name="ingest_report"),
        path("ingest/<int:batch_id>/run/", views.batch_run, name="ingest_run"),
    ]


class IngestMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return views.can_ingest(request.user)


@hooks.register("register_admin_menu_item")
def register_ingest_menu_item() -> MenuItem:
    return IngestMenuItem(
        _("Nhập tư liệu số hóa"), reverse("ingest_index"), icon_name="upload", order=910
    )
