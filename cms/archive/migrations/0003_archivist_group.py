"""The archivist's group ("Lưu trữ viên"): the admin, the archive views, the export log and
the right to start an export run. Declared here so the archive app owns its role."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

ARCHIVIST_GROUP = "Lưu trữ viên"
PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("archive", "view_exportrecord"),
    ("archive", "run_export"),
]


def create(apps: Any, schema_editor: Any) -> None:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ARCHIVIST_GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name=ARCHIVIST_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_run_export_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create, remove)]
