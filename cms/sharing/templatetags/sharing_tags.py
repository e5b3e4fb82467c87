from __future__ import annotations

from django import template

from cms.sharing.meta import ShareMeta, build

register = template.Library()


@register.simple_tag(takes_context=True)
def share_meta(context: template.Context, site_name: str) -> ShareMeta | None:
    """The head metadata of the page being shown (None: not a public page)."""
    page = context.get("page")
    request = context.get("request")
    if page is None or request is None or not getattr(page, "pk", None):
        return None
    return build(page, request, site_name)
