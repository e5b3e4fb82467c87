"""Admin: which published items are ready for the national database, and what each lacks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.archive.items import item_pages, load_item
from cms.archive.models import ArchiveItem, ExportRecord, ExportStatus
from cms.archive.readiness import readiness_of
from cms.archive.record import record_code

PAGE_SIZE = 50


VIEW_PERMISSION = "archive.view_exportrecord"
RUN_PERMISSION = "archive.run_export"
View = Callable[..., HttpResponse]


def can_view(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(VIEW_PERMISSION))


def can_run(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(RUN_PERMISSION))


def permission_required(permission: str) -> Callable[[View], View]:
    """Every archive view checks its permission itself (a 403 otherwise), whatever the
    admin's own login check lets through."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_active or not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@permission_required(VIEW_PERMISSION)
def readiness_view(request: HttpRequest) -> HttpResponse:
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
        {"rows": rows, "page_obj": page, "status": wanted, "can_run": can_run(request.user)},
    )


@permission_required(VIEW_PERMISSION)
def exports_view(request: HttpRequest) -> HttpResponse:
    """The export log: every (version, target) with its outcome, newest first."""
    records = ExportRecord.objects.select_related("version__item").order_by("-started_at", "-pk")
    status = request.GET.get("status", "")
    if status in ExportStatus.values:
        records = records.filter(status=status)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "archive/exports.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ExportStatus.choices,
            "can_run": can_run(request.user),
        },
    )


@require_POST
@permission_required(RUN_PERMISSION)
def run_export_view(request: HttpRequest) -> HttpResponse:
    """Start an export run in the background worker (the task holds the export lease, so
    a second click while one runs does no harm)."""
    from cms.archive.tasks import run_export

    run_export.enqueue()
    messages.success(request, _("Đã đưa lượt xuất lưu trữ vào hàng đợi."))
    return HttpResponseRedirect(reverse("archive_exports"))
