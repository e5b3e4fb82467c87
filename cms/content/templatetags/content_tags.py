from __future__ import annotations

from django import template
from wagtail.models import Locale, Page

register = template.Library()


@register.simple_tag
def translation_url(page: Page, language_code: str) -> str:
    """The URL of this page in another language, or that language's home page."""
    locale = Locale.objects.filter(language_code=language_code).first()
    if locale is not None:
        translation = page.get_translation_or_none(locale)
        if translation is not None and translation.live:
            url = translation.get_url()
            if url:
                return url
    return f"/{language_code}/"


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
