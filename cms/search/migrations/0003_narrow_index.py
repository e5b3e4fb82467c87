"""Narrow index rows: texts and the exact vector move to ``SearchText``; facet keys.

The index is derived data: the old rows are emptied here and ``fill_empty_index``
(post_migrate) rebuilds them from the pages, as on a first deployment.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def clear_index(apps, schema_editor):
    apps.get_model("archive_search", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive_search", "0002_postgresql_gin_index"),
    ]

    operations = [
        migrations.RunPython(clear_index, migrations.RunPython.noop),
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="text",
                        serialize=False,
                        to="archive_search.searchdocument",
                    ),
                ),
                ("summary", models.TextField(blank=True)),
                (
                    "body",
                    models.TextField(
                        blank=True, help_text="Script, transcript, subtitles, captions."
                    ),
                ),
                ("folded_terms", models.TextField(blank=True)),
                ("exact_terms", models.TextField(blank=True)),
                (
                    "exact_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="body",
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="exact_terms",
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="exact_vector",
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="folded_terms",
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="summary",
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_keys",
            field=models.TextField(blank=True),
        ),
    ]
