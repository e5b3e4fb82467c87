from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.search import admin_views


@hooks.register("register_admin_urls")
def register_archive_search_urls() -> list[Any]:
    return [path("archive-search/", admin_views.admin_search, name="archive_search_admin")]


@hooks.register("register_admin_menu_item")
def archive_search_menu_item() -> MenuItem:
    return MenuItem(
        _("Tìm trong kho lưu trữ"),
        reverse("archive_search_admin"),
        icon_name="search",
        order=150,
        name="archive-search",
    )
