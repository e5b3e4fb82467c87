"""A translation whose source changed after it was made is flagged in the admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from wagtail_localize.models import Translation

from cms.content.models import RadioSegmentPage
from cms.editorial.translations import outdated_translations, status


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path / "var"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


def republish_source(django_capture_on_commit_callbacks) -> RadioSegmentPage:
    source = RadioSegmentPage.objects.get(locale__language_code="vi")
    source.summary += " Cập nhật số liệu mới."
    with django_capture_on_commit_callbacks(execute=True):
        source.save_revision().publish()
    return source


@pytest.mark.django_db
def test_fresh_translation_is_not_outdated(demo) -> None:
    km = RadioSegmentPage.objects.get(locale__language_code="km")
    assert status(km) is not None and not status(km).outdated
    assert outdated_translations() == []


@pytest.mark.django_db
def test_source_change_flags_translations_until_synced(
    demo, client, django_user_model, django_capture_on_commit_callbacks
) -> None:
    republish_source(django_capture_on_commit_callbacks)
    km = RadioSegmentPage.objects.get(locale__language_code="km")
    assert status(km).outdated
    assert {s.page.pk for s in outdated_translations()} >= {km.pk}

    client.force_login(django_user_model.objects.get(username="biendich"))  # translator
    report = client.get("/admin/translations/outdated/").content.decode()
    assert "សិទ្ធិកុមារនៅតាមភូមិ" in report
    edit = client.get(f"/admin/pages/{km.pk}/edit/", follow=True).content.decode()
    assert "Bản dịch này đã lỗi thời" in edit

    translation = Translation.objects.get(
        source__object_id=km.translation_key, target_locale=km.locale
    )
    translation.source.update_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    assert not status(RadioSegmentPage.objects.get(pk=km.pk)).outdated
