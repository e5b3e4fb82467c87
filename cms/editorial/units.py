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
chooser no other unit's drafts (``choosable_pages``). Those rules are read below the media
app, in ``cms.users.unit_access``; here the sections and groups are set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from cms.editorial import roles
from cms.taxonomy.models import ProducingUnit
from cms.users.unit_access import visible_masters

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
