"""Topic, product type and producing unit names in Chinese and Khmer (seed.TERM_NAMES)."""

from django.db import migrations

from cms.taxonomy import seed

# Fields a translation shares with its Vietnamese source.
SHARED = {"ProductType": ["media_kind"], "ProducingUnit": ["province_id"], "Topic": []}


def add_names(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    vi = Locale.objects.filter(language_code="vi").first()
    if vi is None:
        return
    for language, models in seed.TERM_NAMES.items():
        locale, _ = Locale.objects.get_or_create(language_code=language)
        for model_name, names in models.items():
            Model = apps.get_model("taxonomy", model_name)
            for source in Model.objects.filter(locale=vi, code__in=list(names)):
                Model.objects.update_or_create(
                    code=source.code,
                    locale=locale,
                    defaults={
                        "name": names[source.code],
                        "translation_key": source.translation_key,
                        **{field: getattr(source, field) for field in SHARED[model_name]},
                    },
                )


def remove_names(apps, schema_editor):
    for language, models in seed.TERM_NAMES.items():
        for model_name, names in models.items():
            Model = apps.get_model("taxonomy", model_name)
            Model.objects.filter(locale__language_code=language, code__in=list(names)).delete()


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0002_seed")]
    operations = [migrations.RunPython(add_names, remove_names)]
