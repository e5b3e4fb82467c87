"""The tree's root page is called "Gốc", not Wagtail's "Root", in the Vietnamese admin
(page explorer, breadcrumbs, page choosers)."""

from typing import Any

from django.db import migrations


def rename_root(apps: Any, schema_editor: Any) -> None:
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Root").update(title="Gốc", draft_title="Gốc")


def restore_root(apps: Any, schema_editor: Any) -> None:
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Gốc").update(title="Root", draft_title="Root")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(rename_root, restore_root)]
