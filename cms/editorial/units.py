"""A producing unit's own section of the site, editable only by that unit's staff.

The generic role groups (cms.editorial.roles) hold their page permissions on the whole
tree, which suits an office with a single unit. Where several departments share one site,
each unit gets a section and two groups of its own whose page permissions stop at that
section; its staff join those groups instead of the generic reporter/editor groups.

The unit's files follow the same line: the unit gets a Wagtail collection of the same name
on which its groups hold the image and document permissions (Wagtail then lists, opens and
offers in its choosers only the images and documents of the user's collections), and a
master belongs to the unit of the user who uploaded it (``visible_masters``). Staff of the
generic groups (permissions on the root page and the root collection) and superusers see
everything; a unit's staff see their unit's files and no other unit's, and in the page
chooser no other unit's drafts (``choosable_pages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q, QuerySet
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from cms.editorial import roles
from cms.taxonomy.models import ProducingUnit

UNIT_ROLES = ("reporter", "editor")


@dataclass(frozen=True)
class UnitSection:
    section: Page
    groups: dict[str, Group]
    collection: Collection


def group_name(unit: ProducingUnit, role: str) -> str:
    return f"{unit.name} – {roles.ROLES[role]}"


@transaction.atomic
def setup_unit_section(unit: ProducingUnit, parent: Page, slug: str | None = None) -> UnitSection:
    from cms.content.models import SectionIndexPage

    slug = slug or unit.code
    section = SectionIndexPage.objects.child_of(parent).filter(slug=slug).first()
    if section is None:
        section = SectionIndexPage(title=unit.name, slug=slug)
        parent.add_child(instance=section)
        section.save_revision().publish()
    root_collection = Collection.get_first_root_node()
    collection = root_collection.get_children().filter(name=unit.name).first()
    if collection is None:
        collection = root_collection.add_child(name=unit.name)
    groups = {}
    for role in UNIT_ROLES:
        group, _ = Group.objects.get_or_create(name=group_name(unit, role))
        app_label, codename = roles.ADMIN_ACCESS
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
        for app_label, codename in roles.MODEL_PERMISSIONS[role]:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        for app_label, codename in roles.CHANNEL_PERMISSIONS.get(role, []):
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
        for codename in roles.PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=section,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        for app_label, codename in roles.COLLECTION_PERMISSIONS[role]:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )
        groups[role] = group
    return UnitSection(section=section, groups=groups, collection=collection)


def _held_nodes(user: Any, permissions: Any, field: str) -> list[Any] | None:
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
    return _held_nodes(user, GroupCollectionPermission, "collection")


def _within(field: str, nodes: list[Any]) -> Q:
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
        _within("collection__", collections)
    ).values("group")
    colleagues = get_user_model().objects.filter(groups__in=unit_groups).values("pk")
    return queryset.filter(Q(uploaded_by=user.pk) | Q(uploaded_by__in=colleagues))


def page_roots(user: Any) -> list[Page] | None:
    """The pages under which the user holds page permissions; ``None`` for the whole tree."""
    return _held_nodes(user, GroupPagePermission, "page")


def choosable_pages(user: Any, pages: QuerySet[Any]) -> QuerySet[Any]:
    """Pages in the user's own part of the tree, and elsewhere only published pages without
    a pending draft (the chooser shows a page's latest draft title)."""
    roots = page_roots(user)
    if roots is None:
        return pages
    allowed = Page.objects.filter(_within("", roots) | Q(live=True, has_unpublished_changes=False))
    # by id: the chooser's search filters only on indexed fields (id is one)
    return pages.filter(pk__in=allowed.values("pk"))


def restrict_form_choices(fields: dict[str, Any], instance: Any, user: Any) -> None:
    """Limit a page form's master, image and document fields to what the user may choose
    (the page's current choice stays valid), so a posted id cannot pick another unit's file
    that the choosers do not offer."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.permissions import policy_registry

    from cms.media.models import MediaMaster

    if user is None:
        return
    for name, field in fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        model = queryset.model
        if issubclass(model, MediaMaster):
            allowed = visible_masters(user, model.objects.all())
        elif issubclass(model, (AbstractImage, AbstractDocument)):
            policy = policy_registry.get_by_type(model)
            allowed = policy.instances_user_has_any_permission_for(user, ["choose"])
        else:
            continue
        current = getattr(instance, f"{name}_id", None)
        field.queryset = queryset.filter(Q(pk__in=allowed.values("pk")) | Q(pk=current))
