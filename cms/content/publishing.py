"""The one rule for "ready to publish" (issue 17, 1): the mandatory metadata and the
item type's media. The page model applies it to its stored values when it is published;
the editorial form applies it to the posted values when an item is sent for approval or
published, and marks the same fields as required."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cms.content.itemtypes import ItemKind

# Metadata every item must have before it is sent for approval or published
# (docs/design.md#metadata-profile). Field name -> label shown in the error.
REQUIRED_METADATA: dict[str, str] = {
    "summary": "Tóm tắt",
    "product_type": "Loại sản phẩm",
    "topics": "Chủ đề",
    "audiences": "Đối tượng",
    "producing_unit": "Đơn vị chủ trì",
    "coverage": "Địa bàn",
    "channels": "Kênh phát hành",
    "funding_source": "Nguồn kinh phí",
    "rights": "Quyền sử dụng",
    "retention_period": "Thời hạn bảo quản",
    "access_level": "Mức độ tiếp cận",
    "production_date": "Ngày sản xuất",
}


@dataclass(frozen=True)
class Gap:
    """A field an item must fill before it is published, and its label."""

    field: str
    label: str
    is_media: bool = False


def required_fields(kind: ItemKind | None) -> list[Gap]:
    """Everything "ready to publish" asks of an item of this type, metadata first."""
    gaps = [Gap(name, label) for name, label in REQUIRED_METADATA.items()]
    if kind is not None and kind.media_field:
        gaps.append(Gap(kind.media_field, kind.media_label, is_media=True))
    return gaps


def is_empty(value: Any) -> bool:
    """Nothing chosen or written: None, "", an empty list, a query without rows."""
    if value is None or value in ("", [], ()):
        return True
    if hasattr(value, "exists"):
        return not value.exists()
    return False


def missing_for_publication(
    kind: ItemKind | None, value_of: Callable[[str], Any], fields: Iterable[str] | None = None
) -> list[Gap]:
    """The gaps among ``fields`` (default: all), reading each value with ``value_of``."""
    wanted = None if fields is None else set(fields)
    return [
        gap
        for gap in required_fields(kind)
        if (wanted is None or gap.field in wanted) and is_empty(value_of(gap.field))
    ]
