from __future__ import annotations

from typing import cast

from django import template
from django.http import HttpRequest
from wagtail.models import Page

from cms.content.visibility import public_pages

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_url(context: template.Context, page: Page, language_code: str) -> str:
    """The URL of this page in another language, or that language's home page."""
    return translation_urls(page, context.get("request")).get(language_code) or (
        f"/{language_code}/"
    )


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


@register.filter
def duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


@register.simple_tag
def playable_url(master: object, profile: str) -> str:
    """URL of a finished rendition for the profile, else the master itself."""
    if master is None:
        return ""
    rendition = master.renditions.filter(profile=profile, status="done").first()  # type: ignore[attr-defined]
    if rendition and rendition.file:
        return rendition.file.url
    return master.file.url  # type: ignore[attr-defined]
