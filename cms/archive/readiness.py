"""What an item still lacks before it can be exported."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.archive.items import Item, item_for_page, provider_province, version_master


def readiness(page: Page) -> list[str]:
    """Labels of what the item still lacks before it can be exported (empty: ready).

    Checks the whole item: the shared metadata on the default-language version and the
    media of every published language version.
    """
    return readiness_of(item_for_page(page))


def readiness_of(item: Item) -> list[str]:
    if not item.versions:
        return [str(_("Loại trang không được lưu trữ"))]
    primary = item.primary
    missing: list[str] = []
    if not primary.live:
        missing.append(str(_("Chưa xuất bản")))
    missing.extend(primary.missing_metadata())
    for version in item.versions[1:]:
        for label in version.missing_media():
            missing.append(f"{label} ({version.locale.language_code})")
    product_type = primary.product_type if primary.product_type_id else None
    if product_type is not None and not product_type.media_kind:
        missing.append(str(_("Loại dữ liệu của loại sản phẩm")))
    if primary.producing_unit_id and provider_province(primary) is None:
        missing.append(str(_("Tỉnh/thành phố cung cấp (đơn vị hoặc địa bàn)")))
    for version in item.versions:
        master = version_master(version)
        if master is not None and not master.sha256:
            missing.append(f"{_('Mã băm bản ghi gốc')} ({version.locale.language_code})")
    seen: list[str] = []
    for label in missing:
        if label not in seen:
            seen.append(label)
    return seen
