from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import override
from wagtail.models import Page

from cms.content.visibility import public_pages
from cms.media.labels import duration

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_url(context: template.Context, page: Page, language_code: str) -> str:
    """The URL of this page's public version in another language; without one, that
    language's "not available" page, which says so and links the versions there are."""
    found = translation_urls(page, context.get("request")).get(language_code)
    if found:
        return found
    with override(language_code):
        return f"{reverse('not_available')}?from={page.pk}"


def translation_urls(page: Page, request: HttpRequest | None) -> dict[str, str]:
    """The public translations' URLs by language code (``cms.content.visibility``: a
    withdrawn, restricted or internal version is not linked): one query for the language
    switcher's every entry, kept on the request."""
    cached = getattr(request, "_cms_translation_urls", None)
    if cached is not None and cached[0] == page.pk:
        return cast(dict[str, str], cached[1])
    urls = {}
    translations = public_pages(Page.objects.filter(translation_key=page.translation_key))
    for translation in translations.select_related("locale"):
        url = translation.get_url(request=request)
        if url:
            urls[translation.locale.language_code] = url
    if request is not None:
        request._cms_translation_urls = (page.pk, urls)  # type: ignore[attr-defined]
    return urls


register.filter("duration", duration)


@dataclass
class Playable:
    """What a public page shows for a master: the URL of its finished rendition, or (none
    finished yet, or cancelled) a "being processed" note. Never the master itself."""

    url: str = ""
    processing: bool = False


@register.simple_tag(takes_context=True)
def playable(context: template.Context, master: object, profile: str) -> Playable:
    """The player's source for a page's master: a finished rendition at ``/media/`` that
    this request may get (see ``cms.media.serving``), or nothing.

    Masters are never served publicly, in any setting: with no finished rendition the page
    shows a note instead of a player (the master is not a fallback)."""
    from cms.media.models import MediaMaster
    from cms.media.serving import may_play, media_url

    request = context.get("request")
    if not isinstance(master, MediaMaster) or request is None or not may_play(request, master):
        return Playable()
    rendition = master.renditions.done().filter(profile=profile).first()
    if rendition is None:
        return Playable(processing=True)
    return Playable(url=media_url(rendition.file.name))


@dataclass
class VideoFile:
    """One finished video rendition as the page offers it: URL, frame size, bytes."""

    url: str
    width: int | None
    height: int | None
    size: int


@dataclass
class VideoSources:
    """What the video page's player offers (issue 14: 3): the full 720p rendition, the
    light 360p one for phones (the player picks it by screen width, and it is the download
    link), and a poster frame. Empty (with ``processing``) until the full one is done."""

    full: VideoFile | None = None
    light: VideoFile | None = None
    poster: str = ""
    processing: bool = False

    @property
    def url(self) -> str:
        return self.full.url if self.full else ""

    @property
    def download(self) -> VideoFile | None:
        return self.light or self.full


VIDEO_PROFILES = ("web_video", "web_video_light")


@register.simple_tag(takes_context=True)
def video_sources(context: template.Context, master: object) -> VideoSources:
    """The video page's sources (see :func:`playable`: never the master itself). The poster
    is the light rendition's frame (640x360, a few KB: phones load it before anything
    plays), else the full one's; an editor's poster image on the page takes precedence in
    the template."""
    from cms.media.models import MediaMaster
    from cms.media.serving import may_play, media_url

    request = context.get("request")
    if not isinstance(master, MediaMaster) or request is None or not may_play(request, master):
        return VideoSources()
    done = {
        rendition.profile: rendition
        for rendition in master.renditions.done().filter(profile__in=VIDEO_PROFILES)
    }
    if "web_video" not in done:
        return VideoSources(processing=True)

    def file(profile: str) -> VideoFile | None:
        rendition = done.get(profile)
        if rendition is None:
            return None
        technical = rendition.technical_metadata or {}
        return VideoFile(
            url=media_url(rendition.file.name),
            width=technical.get("width"),
            height=technical.get("height"),
            size=rendition.size,
        )

    poster = ""
    for profile in ("web_video_light", "web_video"):
        name = (done[profile].extra_files or {}).get("poster") if profile in done else None
        if name:
            poster = media_url(name)
            break
    return VideoSources(full=file("web_video"), light=file("web_video_light"), poster=poster)


#: The fields that carry a page's own text, compared with its original's (the first one a
#: page type has besides the title).
TEXT_FIELDS = ("intro", "summary", "description")


@register.filter
def untranslated(page: Page | None) -> bool:
    """True when ``page`` is a non-Vietnamese version whose title and text are still its
    Vietnamese original's: its template then shows the language-neutral "not translated"
    marker (``content/_untranslated.html``, issue 14: 2) and marks the text ``lang="vi"``.
    Title and text both: a translated title may equal the original ("Video")."""
    from django.conf import settings

    if page is None or page.locale.language_code == settings.LANGUAGE_CODE:
        return False
    cached = getattr(page, "_cms_untranslated", None)
    if cached is not None:
        return bool(cached)
    original = (
        Page.objects.filter(
            translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
        )
        .specific()
        .first()
    )
    result = False
    if original is not None:
        specific = page.specific
        field = next((name for name in TEXT_FIELDS if hasattr(specific, name)), None)
        result = specific.title == original.title and (
            field is None or getattr(specific, field) == getattr(original, field, None)
        )
    page._cms_untranslated = result
    return result
