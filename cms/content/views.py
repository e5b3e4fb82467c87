from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from cms.content.visibility import document_is_public, public_translation
from cms.i18n.languages import BY_CODE, LANGUAGES

if TYPE_CHECKING:
    from cms.content.models import ExhibitionPage


@transaction.non_atomic_requests  # it must answer, in JSON, when the database cannot
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)


def exhibition_print(request: HttpRequest, page: ExhibitionPage) -> HttpResponse:
    """Captions in the page's language and a second chosen language, side by side, with
    a link to the sheet for every other public version (``?with=km``)."""
    from wagtail.models import Page

    from cms.content.visibility import public_pages

    own = page.locale.language_code
    # Only public versions: a withdrawn (unpublished), expired, restricted or internal
    # translation is neither offered nor shown ("no translation yet").
    public_codes = set(
        public_pages(Page.objects.filter(translation_key=page.translation_key)).values_list(
            "locale__language_code", flat=True
        )
    )
    others = [lang for lang in LANGUAGES if lang.code in public_codes and lang.code != own]
    default = next(
        (code for code in ("vi", "en") if code != own and code in public_codes),
        others[0].code if others else ("vi" if own != "vi" else "en"),
    )
    second_code = request.GET.get("with", default)
    second_page = public_translation(page, second_code) if second_code in BY_CODE else None
    second_captions = {}
    if second_page is not None:
        second_captions = {item.translation_key: item for item in second_page.specific.items.all()}
    rows = [(item, second_captions.get(item.translation_key)) for item in page.items.all()]
    return render(
        request,
        "content/exhibition_print.html",
        {
            "page": page,
            "rows": rows,
            "second_language": BY_CODE.get(second_code),
            "second_page": second_page,
            "other_languages": others,
        },
    )


def not_available(request: HttpRequest) -> HttpResponse:
    """Where the language switcher leads when the item has no public version in the chosen
    language: says so in that language and links the public versions there are
    (``?from=<page id>``; a page that is not public itself links nothing)."""
    from django.shortcuts import redirect
    from django.utils.translation import get_language
    from wagtail.models import Page

    from cms.content.templatetags.content_tags import translation_urls
    from cms.content.visibility import public_pages

    source_id = request.GET.get("from", "")
    page = None
    if source_id.isdigit():
        found = public_pages(Page.objects.filter(pk=int(source_id))).first()
        page = found.specific if found is not None else None
    versions = []
    if page is not None:
        urls = translation_urls(page, request)
        here = get_language() or ""
        if here in urls:  # published since the link was made
            return redirect(urls[here])
        titles = dict(
            public_pages(Page.objects.filter(translation_key=page.translation_key)).values_list(
                "locale__language_code", "title"
            )
        )
        versions = [
            (BY_CODE[code], url, titles.get(code, ""))
            for code, url in urls.items()
            if code in BY_CODE
        ]
        order = {lang.code: index for index, lang in enumerate(LANGUAGES)}
        versions.sort(key=lambda version: order[version[0].code])
    response = render(request, "content/not_available.html", {"page": page, "versions": versions})
    response["X-Robots-Tag"] = "noindex"
    return response


def subtitles_vtt(request: HttpRequest, document_id: int) -> HttpResponse:
    """WebVTT for a <track> element, converted from the stored SRT or WebVTT.

    Served only when a public page (``cms.content.visibility``) uses the document.
    """
    from django.http import Http404

    from cms.media.models import CustomDocument
    from cms.media.subtitles import to_webvtt

    document = CustomDocument.objects.filter(pk=document_id).first()
    if document is None or not document_is_public(document):
        raise Http404
    with document.file.open("rb") as handle:
        raw = handle.read(2 * 1024 * 1024)
    response = HttpResponse(to_webvtt(raw), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
