"""Provincial editors, approvers and administrators manage packages and see carriage;
administrators also manage stations, station users and tokens. Station users get no admin
permission at all: they use the portal and the API only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PACKAGE = [
    (verb, model)
    for model in ("broadcastpackage",)
    for verb in ("add", "change", "delete", "view")
] + [("view", "packagedelivery")]
STATIONS = [
    (verb, model)
    for model in ("station", "stationmembership", "stationtoken")
    for verb in ("add", "change", "delete", "view")
]
GRANTS = {
    "Biên tập viên": PACKAGE,
    "Lãnh đạo duyệt": PACKAGE,
    "Quản trị nội dung": PACKAGE + STATIONS,
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("stations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for verb, model in permissions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="stations", codename=f"{verb}_{model}")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0001_initial"),
        ("editorial", "0001_roles_and_workflow"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
