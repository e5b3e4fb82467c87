"""Admin: the renditions of a master or an image, their live progress, loudness report and
errors, with retry / re-run and cancel buttons."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.media import renditions
from cms.media.labels import DOWNLOADABLE, profile_label, profile_purpose
from cms.media.messages import message_for
from cms.media.models import CustomImage, MediaMaster, MediaRendition, RenditionStatus
from cms.users.unit_access import visible_masters

ACTIVE = (RenditionStatus.PENDING, RenditionStatus.RUNNING)


def _master_for(request: HttpRequest, master_id: int, action: str) -> MediaMaster:
    if not request.user.has_perm(f"media.{action}_mediamaster"):
        raise PermissionDenied
    master: MediaMaster = get_object_or_404(
        visible_masters(request.user, MediaMaster.objects.all()), pk=master_id
    )
    return master


def _may_change_image(request: HttpRequest, image: CustomImage) -> bool:
    """Wagtail's own rule for images (collection permissions)."""
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(get_image_model())
    return bool(policy.user_has_permission_for_instance(request.user, "change", image))


def _image_for(request: HttpRequest, image_id: int) -> CustomImage:
    image = get_object_or_404(CustomImage, pk=image_id)
    if not _may_change_image(request, image):
        raise PermissionDenied
    return image


def _page_url(rendition: MediaRendition) -> str:
    if rendition.image_id is not None:
        return reverse("media_image_renditions", args=[rendition.image_id])
    return reverse("media_master_renditions", args=[rendition.master_id])


#: A running job that has not touched its row for this long belongs to a worker that died.
STALE_AFTER = datetime.timedelta(seconds=3 * renditions.HEARTBEAT_SECONDS)


def is_stale(rendition: MediaRendition) -> bool:
    """Running, but its worker has not been heard of for several heartbeats."""
    return (
        rendition.status == RenditionStatus.RUNNING
        and rendition.updated_at is not None
        and rendition.updated_at < timezone.now() - STALE_AFTER
    )


def may_redo(rendition: MediaRendition) -> bool:
    """ "Làm lại" makes sense for a failed or cancelled job, one whose worker died, and a
    finished one whose file is gone from the storage; never for a finished rendition whose
    file is there (final) nor for a job that is queued or running normally."""
    if rendition.status in (RenditionStatus.FAILED, RenditionStatus.CANCELLED):
        return True
    if rendition.status == RenditionStatus.RUNNING:
        return is_stale(rendition)
    if rendition.status == RenditionStatus.DONE:
        return not renditions.output_exists(rendition)
    return False


def rows(source: MediaMaster | CustomImage) -> list[dict[str, object]]:
    qs: QuerySet[MediaRendition]
    if isinstance(source, CustomImage):
        qs = source.pipeline_renditions.all()
    else:
        qs = source.renditions.all()
    result = []
    for rendition in qs.order_by("profile"):
        loudness = rendition.loudness or {}
        technical = rendition.technical_metadata or {}
        if isinstance(source, CustomImage):
            retry_url = reverse("media_image_rendition_retry", args=[source.pk, rendition.pk])
        else:
            retry_url = reverse("media_rendition_retry", args=[source.pk, rendition.pk])
        stale = is_stale(rendition)
        result.append(
            {
                "id": rendition.pk,
                "profile": rendition.profile,
                "label": profile_label(rendition.profile),
                "purpose": profile_purpose(rendition.profile),
                "status": rendition.status,
                "status_label": str(rendition.get_status_display()),
                "active": rendition.status in ACTIVE,
                "stale": stale,
                "progress": round(rendition.progress * 100),
                "url": rendition.file.url if rendition.file else "",
                "download": rendition.profile in DOWNLOADABLE and bool(rendition.file),
                "size": rendition.size,
                "error": message_for(rendition.error_code) if rendition.error_code else "",
                "error_detail": rendition.error_detail[:300],
                "input": (loudness.get("input") or {}),
                "output": (loudness.get("output") or {}),
                "target_lufs": loudness.get("target_lufs"),
                "max_true_peak_dbtp": loudness.get("max_true_peak_dbtp"),
                "within_tolerance": renditions.within_tolerance(loudness),
                "attempts": rendition.attempts,
                "width": technical.get("width"),
                "height": technical.get("height"),
                "low_resolution": any(
                    str(w).startswith("low_resolution") for w in technical.get("warnings", [])
                ),
                "cancel_requested": rendition.cancel_requested,
                "cancellable": rendition.status in ACTIVE,
                "retryable": may_redo(rendition),
                "retry_url": retry_url,
                "cancel_url": reverse("media_rendition_cancel", args=[rendition.pk]),
            }
        )
    return result


def master_true_peak(data: list[dict[str, object]]) -> float | None:
    """The master's true peak (dBTP), as ebur128 measured it on the way into the renditions
    (the highest of the measurements: a mono downmix may hide a clipped channel)."""
    peaks = [
        float(peak)
        for row in data
        if isinstance(row["input"], dict)
        and (peak := row["input"].get("true_peak_dbtp")) is not None
    ]
    return max(peaks) if peaks else None


def _context(source: MediaMaster | CustomImage, is_image: bool) -> dict[str, object]:
    data = rows(source)
    peak = None if is_image else master_true_peak(data)
    done = sum(1 for r in data if r["status"] == RenditionStatus.DONE)
    applicable = sum(1 for r in data if r["status"] != RenditionStatus.NOT_APPLICABLE)
    return {
        "master": source,
        "is_image": is_image,
        "rows": data,
        "busy": any(r["active"] for r in data),
        "done_count": done,
        "applicable_count": applicable,
        "low_resolution": is_image and any(r["low_resolution"] for r in data),
        "out_of_tolerance": [r for r in data if r["within_tolerance"] is False],
        "true_peak": peak,
        "clips": peak is not None and peak > 0.0,
        "status_url": reverse(
            "media_image_renditions_status" if is_image else "media_master_renditions_status",
            args=[source.pk],
        ),
    }


def _render(
    request: HttpRequest, source: MediaMaster | CustomImage, is_image: bool
) -> HttpResponse:
    context = _context(source, is_image)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"renditions": context["rows"]})
    return TemplateResponse(request, "media/master_renditions.html", context)


def _status(
    request: HttpRequest, source: MediaMaster | CustomImage, is_image: bool
) -> JsonResponse:
    """What the renditions page needs to update itself in place: each row's status and
    progress with its rendered table row, and the warnings above the table."""
    context = _context(source, is_image)
    payload = {
        "busy": context["busy"],
        "rows": [
            {
                "id": row["id"],
                "profile": row["profile"],
                "label": row["label"],
                "status": row["status"],
                "progress": row["progress"],
                "download_url": row["url"] if row["download"] else "",
                "html": render_to_string(
                    "media/rendition_row.html", {**context, "r": row}, request=request
                ),
            }
            for row in context["rows"]  # type: ignore[attr-defined]
        ],
        "alerts": render_to_string("media/rendition_alerts.html", context, request=request),
    }
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response


def master_renditions_status(request: HttpRequest, master_id: int) -> JsonResponse:
    return _status(request, _master_for(request, master_id, "change"), is_image=False)


def image_renditions_status(request: HttpRequest, image_id: int) -> JsonResponse:
    return _status(request, _image_for(request, image_id), is_image=True)


def master_renditions(request: HttpRequest, master_id: int) -> HttpResponse:
    return _render(request, _master_for(request, master_id, "change"), is_image=False)


def image_renditions(request: HttpRequest, image_id: int) -> HttpResponse:
    image = _image_for(request, image_id)
    if request.method == "POST" and not image.pipeline_renditions.exists():
        renditions.schedule_image_renditions(image)
        return redirect("media_image_renditions", image_id=image.pk)
    return _render(request, image, is_image=True)


def _retry(request: HttpRequest, rendition: MediaRendition) -> HttpResponse:
    if rendition.status == RenditionStatus.RUNNING and not is_stale(rendition):
        messages.warning(request, _("Bản dựng đang được xử lý."))
    elif renditions.is_final(rendition):
        messages.error(request, message_for(renditions.RenditionIsFinal.code))
    else:
        renditions.retry(rendition)
        messages.success(
            request,
            _("Đã xếp hàng xử lý lại bản dựng %(profile)s.")
            % {"profile": profile_label(rendition.profile)},
        )
    return redirect(_page_url(rendition))


@require_POST
def retry_rendition(request: HttpRequest, master_id: int, rendition_id: int) -> HttpResponse:
    master = _master_for(request, master_id, "change")
    return _retry(request, get_object_or_404(MediaRendition, pk=rendition_id, master=master))


@require_POST
def retry_image_rendition(request: HttpRequest, image_id: int, rendition_id: int) -> HttpResponse:
    image = _image_for(request, image_id)
    return _retry(request, get_object_or_404(MediaRendition, pk=rendition_id, image=image))


@require_POST
def cancel_rendition(request: HttpRequest, rendition_id: int) -> HttpResponse:
    """Cancel a queued or running job; needs the change permission on its source."""
    rendition = get_object_or_404(MediaRendition.objects.select_related("image"), pk=rendition_id)
    if rendition.image is not None:
        allowed = _may_change_image(request, rendition.image)
    elif rendition.master_id is None:  # neither an image nor a master: nothing to allow
        allowed = False
    else:
        allowed = (
            request.user.has_perm("media.change_mediamaster")
            and visible_masters(
                request.user, MediaMaster.objects.filter(pk=rendition.master_id)
            ).exists()
        )
    if not allowed:
        raise PermissionDenied
    if renditions.cancel(rendition):
        messages.success(
            request,
            _("Đã yêu cầu hủy bản dựng %(profile)s.")
            % {"profile": profile_label(rendition.profile)},
        )
    else:
        messages.warning(request, _("Bản dựng này không còn đang chờ hay đang xử lý."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = _page_url(rendition)
    return redirect(target)
