"""An archival item: every live language version of one page, default language first,
and the facts about it that the readiness check and the record share (its province, its
master recording)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from wagtail.models import Page

from cms.archive import conf
from cms.content.itemtypes import item_models, kind_of
from cms.content.models import ItemPage
from cms.media.models import MediaMaster
from cms.taxonomy.models import AdministrativeLevel, AdministrativeUnit


def language_order(code: str) -> int:
    codes = [c for c, _name in settings.LANGUAGES]
    return codes.index(code) if code in codes else len(codes)


@dataclass
class Item:
    """All live language versions of one page, default language first."""

    translation_key: uuid.UUID
    versions: list[ItemPage]

    @property
    def primary(self) -> ItemPage:
        return self.versions[0]

    @property
    def languages(self) -> list[str]:
        return [page.locale.language_code for page in self.versions]


def _specific_versions(pages: Iterable[Page]) -> list[ItemPage]:
    versions = [page.specific for page in pages]
    versions = [page for page in versions if kind_of(page) is not None]
    versions.sort(key=lambda page: (language_order(page.locale.language_code), page.pk))
    return versions


def item_pages() -> Any:
    return Page.objects.type(*item_models())


def load_item(translation_key: uuid.UUID | str) -> Item | None:
    """The item's live versions, or None when no version is live (withdrawn)."""
    key = uuid.UUID(str(translation_key))
    pages = item_pages().live().filter(translation_key=key).select_related("locale")
    versions = _specific_versions(pages)
    return Item(key, versions) if versions else None


def item_for_page(page: Page) -> Item:
    """The item a page belongs to; a draft page alone when nothing is live yet."""
    item = load_item(page.translation_key)
    if item is None:
        return Item(page.translation_key, _specific_versions([page]))
    return item


def published_keys(since: Any = None) -> list[uuid.UUID]:
    """Translation keys of items with a live version (changed since ``since``, if given)."""
    pages = item_pages().live()
    if since is not None:
        pages = pages.filter(last_published_at__gte=since)
    return sorted(set(pages.values_list("translation_key", flat=True)), key=str)


def provider_province(page: ItemPage) -> AdministrativeUnit | None:
    """The province that provides the item (EDM ``provider``): the producing unit's,
    else the province its coverage lies in (today's province after the 2025 merger),
    else the configured one."""
    unit = page.producing_unit
    if unit is not None and unit.province_id:
        province: AdministrativeUnit = unit.province
        return province
    for covered in page.coverage.all().order_by("code"):
        provinces = sorted(provinces_of(covered), key=lambda p: (not p.is_current, p.code))
        if provinces:
            return provinces[0]
    code = conf.get("PROVINCE_CODE")
    if code:
        return AdministrativeUnit.objects.filter(code=code).first()
    return None


def provinces_of(unit: AdministrativeUnit) -> set[AdministrativeUnit]:
    """The province(s) a unit lies in, before and after the reform."""
    current: AdministrativeUnit | None = unit
    seen = 0
    while current is not None and current.level != AdministrativeLevel.PROVINCE and seen < 5:
        current = current.parent
        seen += 1
    found: set[AdministrativeUnit] = set()
    if current is None:
        for successor in unit.successors.all():
            found |= provinces_of(successor) if successor.pk != unit.pk else set()
        return found
    found.add(current)
    found.update(current.successors.filter(level=AdministrativeLevel.PROVINCE))
    return found


def version_master(page: ItemPage) -> MediaMaster | None:
    kind = kind_of(page)
    master: MediaMaster | None = kind.master(page) if kind is not None else None
    return master
