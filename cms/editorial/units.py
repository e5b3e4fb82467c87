"""A producing unit's own section of the site, editable only by that unit's staff.

The generic role groups (cms.editorial.roles) hold their page permissions on the whole
tree, which suits an office with a single unit. Where several departments share one site,
each unit gets a section and two groups of its own whose page permissions stop at that
section; its staff join those groups instead of the generic reporter/editor groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from cms.editorial import roles
from cms.taxonomy.models import ProducingUnit

UNIT_ROLES = ("reporter", "editor")


@dataclass(frozen=True)
class UnitSection:
    section: Page
    groups: dict[str, Group]


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
        for codename in roles.PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=section,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        groups[role] = group
    return UnitSection(section=section, groups=groups)
