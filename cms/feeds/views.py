"""The feeds, the transcripts they link and the podcast artwork: public, GET/HEAD only."""

from __future__ import annotations

import hashlib
import unicodedata

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from cms.feeds import build
from cms.feeds.artwork import artwork_png
from cms.i18n.languages import BY_CODE, DEFAULT_LANGUAGE

#: As the site's other public files (subtitles, renditions); nginx micro-caches pages 60 s.
CACHE_CONTROL = "public, max-age=300"


def _respond(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """``body`` with a strong ETag (its hash): a client that has it gets a 304."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _language() -> str:
    code = get_language() or DEFAULT_LANGUAGE
    if code not in BY_CODE:
        raise Http404
    return code


@require_safe
def radio_feed(request: HttpRequest) -> HttpResponse:
    """``/<lang>/feeds/radio.xml``: every public radio item in the language."""
    return _respond(request, build.render(request, _language(), None), build.CONTENT_TYPE)


@require_safe
def section_feed(request: HttpRequest, section_id: int) -> HttpResponse:
    """``/<lang>/feeds/sections/<id>.xml``: the radio items under one public section of that
    language (by id, so a renamed section keeps its subscribers)."""
    from cms.content.models import SectionIndexPage
    from cms.content.visibility import public_pages

    language = _language()
    section = public_pages(
        SectionIndexPage.objects.filter(pk=section_id, locale__language_code=language)
    ).first()
    if section is None:
        raise Http404
    return _respond(request, build.render(request, language, section), build.CONTENT_TYPE)


@require_safe
def transcript(request: HttpRequest, page_id: int) -> HttpResponse:
    """``/feeds/transcripts/<id>.txt``: a public radio item's script (its live revision)."""
    from cms.content.models import RadioSegmentPage
    from cms.content.visibility import public_pages

    page = public_pages(RadioSegmentPage.objects.filter(pk=page_id)).first()
    if page is None or not page.script.strip():
        raise Http404
    text = unicodedata.normalize("NFC", page.script).replace("\r\n", "\n").strip() + "\n"
    response = _respond(request, text.encode("utf-8"), "text/plain; charset=utf-8")
    response["Content-Language"] = BY_CODE[page.locale.language_code].bcp47
    return response


@require_safe
def artwork(request: HttpRequest) -> HttpResponse:
    """``/feeds/artwork.png``: the square cover every feed names (``itunes:image``)."""
    return _respond(request, artwork_png(), "image/png")
