"""Admin hooks of the page models: the posted slug is folded to ASCII (``cms.content.slugs``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

from cms.content.slugs import fold_posted_slug


@hooks.register("before_create_page")
def fold_new_page_slug(request: HttpRequest, parent_page: Any, page_class: Any) -> None:
    fold_posted_slug(request, None)


@hooks.register("before_edit_page")
def fold_edited_page_slug(request: HttpRequest, page: Any) -> None:
    fold_posted_slug(request, page.slug)
