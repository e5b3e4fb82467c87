"""What a master's item gives its renditions (issue 17: 3; issue 18: 2): the subtitles to
burn in, the title shown on an audiogram and the in/out points of the short cut. The media
layer asks through ``cms.media.inputs`` (registered in ``ContentConfig.ready``); saving an
item, or replacing its subtitle file, schedules its master's renditions again: those whose
inputs changed are made anew."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F

from cms.content.itemtypes import kind_for_master, kind_of
from cms.media.inputs import RenditionInputs
from cms.media.models import MediaKind, MediaMaster


def item_for(master: MediaMaster) -> Any:
    """The item in the master's own language that uses it (a live one first; among pages
    with subtitles, one with subtitles first)."""
    kind = kind_for_master(MediaKind.VIDEO if master.kind == MediaKind.VIDEO else MediaKind.AUDIO)
    if kind is None or kind.master_field is None:
        return None
    pages = kind.model._default_manager.filter(
        **{kind.master_field: master, "locale__language_code": master.language}
    )
    order: list[Any] = ["-live"]
    related = ["locale"]
    if kind.subtitles_field:
        order.append(F(f"{kind.subtitles_field}_id").asc(nulls_last=True))
        related.append(kind.subtitles_field)
    return pages.select_related(*related).order_by(*order, "pk").first()


def rendition_inputs(master: MediaMaster) -> RenditionInputs | None:
    page = item_for(master)
    if page is None:
        return None
    kind = kind_of(page)
    subtitles = kind.subtitles(page) if kind is not None else None
    language = ""
    if subtitles is not None:
        language = getattr(subtitles, "language", "") or page.locale.language_code
    return RenditionInputs(
        subtitles=subtitles,
        subtitles_language=language,
        caption=page.title,
        cut_in=page.cut_in,
        cut_out=page.cut_out,
    )


def schedule_item_renditions(page: Any) -> None:
    """Schedule the renditions of the item's master (new or changed inputs are made again)."""
    kind = kind_of(page)
    master = kind.master(page) if kind is not None else None
    if master is None or not master.kind or not settings.CMS_MEDIA.get("AUTO_RENDER", True):
        return
    from cms.media.renditions import schedule_renditions

    schedule_renditions(master, requeue=False)
