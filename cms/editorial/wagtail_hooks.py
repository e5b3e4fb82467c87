from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page

from cms.editorial import localize, views
from cms.editorial.dashboard import TranslatorAssignmentsPanel
from cms.editorial.translations import status
from cms.users.unit_access import choosable_pages


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


@hooks.register("before_edit_page", order=-100)
def submit_translation_for_moderation(request: HttpRequest, page: Page) -> HttpResponse | None:
    """Submit for review ("Gửi duyệt") from the translation editor: wagtail-localize's
    editor replaces the page editor for synced translations and has no such action."""
    if request.method != "POST" or not (
        "action-submit" in request.POST or "action-save-draft" in request.POST
    ):
        return None
    translation = localize.enabled_translation(page)
    if translation is None:
        return None  # not a synced translation: Wagtail's own edit view submits it
    if "action-submit" in request.POST:
        return localize.submit_translation(request, translation, page.specific)
    return localize.save_translation_draft(request, translation, page.specific)


@hooks.register("register_admin_urls", order=-100)
def register_localize_overrides() -> list[Any]:
    """Before wagtail-localize's own URLs (same paths), so these checked views answer them."""
    return [
        path(
            "localize/update/<int:translation_source_id>/",
            localize.UpdateTranslationsView.as_view(),
            name="localize_update_translations",
        ),
        path(
            "localize/translate/<int:translation_id>/overrides/<int:overridable_segment_id>/edit/",
            localize.edit_override,
            name="localize_edit_override",
        ),
        path(
            "localize/page/<int:page_id>/convert_to_alias/",
            localize.convert_to_alias,
            name="localize_convert_to_alias",
        ),
    ]


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


@hooks.register("construct_homepage_panels")
def translator_assignments_panel(request: HttpRequest, panels: list[Any]) -> None:
    """Translators see the translations waiting for them first on their dashboard."""
    if request.user.has_perm("wagtail_localize.submit_translation"):
        panels.append(TranslatorAssignmentsPanel(request.user))


# The action menu and messages under the workflow (hooks registered on import).
from cms.editorial import actions  # noqa: E402, F401
