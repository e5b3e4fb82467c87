"""Public archive search at ``/<lang>/search/``: every language, filters and facet counts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.i18n.languages import DEFAULT_LANGUAGE
from cms.search.query import SearchForm, public_documents, run_search, selected_values


def _page_urls(hits: list[Any], request: HttpRequest) -> None:
    pages = Page.objects.in_bulk([hit.document.page_id for hit in hits])
    for hit in hits:
        page = pages.get(hit.document.page_id)
        hit.url = (page.get_url(request) or "") if page else ""


def query_string(data: dict[str, Any], **changes: Any) -> str:
    """The current search with some parameters changed (for facet and page links); a
    list value is repeated (``?language=vi&language=km``)."""
    params = {k: v for k, v in data.items() if v not in (None, "", []) and k != "page"}
    params.update({k: v for k, v in changes.items() if v not in (None, "", [])})
    for key in [k for k, v in changes.items() if v in (None, "", [])]:
        params.pop(key, None)
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((key, str(v)) for v in values)
    return "?" + urlencode(pairs)


def toggled(data: dict[str, Any], name: str, value: str) -> list[str]:
    """The facet's selected values with ``value`` added, or removed if it was selected."""
    chosen = [str(v) for v in selected_values(data, name)]
    if value in chosen:
        return [v for v in chosen if v != value]
    return [*chosen, value]


def search(request: HttpRequest) -> HttpResponse:
    """Live, public items in every language; the visitor's language ranks first among
    equally good matches."""
    language = get_language() or DEFAULT_LANGUAGE
    form = SearchForm(request.GET or None, language=language)
    result = None
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"] or any(v for k, v in data.items() if k not in ("q", "page")):
            result = run_search(public_documents(), data, form.names, language=language)
            _page_urls(result.hits, request)
    return render(
        request,
        "content/search.html",
        {
            "form": form,
            "query": data.get("q", request.GET.get("q", "")[:200]),
            "result": result,
            "facet_links": facet_links(result, data) if result else [],
            "previous_url": _page_link(result, data, -1),
            "next_url": _page_link(result, data, +1),
        },
    )


FACET_LABELS = {
    "item_type": _("Loại nội dung"),
    "language": _("Ngôn ngữ"),
    "topic": _("Chủ đề"),
    "product_type": _("Loại sản phẩm"),
    "producing_unit": _("Đơn vị chủ trì"),
    "unit": _("Địa bàn"),
    "bulletin_class": _("Loại bản tin"),
}


def facet_links(result: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Facet groups with a link per value that adds it to the facet's selected values
    (or, when selected, removes it)."""
    groups = []
    for name, label in FACET_LABELS.items():
        values = result.facets.get(name) or []
        if not values:
            continue
        groups.append(
            {
                "name": name,
                "label": str(label),
                "values": [
                    {
                        "label": v.label,
                        "count": v.count,
                        "selected": v.selected,
                        "url": query_string(data, **{name: toggled(data, name, v.value)}),
                    }
                    for v in values
                ],
            }
        )
    return groups


def _page_link(result: Any, data: dict[str, Any], step: int) -> str:
    if result is None:
        return ""
    target = result.page + step
    if target < 1 or target > result.pages:
        return ""
    return query_string(data, page=target)
