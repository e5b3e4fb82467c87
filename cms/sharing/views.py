"""``/share/<key>.jpg`` (a public page's share card) and ``/sitemap.xml``."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from cms.content.visibility import public_pages
from cms.media.storage import STORAGE_ERRORS
from cms.sharing.models import ShareCard, ShareCardStatus

KEY = re.compile(r"^[0-9a-f]{64}$")


@require_safe
def share_card(request: HttpRequest, key: str) -> HttpResponseBase:
    """The card while a public page has it as its current card; else 404."""
    from wagtail.models import Page

    from cms.media.file_responses import stored_file_response

    if not KEY.match(key):
        raise Http404
    card = ShareCard.objects.filter(
        key=key,
        status=ShareCardStatus.DONE,
        page__in=public_pages(Page.objects.all()).values("pk"),
    ).first()
    if card is None or not card.file:
        raise Http404
    try:
        response = stored_file_response(
            request, card.file, sha256=card.sha256, size=card.size, filename=f"{key}.jpg"
        )
    except FileNotFoundError:
        raise Http404 from None
    except STORAGE_ERRORS:
        response = HttpResponse(status=503)
        response["Retry-After"] = "30"
        return response
    if response.status_code != 302:
        # shown, not downloaded, when opened in a browser
        response["Content-Disposition"] = content_disposition_header(False, f"{key}.jpg") or ""
        response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def sitemap(request: HttpRequest) -> Any:
    from django.contrib.sitemaps import views as sitemap_views

    from cms.sharing.sitemap import PublicPagesSitemap

    return sitemap_views.sitemap(request, {"pages": PublicPagesSitemap(request)})
