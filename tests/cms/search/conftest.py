"""Item pages with chosen metadata, published through Wagtail's normal publish path."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from wagtail.models import Locale, Page

from cms.taxonomy.models import (
    AdministrativeUnit,
    Audience,
    Channel,
    ProducingUnit,
    ProductType,
    Topic,
)


@pytest.fixture
def master(master_factory: Any) -> Any:
    """One small recording shared by every item (publishing requires a master)."""
    return master_factory("vi_speech.ogg")


def _vi() -> Locale:
    return Locale.objects.get(language_code="vi")


def set_metadata(
    page: Any,
    *,
    product_type: str = "radio_report",
    topics: tuple[str, ...] = ("crc",),
    channels: tuple[str, ...] = ("commune-loudspeaker",),
    units: tuple[str, ...] = ("P2025-20",),
    producing_unit: str = "so-tu-phap",
    production_date: datetime.date = datetime.date(2025, 3, 10),
    access_level: str = "public",
) -> None:
    vi = _vi()
    page.summary = page.summary or "Tóm tắt"
    page.product_type = ProductType.objects.get(code=product_type, locale=vi)
    page.producing_unit = ProducingUnit.objects.get(code=producing_unit, locale=vi)
    page.funding_source = "state_budget"
    page.rights = "cc_by_4"
    page.retention_period = "permanent"
    page.access_level = access_level
    page.production_date = production_date
    page.topics.set(Topic.objects.filter(code__in=topics, locale=vi))
    page.audiences.set(Audience.objects.filter(code="general-public", locale=vi))
    page.channels.set(Channel.objects.filter(code__in=channels, locale=vi))
    page.coverage.set(AdministrativeUnit.objects.filter(code__in=units))


def add_item(parent: Page, page: Any, *, publish: bool = True, **metadata: Any) -> Any:
    set_metadata(page, **metadata)
    page.live = False
    parent.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def translate(page: Any, language: str, *, publish: bool = True, **fields: Any) -> Any:
    """A language version made with Wagtail's copy-for-translation (parents become aliases)."""
    locale = Locale.objects.get(language_code=language)
    translated = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    revision = translated.save_revision()
    if publish:
        revision.publish()
    translated.refresh_from_db()
    return translated
