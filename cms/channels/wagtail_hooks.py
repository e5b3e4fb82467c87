from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from cms.channels import access, views
from cms.channels.figures import channel_sections
from cms.channels.forms import ChannelForm
from cms.channels.models import Channel
from cms.reports.sections import REPORT_SECTIONS_HOOK
from cms.users.snippet_scope import ScopedSnippetViewSet

# the plan report lists the channel figures after its own sections
hooks.register(REPORT_SECTIONS_HOOK, channel_sections)


@hooks.register("register_admin_urls")
def register_channel_urls() -> list[Any]:
    return [
        path("channels/item/<int:page_id>/", views.item_posts, name="channels_item_posts"),
        path(
            "channels/item/<int:page_id>/posts/<int:post_id>/",
            views.edit_post,
            name="channels_edit_post",
        ),
        path(
            "channels/item/<int:page_id>/posts/<int:post_id>/delete/",
            views.delete_post,
            name="channels_delete_post",
        ),
    ]


def is_item(page: Page) -> bool:
    from cms.content.models import ItemPage

    return issubclass(page.specific_class or Page, ItemPage)


@hooks.register("register_page_header_buttons")
def channels_header_button(
    page: Page, user: Any, view_name: str, next_url: str | None = None
) -> Iterator[PageMenuItem]:
    """ "Kênh" in the page editor's header menu, for item pages the user may record on."""
    if is_item(page) and access.may_record(user, page):
        yield PageMenuItem(
            _("Kênh"),
            reverse("channels_item_posts", args=[page.pk]),
            icon_name="globe",
            priority=66,
            page=page,
        )


class ChannelViewSet(ScopedSnippetViewSet):
    """The office's official channels, for office heads and content administrators; a head
    tied to one unit by a reporting membership sees and edits that unit's channels only."""

    model = Channel
    icon = "globe"
    menu_label = _("Kênh chính thức")
    menu_name = "official_channels"
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["name", "kind", "url", "producing_unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    edit_handler = ObjectList(Channel.panels, base_form_class=ChannelForm)

    def visible(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return access.managed_channels(user, queryset)

    def may_choose(self, user: Any) -> bool:
        return access.may_manage_channels(user)


register_snippet(ChannelViewSet)
