"""Web addresses of new pages are ASCII for Vietnamese: one rule, Latin diacritics folded.

Before: the admin's JavaScript filled the slug from the title with the accents kept and the
server stored it, so the address was percent-encoded (``n%C6%B0%E1%BB%9Bc-s…``). A reporter
creates pages through the admin's create view (Client, CSRF enforced, the form as rendered).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from wagtail.models import Locale, Page

from benchmarks.html_forms import FormFields
from cms.content.models import RadioSegmentPage
from cms.content.slugs import ascii_slug

pytestmark = [pytest.mark.django_db]

TITLE = "Nước sạch cho đồng bào"


@pytest.fixture
def reporter(make_user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("phongvien", "reporter"))
    return client


def create(client: Client, parent: Page, title: str, slug: str) -> Any:
    url = f"/admin/pages/add/content/radiosegmentpage/{parent.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    parser = FormFields("page-edit-form")
    parser.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    assert "slug" in data
    data["title"] = [title]
    data["slug"] = [slug]
    return client.post(url, data)


def test_the_slug_the_javascript_fills_is_stored_as_ascii(reporter: Client, section: Any):
    # What Wagtail's slug widget fills in from the title (WAGTAIL_ALLOW_UNICODE_SLUGS).
    response = create(reporter, section, TITLE, "nước-sạch-cho-đồng-bào")
    assert response.status_code == 302, response.content.decode()[:2000]
    page = RadioSegmentPage.objects.get(title=TITLE)
    assert page.slug == "nuoc-sach-cho-dong-bao"
    assert page.url_path.endswith("/nuoc-sach-cho-dong-bao/")


def test_an_empty_slug_is_generated_in_ascii(section: Any):
    """The admin form requires a slug; pages made in code get one from the title."""
    page = RadioSegmentPage(title="Đường về bản Đồng Đăng", live=False)
    section.add_child(instance=page)
    assert page.slug == "duong-ve-ban-dong-dang"


def test_a_folded_slug_that_is_taken_is_refused(reporter: Client, section: Any):
    assert create(reporter, section, TITLE, "nuoc-sach-cho-dong-bao").status_code == 302
    response = create(reporter, section, TITLE + " (2)", "nước-sạch-cho-đồng-bào")
    assert response.status_code == 200
    assert "nuoc-sach-cho-dong-bao" in response.content.decode()
    assert RadioSegmentPage.objects.filter(slug="nuoc-sach-cho-dong-bao").count() == 1


def test_existing_accented_slugs_are_not_changed_silently(reporter: Client, section: Any):
    page = RadioSegmentPage(title=TITLE, slug="tam", live=False)
    section.add_child(instance=page)
    Page.objects.filter(pk=page.pk).update(slug="nước-sạch")  # stored before the rule
    page.refresh_from_db()
    page.summary = "Sửa tóm tắt"
    page.save()
    page.save_revision()
    page.refresh_from_db()
    assert page.slug == "nước-sạch"


def test_khmer_translation_keeps_the_ascii_slug(reporter: Client, section: Any):
    """Khmer items are translations: they keep the Vietnamese source's slug, now ASCII.
    Khmer letters have no ASCII spelling, so a Khmer slug is left as Wagtail makes it."""
    assert create(reporter, section, TITLE, "nước-sạch-cho-đồng-bào").status_code == 302
    source = RadioSegmentPage.objects.get(title=TITLE)
    km = Locale.objects.get(language_code="km")
    translation = source.copy_for_translation(km, copy_parents=True)
    assert translation.slug == "nuoc-sach-cho-dong-bao"
    khmer = "ទឹកស្អាតសម្រាប់ប្រជាជន"
    assert ascii_slug(khmer) == khmer
    response = create(reporter, translation.get_parent(), khmer, "tuk-saat")
    assert response.status_code == 302
    assert RadioSegmentPage.objects.get(title=khmer).slug == "tuk-saat"
    page = RadioSegmentPage(title=khmer + " 2", live=False, locale=km)
    translation.get_parent().add_child(instance=page)
    assert page.slug  # Wagtail's own slug from the Khmer title, unchanged by the rule
