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
from cms.search.areas import area_choices
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
    # what the visitor chose, also when the form has an error (kept ticked in the panel)
    panel = data or getattr(form, "cleaned_data", {})
    return render(
        request,
        "content/search.html",
        {
            "form": form,
            "query": data.get("q", request.GET.get("q", "")[:200]),
            "result": result,
            "filter_groups": filter_groups(form, result, panel),
            "date_fields": [form["date_from"], form["date_to"]],
            "active_filters": active_filters(panel),
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


def filter_groups(form: SearchForm, result: Any, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The checkbox groups of the filter panel (issue 14: 4), in ``FACET_LABELS`` order.

    After a search: the values found among the results, with their counts (a facet's own
    selection is not applied to its counts, so another value can be added), and the chosen
    ones. Before: every value. The area group offers today's units, former ones folded
    under their successor (``cms.search.areas``)."""
    groups = []
    for name, label in FACET_LABELS.items():
        chosen = {str(v) for v in selected_values(data, name)}
        if name == "unit":
            counts = (
                {int(v.value): v.count for v in result.facets.get("unit", [])}
                if result is not None
                else None
            )
            areas = area_choices(counts, [int(v) for v in chosen])
            if areas:
                groups.append({"name": name, "label": str(label), "areas": areas})
            continue
        names = dict(form.fields[name].choices)  # type: ignore[attr-defined]
        if result is not None:
            found = result.facets.get(name) or []
            values = [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in found
            ]
            seen = {v.value for v in found}
            values += [
                {"value": value, "label": names.get(value, value), "count": 0, "selected": True}
                for value in sorted(chosen - seen)
            ]
        else:
            values = [
                {
                    "value": str(value),
                    "label": text,
                    "count": None,
                    "selected": str(value) in chosen,
                }
                for value, text in names.items()
            ]
        if values:
            groups.append({"name": name, "label": str(label), "values": values})
    return groups


def active_filters(data: dict[str, Any]) -> int:
    """How many filter values are chosen (said on the collapsed panel's summary)."""
    chosen = sum(len(selected_values(data, name)) for name in FACET_LABELS)
    return chosen + sum(1 for name in ("date_from", "date_to") if data.get(name))


def _page_link(result: Any, data: dict[str, Any], step: int) -> str:
    if result is None:
        return ""
    target = result.page + step
    if target < 1 or target > result.pages:
        return ""
    return query_string(data, page=target)
