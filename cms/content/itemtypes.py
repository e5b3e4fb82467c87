"""The item types, each declaring its behaviour once (issue 17, 1).

An item type says which master it carries, its spoken or written text, the documents and
images beside it, the fields its archive record keeps, how it is packaged for stations and
how it is shared. The archive, stations, search and sharing apps ask the registry instead of
testing page classes, so a fourth type (a leaflet, a podcast series) is one more
``register(...)`` here and its page model.

The registry names models by their label and resolves them on use: this module imports no
model, so ``models.py`` can take its lists of types from here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils.html import strip_tags

#: how a station package carries the item: its master's renditions, or its exhibits
#: (photos at the board's screen and their captions)
RECORDING = "recording"
EXHIBITS = "exhibits"


class ItemKind:
    """The behaviour of one item page type; subclasses override what differs."""

    #: the page model, "app_label.ModelName"
    label: str = ""
    #: ``cms.search.models.ItemType`` value
    search_code: str = ""
    #: the page field holding the master recording (None: the type has none)
    master_field: str | None = None
    #: the master's ``MediaKind`` ("audio", "video")
    master_kind: str | None = None
    #: what the type needs before it is published: a page field and its label
    media_field: str = ""
    media_label: str = ""
    #: what is said or written in the item (a radio script, a video transcript) and the
    #: name of its text file in an archive bag (``<role>.txt``)
    text_field: str | None = None
    text_role: str = ""
    #: a subtitles document and a poster image beside the master
    subtitles_field: str | None = None
    poster_field: str | None = None
    #: photos or posters with captions (``ExhibitionItem`` rows under ``items``)
    has_exhibits: bool = False
    #: station packages: RECORDING or EXHIBITS; a screen shows the recording itself
    package_payload: str = RECORDING
    plays_on_screen: bool = False
    #: sharing: Open Graph type, schema.org type, the rendition profiles of the web copy
    og_type: str = "article"
    schema_type: str = ""
    web_profiles: tuple[str, ...] = ()

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)

    def master(self, page: Any) -> Any:
        """The master recording the page plays (None if the type has none or it is empty)."""
        if self.master_field is None or self.master_id(page) is None:
            return None
        return getattr(page, self.master_field)

    def master_id(self, page: Any) -> int | None:
        return getattr(page, f"{self.master_field}_id", None) if self.master_field else None

    def text(self, page: Any) -> str:
        return (getattr(page, self.text_field) or "") if self.text_field else ""

    def subtitles(self, page: Any) -> Any:
        if self.subtitles_field is None or not getattr(page, f"{self.subtitles_field}_id"):
            return None
        return getattr(page, self.subtitles_field)

    def poster(self, page: Any) -> Any:
        if self.poster_field is None or not getattr(page, f"{self.poster_field}_id"):
            return None
        return getattr(page, self.poster_field)

    def exhibits(self, page: Any) -> list[Any]:
        """The photos in order, their images loaded (empty for types without exhibits)."""
        if not self.has_exhibits:
            return []
        return list(page.items.select_related("image").order_by("sort_order", "pk"))

    def described_text(self, page: Any) -> list[str]:
        """Further text a reader finds the item by (beyond its spoken text)."""
        return []

    def schedule(self, page: Any) -> tuple[datetime.datetime, datetime.datetime | None] | None:
        """The broadcast window (from, until), if the type is scheduled and has one."""
        return None

    def bulletin_class(self, page: Any) -> str | None:
        return None

    def record_fields(self, page: Any) -> dict[str, Any]:
        """Type-specific fields of the archive record, so an import restores the page."""
        return {}

    def restore_fields(self, page: Any, fields: dict[str, Any]) -> None:
        """Set the type-specific fields back from ``record_fields``'s output."""


class RadioSegmentKind(ItemKind):
    label = "content.RadioSegmentPage"
    search_code = "radio_segment"
    master_field = "audio"
    master_kind = "audio"
    media_field = "audio"
    media_label = "Bản ghi gốc"
    text_field = "script"
    text_role = "script"
    schema_type = "AudioObject"
    web_profiles = ("web_audio",)

    def schedule(self, page: Any) -> tuple[datetime.datetime, datetime.datetime | None] | None:
        return (page.air_from, page.air_until) if page.air_from else None

    def bulletin_class(self, page: Any) -> str | None:
        return str(page.bulletin_class)

    def record_fields(self, page: Any) -> dict[str, Any]:
        return {
            "bulletinClass": page.bulletin_class,
            "airFrom": page.air_from.isoformat() if page.air_from else None,
            "airUntil": page.air_until.isoformat() if page.air_until else None,
        }

    def restore_fields(self, page: Any, fields: dict[str, Any]) -> None:
        page.bulletin_class = fields.get("bulletinClass") or "normal"
        for name, key in (("air_from", "airFrom"), ("air_until", "airUntil")):
            value = fields.get(key)
            setattr(page, name, datetime.datetime.fromisoformat(value) if value else None)


class VideoKind(ItemKind):
    label = "content.VideoPage"
    search_code = "video"
    master_field = "video"
    master_kind = "video"
    media_field = "video"
    media_label = "Video gốc"
    text_field = "transcript"
    text_role = "transcript"
    subtitles_field = "subtitles"
    poster_field = "poster_image"
    plays_on_screen = True
    og_type = "video.other"
    schema_type = "VideoObject"
    web_profiles = ("web_video", "web_video_light")


class ExhibitionKind(ItemKind):
    label = "content.ExhibitionPage"
    search_code = "exhibition"
    media_field = "items"
    media_label = "Ảnh / tranh"
    has_exhibits = True
    package_payload = EXHIBITS
    schema_type = "ExhibitionEvent"

    def described_text(self, page: Any) -> list[str]:
        parts = [strip_tags(page.intro or ""), page.place]
        for item in page.items.all():
            parts.extend([item.caption, item.place, item.credit])
        return parts

    def record_fields(self, page: Any) -> dict[str, Any]:
        return {"place": page.place, "intro": page.intro}

    def restore_fields(self, page: Any, fields: dict[str, Any]) -> None:
        page.place = fields.get("place", "")
        page.intro = fields.get("intro", "")


_REGISTRY: dict[str, ItemKind] = {}


def register(kind: ItemKind) -> ItemKind:
    """Add an item type (replacing one of the same label)."""
    _REGISTRY[kind.label.lower()] = kind
    return kind


def unregister(label: str) -> None:
    _REGISTRY.pop(label.lower(), None)


for _kind in (RadioSegmentKind(), VideoKind(), ExhibitionKind()):
    register(_kind)


def item_kinds() -> Iterator[ItemKind]:
    yield from _REGISTRY.values()


def item_labels() -> list[str]:
    """The item page types as "app_label.ModelName" (subpage types, page choosers)."""
    return [kind.label for kind in _REGISTRY.values()]


def item_models() -> tuple[type[Model], ...]:
    return tuple(kind.model for kind in _REGISTRY.values())


def kind_of(page: Any) -> ItemKind | None:
    """The item type of a page (a specific page or its model), None for other pages."""
    model = page if isinstance(page, type) else type(page)
    return _REGISTRY.get(model._meta.label_lower) if hasattr(model, "_meta") else None


def kind_for_master(media_kind: str) -> ItemKind | None:
    """The item type that carries masters of a ``MediaKind`` (the first registered)."""
    return next((k for k in _REGISTRY.values() if k.master_kind == media_kind), None)


def master_fields() -> list[str]:
    """Page fields that take a master, over every type."""
    return sorted({k.master_field for k in _REGISTRY.values() if k.master_field})
