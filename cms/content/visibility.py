"""The one rule for what the public may see: "is this page public".

A page is public when it is live, under live pages only (an item in an unpublished
section is not public), not past its expiry time, has no view restriction
(password, login or groups) on itself or any ancestor, and, for an item, its
``access_level`` is ``public`` (internal and restricted items are for the office only).
Each language version is judged on its own: a withdrawn translation is not public even
when the source page is.

Everything that shows content to people who are not signed in to the admin uses this rule
and nothing else: the site's pages and listings, the language switcher, the print view,
public search, OAI-PMH, document serving and station packages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from wagtail.models import Page


def public_pages(pages: QuerySet[Any] | None = None) -> Any:
    """``pages`` (any page queryset, e.g. ``VideoPage.objects.all()``; default every page)
    narrowed to the public ones."""
    from cms.content.models import ItemPage
    from cms.taxonomy.models import AccessLevel

    queryset: Any = pages if pages is not None else Page.objects.all()  # a PageQuerySet
    not_public_item = ItemPage.objects.filter(pk=OuterRef("pk")).exclude(
        access_level=AccessLevel.PUBLIC
    )
    return (
        queryset.live()
        .public()
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
        .exclude(Exists(not_public_item))
        .exclude(Exists(unpublished_ancestor()))
    )


def unpublished_ancestor() -> QuerySet[Page]:
    """For a subquery: the ancestors of the outer page (``OuterRef("path")``) that are not
    live, below the tree's root (an ancestor's path is a prefix of the page's path)."""
    ancestors: QuerySet[Page] = Page.objects.filter(
        live=False,
        depth__gt=1,
        depth__lt=OuterRef("depth"),
        path=Substr(OuterRef("path"), 1, F("depth") * Page.steplen),
    )
    return ancestors


def under_unpublished_page(page: Page) -> bool:
    """Whether a page of the tree above ``page`` (below the root) is not live."""
    return bool(page.get_ancestors().filter(live=False, depth__gt=1).exists())


def is_public(page: Page | None) -> bool:
    """Whether the public may see this page (its saved, live state)."""
    if page is None or page.pk is None:
        return False
    return bool(public_pages(Page.objects.filter(pk=page.pk)).exists())


def public_translation(page: Page, language_code: str) -> Page | None:
    """The page's version in ``language_code`` if that version is public, else None."""
    found = (
        public_pages(Page.objects.filter(translation_key=page.translation_key))
        .filter(locale__language_code=language_code)
        .first()
    )
    return found.specific if found is not None else None


def _foreign_keys_to(model: Any, target: Any) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "many_to_one", False)
        and field.concrete
        and field.related_model is target
        and field.model is model
    ]


def used_by_public_page(obj: Any) -> bool:
    """Whether a public page uses ``obj`` (a document or an image) through a foreign key
    of a page model (a video's subtitles or poster) or of a page's inline child (an
    exhibition item's photo). Rich text here has no document or image embeds."""
    from django.apps import apps
    from modelcluster.fields import ParentalKey
    from wagtail.models import get_page_models

    target = type(obj)
    for model in get_page_models():
        for name in _foreign_keys_to(model, target):
            if public_pages(model.objects.filter(**{name: obj})).exists():
                return True
    for model in apps.get_models():
        parents = [
            field
            for field in model._meta.get_fields()
            if isinstance(field, ParentalKey) and issubclass(field.related_model, Page)
        ]
        for parent in parents:
            for name in _foreign_keys_to(model, target):
                pages = public_pages(parent.related_model.objects.all())
                used = model._default_manager.filter(**{name: obj, f"{parent.name}__in": pages})
                if used.exists():
                    return True
    return False


def document_is_public(document: Any) -> bool:
    """Whether a public page uses the document (e.g. a live, public video's subtitles)."""
    return used_by_public_page(document)


def image_is_public(image: Any) -> bool:
    """Whether a public page shows the image (a video's poster, an exhibition's photo):
    for the policy that serves image files and renditions under ``/media/``."""
    return used_by_public_page(image)
