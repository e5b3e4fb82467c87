"""Admin archive search: the latest revision of every item the user may edit, drafts too."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from cms.search.query import SearchForm, editorial_documents, run_search
from cms.search.views import _page_link, facet_links


def admin_search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    form = SearchForm(request.GET or None, language="vi")
    result = None
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = run_search(editorial_documents(request.user), data, form.names)
        for hit in result.hits:
            hit.url = reverse("wagtailadmin_pages:edit", args=[hit.document.page_id])
    return TemplateResponse(
        request,
        "search/admin_search.html",
        {
            "form": form,
            "result": result,
            "facet_links": facet_links(result, data) if result else [],
            "previous_url": _page_link(result, data, -1),
            "next_url": _page_link(result, data, +1),
        },
    )
