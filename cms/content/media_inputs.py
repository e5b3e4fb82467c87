"""What a master's item gives its renditions (issue 17: 3; issue 18: 2): the subtitles to
burn in, the title shown on an audiogram and the in/out points of the short cut. The media
layer asks through ``cms.media.inputs`` (registered in ``ContentConfig.ready``); saving an
item, or replacing its subtitle file, plans its master's renditions again: those whose
inputs changed are made anew."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F

from cms.media.inputs import RenditionInputs
from cms.media.models import MediaKind, MediaMaster


def item_for(master: MediaMaster) -> Any:
    """The item in the master's own language that uses it (a live one first; among video
    pages, one with subtitles first)."""
    from cms.content.models import RadioSegmentPage, VideoPage

    if master.kind == MediaKind.VIDEO:
        return (
            VideoPage.objects.filter(video=master, locale__language_code=master.language)
            .select_related("subtitles", "locale")
            .order_by("-live", F("subtitles_id").asc(nulls_last=True), "pk")
            .first()
        )
    return (
        RadioSegmentPage.objects.filter(audio=master, locale__language_code=master.language)
        .select_related("locale")
        .order_by("-live", "pk")
        .first()
    )


def rendition_inputs(master: MediaMaster) -> RenditionInputs | None:
    page = item_for(master)
    if page is None:
        return None
    subtitles = getattr(page, "subtitles", None)
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


def plan_item(page: Any) -> None:
    """Plan the renditions of the item's master (new or changed inputs are made again)."""
    master = getattr(page, "video", None) if hasattr(page, "video_id") else page.audio
    if master is None or not master.kind or not settings.CMS_MEDIA.get("AUTO_RENDER", True):
        return
    from cms.media.renditions import plan

    plan(master, requeue=False)
