from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Locale, Page


def search(request: HttpRequest) -> HttpResponse:
    """Public search in the visitor's language (published, public pages only)."""
    from cms.content.models import ExhibitionPage, RadioSegmentPage, VideoPage

    query = request.GET.get("q", "").strip()[:200]
    results: list[Page] = []
    if query:
        locale = Locale.objects.filter(language_code=get_language()).first()
        pages = Page.objects.live().public().type(RadioSegmentPage, VideoPage, ExhibitionPage)
        if locale:
            pages = pages.filter(locale=locale)
        results = list(pages.search(query)[:50])
    return render(request, "content/search.html", {"query": query, "results": results})
