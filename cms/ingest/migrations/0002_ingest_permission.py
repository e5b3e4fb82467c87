"""Archivists and content administrators may ingest digitised material (drafts only: the
items still go through an editor and the approval workflow before anyone sees them)."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Lưu trữ viên", "Quản trị nội dung"]


def grant(apps: Any, schema_editor: Any) -> None:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="ingest", codename="run_ingest")
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps: Any, schema_editor: Any) -> None:
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="ingest", codename="run_ingest").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0001_initial"),
        ("archive", "0003_archivist_group"),
        ("editorial", "0001_roles_and_workflow"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
