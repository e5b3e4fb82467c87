"""Index in the order of a search's result window (newest first, undated last), so a
broad query walks it and stops once the window is full. PostgreSQL only: SQLite refuses
NULLS LAST in an index, and searches small databases anyway."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_scope_newest ON archive_search_searchdocument "
            "(scope, date DESC NULLS LAST, id DESC)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_scope_newest")


class Migration(migrations.Migration):
    dependencies = [("archive_search", "0003_narrow_index")]
    operations = [migrations.RunPython(create_index, drop_index)]
