from __future__ import annotations

from django import template
from django.utils.translation import get_language

from cms.i18n.languages import BY_CODE, DEFAULT_LANGUAGE

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context: template.Context) -> list[tuple[str, str]]:
    """The feeds a public page of this language advertises: the language's radio feed, and
    on a section page with public radio items under it, that section's feed."""
    from cms.content.models import SectionIndexPage
    from cms.feeds import build

    code = get_language() or DEFAULT_LANGUAGE
    lang = BY_CODE.get(code)
    if lang is None:
        return []
    feeds = [(build.feed_title(lang, None), build.feed_url(code, None))]
    page = context.get("page")
    if (
        isinstance(page, SectionIndexPage)
        and page.locale.language_code == code
        and build.radio_items(code, page).exists()
    ):
        feeds.append((build.feed_title(lang, page), build.feed_url(code, page)))
    return feeds
