"""Admin: upload a sheet, pick the folder the files were copied to, check, then ingest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cms.ingest.conf import folder_choices, ingest_root
from cms.ingest.models import BatchStatus, IngestBatch
from cms.ingest.sheet import REQUIRED_COLUMNS, SheetError
from cms.ingest.tasks import enqueue

PERMISSION = "ingest.run_ingest"
MAX_SHEET_BYTES = 20 * 1024 * 1024
View = Callable[..., HttpResponseBase]


def can_ingest(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(PERMISSION))


def permission_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_ingest(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def sheet_error_message(error: SheetError) -> str:
    reason = str(error)
    if reason.startswith("columns:"):
        return _("Bảng kê thiếu cột: %(columns)s. Tải bảng kê mẫu để xem các cột cần có.") % {
            "columns": reason.split(":", 1)[1].replace(",", ", ")
        }
    return {
        "format": _("Bảng kê phải là tệp .xlsx hoặc .csv."),
        "empty": _("Bảng kê trống."),
        "encoding": _("Không đọc được bảng kê: hãy lưu dạng CSV UTF-8 hoặc XLSX."),
        "unreadable": _("Tệp XLSX bị hỏng hoặc không phải bảng tính."),
    }.get(reason, _("Không đọc được bảng kê."))


class BatchForm(forms.Form):
    sheet = forms.FileField(
        label=gettext_lazy("Bảng kê (XLSX hoặc CSV)"),
        help_text=gettext_lazy("Mỗi dòng một tư liệu; các cột bắt buộc: %(columns)s.")
        % {"columns": ", ".join(REQUIRED_COLUMNS)},
    )
    folder = forms.ChoiceField(label=gettext_lazy("Thư mục chứa tệp trên máy chủ"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Chỉ kiểm tra, chưa nhập"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].choices = folder_choices()  # type: ignore[attr-defined]
        self.fields["sheet"].error_messages["empty"] = _("Bảng kê trống.")

    def clean_sheet(self) -> Any:
        sheet = self.cleaned_data["sheet"]
        name = (sheet.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Bảng kê phải là tệp .xlsx hoặc .csv."))
        if sheet.size > MAX_SHEET_BYTES:
            raise forms.ValidationError(_("Bảng kê lớn quá 20 MB: hãy chia thành nhiều tệp."))
        return sheet


@permission_required
def index(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["sheet"]
        batch = IngestBatch(
            sheet_name=upload.name,
            folder=form.cleaned_data["folder"],
            dry_run=form.cleaned_data["dry_run"],
            created_by=request.user,  # type: ignore[misc]
        )
        batch.sheet.save(upload.name, upload, save=False)
        batch.save()
        enqueue(batch)
        return redirect("ingest_batch", batch.pk)
    return TemplateResponse(
        request,
        "ingest/index.html",
        {
            "form": form,
            "root": ingest_root(),
            "batches": IngestBatch.objects.select_related("created_by")[:20],
            "no_folders": not folder_choices(),
        },
    )


@permission_required
def batch_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(IngestBatch, pk=batch_id)
    return TemplateResponse(request, "ingest/batch.html", {"batch": batch})


@permission_required
def batch_status(request: HttpRequest, batch_id: int) -> JsonResponse:
    batch = get_object_or_404(IngestBatch, pk=batch_id)
    return JsonResponse(
        {
            "status": batch.status,
            "percent": batch.percent,
            "processed": batch.processed_rows,
            "total": batch.total_rows,
            "created": batch.created,
            "skipped": batch.skipped,
            "problems": batch.problems,
            "finished": batch.status in (BatchStatus.DONE, BatchStatus.FAILED),
        }
    )


@permission_required
def batch_report(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    batch = get_object_or_404(IngestBatch, pk=batch_id)
    if not batch.report:
        raise Http404
    return FileResponse(
        batch.report.open("rb"),
        as_attachment=True,
        filename=f"bao-cao-nhap-{batch.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


@require_POST
@permission_required
def batch_run(request: HttpRequest, batch_id: int) -> HttpResponse:
    """From a checked sheet, the real run (same sheet, same folder); or a failed run again."""
    source = get_object_or_404(IngestBatch, pk=batch_id)
    if source.status == BatchStatus.FAILED:
        IngestBatch.objects.filter(pk=source.pk).update(status=BatchStatus.PENDING)
        enqueue(source)
        messages.success(request, _("Đã chạy lại; các dòng đã nhập sẽ được bỏ qua."))
        return redirect("ingest_batch", source.pk)
    if source.status != BatchStatus.DONE or not source.dry_run:
        messages.error(request, _("Chỉ nhập được từ một lượt kiểm tra đã xong."))
        return redirect("ingest_batch", source.pk)
    batch = IngestBatch(
        sheet_name=source.sheet_name,
        folder=source.folder,
        dry_run=False,
        created_by=request.user,  # type: ignore[misc]
    )
    with source.sheet.open("rb") as handle:
        batch.sheet.save(source.sheet_name, handle, save=False)
    batch.save()
    enqueue(batch)
    messages.success(request, _("Đang nhập; các dòng có lỗi sẽ được bỏ qua và ghi vào báo cáo."))
    return redirect("ingest_batch", batch.pk)


@permission_required
def template_download(request: HttpRequest) -> HttpResponse:
    from cms.ingest.template import template_workbook

    response = HttpResponse(
        template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="bang-ke-mau.xlsx"'
    return response
