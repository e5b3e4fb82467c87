"""Admin: the renditions of a master, their live progress, loudness report and errors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.media import renditions
from cms.media.messages import message_for
from cms.media.models import MediaMaster, MediaRendition, RenditionStatus


def _master_for(request: HttpRequest, master_id: int, action: str) -> MediaMaster:
    if not request.user.has_perm(f"media.{action}_mediamaster"):
        raise PermissionDenied
    return get_object_or_404(MediaMaster, pk=master_id)


def rows(master: MediaMaster) -> list[dict[str, object]]:
    result = []
    for rendition in master.renditions.order_by("profile"):
        loudness = rendition.loudness or {}
        result.append(
            {
                "id": rendition.pk,
                "profile": rendition.profile,
                "status": rendition.status,
                "status_label": str(rendition.get_status_display()),
                "progress": round(rendition.progress * 100),
                "url": rendition.file.url if rendition.file else "",
                "size": rendition.size,
                "error": message_for(rendition.error_code) if rendition.error_code else "",
                "error_detail": rendition.error_detail[:300],
                "input": (loudness.get("input") or {}),
                "output": (loudness.get("output") or {}),
                "target_lufs": loudness.get("target_lufs"),
                "max_true_peak_dbtp": loudness.get("max_true_peak_dbtp"),
                "within_tolerance": renditions.within_tolerance(loudness),
                "attempts": rendition.attempts,
            }
        )
    return result


def master_renditions(request: HttpRequest, master_id: int) -> HttpResponse:
    master = _master_for(request, master_id, "change")
    data = rows(master)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"renditions": data})
    busy = any(r["status"] in (RenditionStatus.PENDING, RenditionStatus.RUNNING) for r in data)
    return TemplateResponse(
        request,
        "media/master_renditions.html",
        {
            "master": master,
            "rows": data,
            "busy": busy,
            "out_of_tolerance": [r for r in data if r["within_tolerance"] is False],
        },
    )


@require_POST
def retry_rendition(request: HttpRequest, master_id: int, rendition_id: int) -> HttpResponse:
    master = _master_for(request, master_id, "change")
    rendition = get_object_or_404(MediaRendition, pk=rendition_id, master=master)
    if rendition.status == RenditionStatus.RUNNING:
        messages.warning(request, _("Bản dựng đang được xử lý."))
    else:
        renditions.retry(rendition)
        messages.success(
            request,
            _("Đã xếp hàng xử lý lại bản dựng %(profile)s.") % {"profile": rendition.profile},
        )
    return redirect("media_master_renditions", master_id=master.pk)
