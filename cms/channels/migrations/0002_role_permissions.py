"""Reporters, editors, office heads and content administrators may record where items were
posted; office heads and administrators manage the channels (``roles.CHANNEL_PERMISSIONS``).

Creates the app's permissions now (Django would only do so after all migrations) and gives
them to the generic role groups and to the existing units' reporter/editor groups
("<unit> – Phóng viên"). Idempotent; a group that does not exist is skipped."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

from cms.editorial import roles

UNIT_ROLES = ("reporter", "editor")


def _groups(apps: Any, role: str) -> list[Any]:
    Group = apps.get_model("auth", "Group")
    groups = list(Group.objects.filter(name=roles.ROLES[role]))
    if role in UNIT_ROLES:
        groups += list(Group.objects.filter(name__endswith=f" – {roles.ROLES[role]}"))
    return groups


def forward(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("channels")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for role, permissions in roles.CHANNEL_PERMISSIONS.items():
        for app_label, codename in permissions:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            for group in _groups(apps, role):
                group.permissions.add(permission)


def backward(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    for role, permissions in roles.CHANNEL_PERMISSIONS.items():
        for app_label, codename in permissions:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                continue
            for group in _groups(apps, role):
                group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("editorial", "0002_unit_collections"),
    ]
    operations = [migrations.RunPython(forward, backward)]
