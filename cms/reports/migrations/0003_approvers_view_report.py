"""Office heads (the approver role, "Lãnh đạo duyệt") may open the plan report.

Creates the ``reports.view_report`` permission now (Django would only do so after all
migrations) and gives it to the groups in ``roles.REPORT_ROLES``. Idempotent; a group
that does not exist is skipped."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

from cms.editorial import roles


def forward(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = roles.REPORT_PERMISSION
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    for role in roles.REPORT_ROLES:
        group = Group.objects.filter(name=roles.ROLES[role]).first()
        if group is not None:
            group.permissions.add(permission)


def backward(apps: Any, schema_editor: Any) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = roles.REPORT_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is None:
        return
    for group in Group.objects.filter(name__in=[roles.ROLES[r] for r in roles.REPORT_ROLES]):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_permission"),
        ("editorial", "0001_roles_and_workflow"),
    ]
    operations = [migrations.RunPython(forward, backward)]
