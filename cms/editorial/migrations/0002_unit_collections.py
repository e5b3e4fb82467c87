"""Units set up before unit collections existed get theirs (see setup_unit_section):
a collection named after the unit, on which its reporter/editor groups hold the image and
document permissions. Units are found by their group names; nothing else changes."""

from typing import Any

from django.db import migrations

from cms.editorial import roles

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's, as Wagtail's collections
STEP = 4
UNIT_ROLES = ("reporter", "editor")


def _step(number: int) -> str:
    text = ""
    while number:
        number, digit = divmod(number, len(ALPHABET))
        text = ALPHABET[digit] + text
    return text.rjust(STEP, "0")


def _child(Collection: Any, root: Any, name: str) -> Any:
    children = Collection.objects.filter(depth=root.depth + 1, path__startswith=root.path)
    found = children.filter(name=name).first()
    if found is not None:
        return found
    last = children.order_by("-path").first()
    number = int(last.path[-STEP:], len(ALPHABET)) + 1 if last else 1
    child = Collection.objects.create(
        name=name, path=root.path + _step(number), depth=root.depth + 1, numchild=0
    )
    root.numchild = children.count()
    root.save(update_fields=["numchild"])
    return child


def forward(apps: Any, schema_editor: Any) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    ProducingUnit = apps.get_model("taxonomy", "ProducingUnit")
    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    for unit in ProducingUnit.objects.all():
        groups = {
            role: Group.objects.filter(name=f"{unit.name} – {roles.ROLES[role]}").first()
            for role in UNIT_ROLES
        }
        if not any(groups.values()):
            continue
        collection = _child(Collection, root, unit.name)
        for role, group in groups.items():
            if group is None:
                continue
            for app_label, codename in roles.COLLECTION_PERMISSIONS[role]:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    ),
                )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_roles_and_workflow"),
        ("taxonomy", "0002_seed"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
