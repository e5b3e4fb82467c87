"""What of the page tree and of the masters a user works on: the whole office, or a unit's part.

A producing unit's staff hold their page permissions on the unit's section and their
collection permissions on the unit's collection (``cms.editorial.units`` sets them up);
staff of the generic groups (permissions on the root page and the root collection) and
superusers see everything. A master belongs to the unit of the user who uploaded it
(``visible_masters``); in the page chooser a unit's staff see no other unit's drafts
(``choosable_pages``). Below the media app, whose admin is scoped with it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page


def held_nodes(user: Any, permissions: Any, field: str) -> list[Any] | None:
    """The tree nodes (pages or collections) on which the user's groups hold ``permissions``
    (GroupPagePermission or GroupCollectionPermission); ``None`` when that covers the whole
    tree (a superuser, or a permission on the root)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    held = {
        getattr(permission, field)
        for permission in permissions.objects.filter(group__user=user).select_related(field)
    }
    if any(node.is_root() for node in held):
        return None
    return sorted(held, key=lambda node: node.path)


def unit_collections(user: Any) -> list[Collection] | None:
    """The collections a unit's staff work in; ``None`` for office-wide staff."""
    return held_nodes(user, GroupCollectionPermission, "collection")


def within(field: str, nodes: list[Any]) -> Q:
    """Q for the nodes (pages or collections) and their descendants; matches nothing if none."""
    condition = Q(pk__in=[])
    for node in nodes:
        condition |= Q(**{f"{field}path__startswith": node.path})
    return condition


def visible_masters(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Masters uploaded by the user or by staff of the user's units (all, office-wide)."""
    collections = unit_collections(user)
    if collections is None:
        return queryset
    unit_groups = GroupCollectionPermission.objects.filter(
        within("collection__", collections)
    ).values("group")
    colleagues = get_user_model().objects.filter(groups__in=unit_groups).values("pk")
    return queryset.filter(Q(uploaded_by=user.pk) | Q(uploaded_by__in=colleagues))


def page_roots(user: Any) -> list[Page] | None:
    """The pages under which the user holds page permissions; ``None`` for the whole tree."""
    return held_nodes(user, GroupPagePermission, "page")


def choosable_pages(user: Any, pages: QuerySet[Any]) -> QuerySet[Any]:
    """Pages in the user's own part of the tree, and elsewhere only published pages without
    a pending draft (the chooser shows a page's latest draft title)."""
    roots = page_roots(user)
    if roots is None:
        return pages
    allowed = Page.objects.filter(within("", roots) | Q(live=True, has_unpublished_changes=False))
    # by id: the chooser's search filters only on indexed fields (id is one)
    return pages.filter(pk__in=allowed.values("pk"))
