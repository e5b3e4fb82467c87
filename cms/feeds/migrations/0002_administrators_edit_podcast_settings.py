"""Content administrators ("Quản trị nội dung") edit the podcast settings (author, owner,
category). Creates ``feeds.change_podcastsettings`` now (Django would only do so after all
migrations) and gives it to that group. Idempotent; a missing group is skipped."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

from cms.editorial import roles

CODENAMES = ("change_podcastsettings",)


def forward(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("feeds")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=roles.ROLES["administrator"]).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="feeds", codename__in=CODENAMES)
        )


def backward(apps: Any, schema_editor: Any) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=roles.ROLES["administrator"]).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="feeds", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feeds", "0001_initial"),
        ("editorial", "0001_roles_and_workflow"),
    ]
    operations = [migrations.RunPython(forward, backward)]
