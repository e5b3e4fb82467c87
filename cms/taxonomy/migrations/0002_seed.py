"""Content locales and the controlled vocabularies (see cms/taxonomy/seed.py)."""

import datetime

from django.db import migrations

from cms.i18n.languages import LANGUAGES
from cms.taxonomy import seed

REFORM = datetime.date(2025, 7, 1)
LAST_OLD_DAY = datetime.date(2025, 6, 30)


def seed_all(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    locales = {}
    for lang in LANGUAGES:
        locales[lang.code], _ = Locale.objects.get_or_create(language_code=lang.code)

    def terms(model_name, rows, extra=lambda row: {}):
        Model = apps.get_model("taxonomy", model_name)
        import uuid

        for row in rows:
            code, name_vi, name_en = row[0], row[1], row[2]
            key = uuid.uuid5(uuid.NAMESPACE_URL, f"taxonomy:{model_name}:{code}")
            for locale_code, name in (("vi", name_vi), ("en", name_en)):
                Model.objects.update_or_create(
                    code=code,
                    locale=locales[locale_code],
                    defaults={"name": name, "translation_key": key, **extra(row)},
                )

    terms("Topic", seed.TOPICS)
    terms("ProductType", seed.PRODUCT_TYPES, lambda row: {"media_kind": row[3]})
    terms("Audience", seed.AUDIENCES)
    terms("Channel", seed.CHANNELS, lambda row: {"is_digital": row[3]})
    terms("ProducingUnit", seed.PRODUCING_UNITS)

    Unit = apps.get_model("taxonomy", "AdministrativeUnit")
    old = {}
    for gso, name in seed.OLD_PROVINCES:
        old[gso], _ = Unit.objects.update_or_create(
            code=f"P-{gso}",
            defaults={"gso_code": gso, "name": name, "level": "province",
                      "valid_until": LAST_OLD_DAY},
        )
    for name, merged in seed.NEW_PROVINCES:
        code = f"P2025-{merged[0]}"
        unit, _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "level": "province", "valid_from": REFORM}
        )
        for gso in merged:
            old[gso].successors.add(unit)
    for code, name, province, communes in seed.DEMO_DISTRICTS:
        district, _ = Unit.objects.update_or_create(
            code=code,
            defaults={"name": name, "level": "district", "parent": old[province],
                      "valid_until": LAST_OLD_DAY},
        )
        new_province = old[province].successors.first()
        for commune_code, commune_name in communes:
            commune, _ = Unit.objects.update_or_create(
                code=commune_code,
                defaults={"name": commune_name, "level": "commune", "parent": new_province,
                          "valid_from": REFORM},
            )
            district.successors.add(commune)


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0001_initial"),
        ("wagtailcore", "0053_locale_model"),
    ]
    operations = [migrations.RunPython(seed_all, migrations.RunPython.noop)]
