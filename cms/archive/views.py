"""Admin: which published items are ready for the national database, and what each lacks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from cms.archive.models import ArchiveItem, ExportRecord, ExportStatus
from cms.archive.profile import item_pages, load_item, readiness_of, record_code

PAGE_SIZE = 50


def can_view(user: Any) -> bool:
    return user.is_superuser or user.has_perm("archive.view_exportrecord")


def readiness_view(request: HttpRequest) -> HttpResponse:
    if not can_view(request.user):
        raise PermissionDenied
    keys = (
        item_pages()
        .live()
        .values("translation_key")
        .annotate(last=Max("last_published_at"))
        .order_by("-last", "translation_key")
    )
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("p"))
    wanted = request.GET.get("status", "")
    rows = []
    for entry in page.object_list:
        item = load_item(entry["translation_key"])
        if item is None:
            continue
        missing = readiness_of(item)
        if (wanted == "ready" and missing) or (wanted == "missing" and not missing):
            continue
        archived = ArchiveItem.objects.filter(translation_key=item.translation_key).first()
        last_export = (
            ExportRecord.objects.filter(
                version__item__translation_key=item.translation_key, status=ExportStatus.DONE
            )
            .select_related("version")
            .order_by("-finished_at")
            .first()
        )
        rows.append(
            {
                "page": item.primary,
                "languages": item.languages,
                "record_code": record_code(item.primary),
                "missing": missing,
                "ready": not missing,
                "archived": archived,
                "last_export": last_export,
            }
        )
    return TemplateResponse(
        request,
        "archive/readiness.html",
        {"rows": rows, "page_obj": page, "status": wanted},
    )
