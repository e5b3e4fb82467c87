"""GIN index on the full-text vector, PostgreSQL only (SQLite searches ``folded_terms``)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS archive_search_vector_gin "
            "ON archive_search_searchdocument USING gin (vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS archive_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("archive_search", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
