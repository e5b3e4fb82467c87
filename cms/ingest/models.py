"""An ingest run (a sheet and a folder) and the files it brought in.

``IngestedFile`` keys on the SHA-256 of the file's bytes: a file already ingested, under
whatever name or in whatever run, is never ingested twice, and a run interrupted half way
is resumed by running it again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Hoàn tất")
    FAILED = "failed", _("Lỗi")


class IngestBatch(models.Model):
    sheet = models.FileField(_("bảng kê"), upload_to="ingest/sheets/", max_length=500)
    sheet_name = models.CharField(_("tên bảng kê"), max_length=255)
    folder = models.CharField(_("thư mục tư liệu"), max_length=500)
    dry_run = models.BooleanField(_("chỉ kiểm tra"), default=True)
    status = models.CharField(
        max_length=16, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    #: the first problems, for the page; the whole report is the CSV in ``report``
    report_preview = models.JSONField(default=list, blank=True)
    report = models.FileField(upload_to="ingest/reports/", max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập tư liệu")
        verbose_name_plural = _("lượt nhập tư liệu")
        ordering = ["-created_at"]
        permissions = [("run_ingest", "Nhập tư liệu số hóa từ bảng kê")]

    def __str__(self) -> str:
        return f"{self.sheet_name} ({self.created_at:%d/%m/%Y %H:%M})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == BatchStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class IngestedFile(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    source_name = models.CharField(max_length=500)
    sheet_row = models.PositiveIntegerField()
    batch = models.ForeignKey(IngestBatch, null=True, on_delete=models.SET_NULL, related_name="+")
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đã nhập")
        verbose_name_plural = _("tệp đã nhập")

    def __str__(self) -> str:
        return self.source_name
