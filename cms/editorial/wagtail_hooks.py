from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from cms.editorial import views
from cms.editorial.translations import status
from cms.editorial.units import choosable_pages


@hooks.register("construct_page_chooser_queryset")
def hide_other_units_drafts(pages: Any, request: HttpRequest) -> Any:
    return choosable_pages(request.user, pages)


@hooks.register("before_edit_page")
def warn_when_translation_is_outdated(request: HttpRequest, page: Page) -> None:
    if request.method != "GET":
        return
    result = status(page)
    if result is not None and result.outdated:
        messages.warning(
            request,
            _(
                "Bản dịch này đã lỗi thời: bản gốc “%(title)s” được xuất bản lại ngày "
                "%(date)s, sau lần dịch gần nhất."
            )
            % {"title": result.source.title, "date": f"{result.source_changed_at:%d/%m/%Y %H:%M}"},
        )


@hooks.register("register_admin_urls")
def register_editorial_urls() -> list[Any]:
    return [
        path(
            "translations/outdated/",
            views.OutdatedTranslationsView.as_view(),
            name="outdated_translations",
        ),
    ]


@hooks.register("register_reports_menu_item")
def outdated_translations_menu_item() -> MenuItem:
    return MenuItem(
        gettext_lazy("Bản dịch lỗi thời"),
        reverse("outdated_translations"),
        icon_name="warning",
        order=700,
    )
