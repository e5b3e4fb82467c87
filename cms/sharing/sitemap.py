"""``/sitemap.xml``: every public page (``cms.content.visibility``) of every language once,
with absolute URLs, its last publication date, and ``xhtml:link rel="alternate"`` to each
public version of it (``hreflang``), ``x-default`` being the Vietnamese one."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from cms.content.visibility import public_pages
from cms.sharing.meta import alternates_for


class PublicPagesSitemap(Sitemap):
    limit = 5000

    def items(self) -> Any:
        return (
            public_pages(Page.objects.filter(depth__gt=1))
            .select_related("locale")
            .order_by("path", "pk")
        )

    def _urls(self, page: int, protocol: str, domain: str) -> list[dict[str, Any]]:
        pages = list(self.paginator.page(page).object_list)
        keys = {p.translation_key for p in pages}
        versions: dict[Any, dict[str, str]] = defaultdict(dict)
        located = public_pages(Page.objects.filter(translation_key__in=keys)).select_related(
            "locale"
        )
        for version in located:
            url = version.get_full_url(self.request)
            if url:
                versions[version.translation_key][version.locale.language_code] = url
        urls: list[dict[str, Any]] = []
        last_mods = set()
        for item in pages:
            location = versions[item.translation_key].get(item.locale.language_code)
            if not location:
                continue
            lastmod = item.last_published_at or item.latest_revision_created_at
            alternates = alternates_for(versions[item.translation_key])
            urls.append(
                {
                    "item": item,
                    "location": location,
                    "lastmod": lastmod,
                    "changefreq": None,
                    "priority": None,
                    "alternates": [
                        {"lang_code": a.hreflang, "location": a.url} for a in alternates
                    ],
                }
            )
            last_mods.add(lastmod)
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
