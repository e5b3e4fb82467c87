from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale, Page, Site

from cms.editorial.roles import ROLES


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def vi(db: None) -> Locale:
    return Locale.objects.get(language_code="vi")


@pytest.fixture
def home(vi: Locale) -> Page:
    from cms.content.models import HomePage

    root = Page.get_first_root_node()
    page = HomePage(title="Trang chủ", slug="trang-chu", locale=vi)
    root.add_child(instance=page)
    page.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = page
    site.save()
    return page


@pytest.fixture
def section(home: Page) -> Page:
    from cms.content.models import SectionIndexPage

    page = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def make_user(db: None, django_user_model: Any) -> Any:
    def make(username: str, role: str | None = None, **extra: Any) -> Any:
        user = django_user_model.objects.create_user(
            username=username, password="pw-12345!", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        return user

    return make


@pytest.fixture
def make_station_user(make_user: Any) -> Any:
    """A commune station in Đồng Đăng and a user who belongs to it."""

    def make(username: str = "tram-dong-dang", name: str = "Đài xã Đồng Đăng") -> Any:
        from cms.stations.models import Station, StationMembership
        from cms.taxonomy.models import AdministrativeUnit

        station = Station.objects.create(
            name=name,
            code=username,
            kind="commune_radio",
            administrative_unit=AdministrativeUnit.objects.get(code="C2025-20-dong-dang"),
            languages=["vi"],
        )
        user = make_user(username)
        StationMembership.objects.create(user=user, station=station)
        return user

    return make


@pytest.fixture
def master_factory(db: None, samples: Path) -> Any:
    from cms.media.uploads import master_from_file

    def make(sample: str, language: str = "vi", title: str | None = None) -> Any:
        return master_from_file(samples / sample, title or sample, language)

    return make


def complete_metadata(page: Any) -> None:
    from cms.taxonomy.models import (
        AdministrativeUnit,
        Audience,
        Channel,
        ProducingUnit,
        ProductType,
        Topic,
    )

    vi = Locale.objects.get(language_code="vi")
    page.summary = page.summary or "Tóm tắt"
    page.product_type = ProductType.objects.get(code="radio_report", locale=vi)
    page.producing_unit = ProducingUnit.objects.get(code="so-tu-phap", locale=vi)
    page.funding_source = "state_budget"
    page.rights = "cc_by_4"
    page.retention_period = "permanent"
    page.access_level = "public"
    page.production_date = datetime.date(2025, 10, 1)
    page.topics.set(Topic.objects.filter(code="crc", locale=vi))
    page.audiences.set(Audience.objects.filter(code="children", locale=vi))
    page.channels.set(Channel.objects.filter(code="commune-loudspeaker", locale=vi))
    page.coverage.set(AdministrativeUnit.objects.filter(code="P2025-20"))


def draft_translation(home: Page, section: Page, page: Page, language: str = "km") -> Any:
    """Add ``page`` under ``section`` as a draft and start a draft translation of it into
    ``language`` through wagtail-localize (parents translated first); the Translation."""
    from wagtail_localize.models import Translation
    from wagtail_localize.operations import TranslationCreator

    from cms.content.demo import translate

    section.add_child(instance=page)
    page.save_revision()
    for parent in (home, section):
        translate(parent, language, {}, {}, None)
    locale = Locale.objects.get(language_code=language)
    TranslationCreator(None, [locale]).create_translations(page)
    return Translation.objects.get(source__object_id=page.translation_key, target_locale=locale)
