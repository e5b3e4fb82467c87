"""Masters (uploaded originals, never modified) and the renditions made from them.

A master belongs to one language: a Khmer radio segment is a different recording from
the Vietnamese one, so translated pages point at their own master instead of sharing
the source page's. wagtailmedia's model cannot do this (its media are not translatable,
wagtail-localize #587), so masters are a model of ours, chosen per translation through
wagtail-localize's overridable fields.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.search import index


def master_upload_to(instance: MediaMaster, filename: str) -> str:
    return f"masters/{instance.language}/{filename}"


class MediaKind(models.TextChoices):
    AUDIO = "audio", _("Âm thanh")
    VIDEO = "video", _("Video")


class MediaMaster(index.Indexed, models.Model):
    """An uploaded audio or video original in one language.

    The file is checked by content (ffprobe) before it is stored and is never rewritten:
    every rendition is derived into a new file.
    """

    title = models.CharField(_("tiêu đề"), max_length=255)
    language = models.CharField(
        _("ngôn ngữ của bản ghi"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    file = models.FileField(_("tệp gốc"), upload_to=master_upload_to, max_length=500)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, editable=False)
    kind = models.CharField(_("loại"), max_length=8, choices=MediaKind.choices, editable=False)
    sha256 = models.CharField(max_length=64, editable=False, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0, editable=False)
    duration = models.FloatField(_("thời lượng (giây)"), null=True, editable=False)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    technical_metadata = models.JSONField(default=dict, editable=False, blank=True)
    warnings = models.JSONField(default=list, editable=False, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.FilterField("language"),
        index.FilterField("kind"),
        # unit scoping of searches in the admin (cms.users.unit_access.visible_masters)
        index.FilterField("uploaded_by"),
    ]

    class Meta:
        verbose_name = _("tư liệu gốc")
        verbose_name_plural = _("tư liệu gốc")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    #: What the stored file is; fixed once the row exists (a new recording is a new master).
    IMMUTABLE_FIELDS = ("file", "sha256", "size", "kind")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title = unicodedata.normalize("NFC", self.title)
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if stored is not None and any(
                stored[name] != (self.file.name if name == "file" else getattr(self, name))
                for name in self.IMMUTABLE_FIELDS
            ):
                raise MasterFileImmutable
        super().save(*args, **kwargs)


class MasterFileImmutable(Exception):
    """A stored master's file (or what was measured from it) was about to change."""

    code = "master_file_immutable"

    def __str__(self) -> str:
        from cms.media.messages import message_for

        return message_for(self.code)


class RenditionStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang xử lý")
    DONE = "done", _("Hoàn tất")
    FAILED = "failed", _("Lỗi")
    NOT_APPLICABLE = "not_applicable", _("Không áp dụng")
    CANCELLED = "cancelled", _("Đã hủy")


class MediaRenditionQuerySet(models.QuerySet):
    """Queries and the status transitions of renditions.

    Every status change goes through one of the ``mark_*`` methods (an ``UPDATE`` of the
    rows in the queryset, returning how many changed), so what each state clears and keeps
    is written once."""

    def done(self) -> MediaRenditionQuerySet:
        """Renditions that are finished and have their file: what pages play, packages
        and archival bags hold."""
        return self.filter(status=RenditionStatus.DONE).exclude(file="")

    def queued(self) -> MediaRenditionQuerySet:
        return self.filter(status=RenditionStatus.PENDING)

    def running(self) -> MediaRenditionQuerySet:
        return self.filter(status=RenditionStatus.RUNNING)

    def mark_pending(self, **changes: Any) -> int:
        """Back in the queue, from the start (``changes``: e.g. a new key, attempts reset)."""
        return self.update(
            status=RenditionStatus.PENDING,
            progress=0.0,
            error_code="",
            error_detail="",
            cancel_requested=False,
            **changes,
        )

    def mark_running(self) -> int:
        """Taken by a worker: one more attempt."""
        return self.update(
            status=RenditionStatus.RUNNING,
            attempts=models.F("attempts") + 1,
            progress=0.0,
            cancel_requested=False,
            updated_at=timezone.now(),
        )

    def mark_done(self, **result: Any) -> int:
        """Finished; ``result`` holds the stored file and what was measured (``file``,
        ``sha256``, ``size``, ``loudness``, ``technical_metadata``, ``extra_files``), or
        nothing for a row whose stored file is already there."""
        fields: dict[str, Any] = {"finished_at": timezone.now()} if result else {}
        return self.update(
            status=RenditionStatus.DONE,
            progress=1.0,
            error_code="",
            error_detail="",
            **fields,
            **result,
        )

    def mark_failed(self, code: str, detail: str, *, retry_later: bool = False) -> int:
        """A failure: final (``FAILED``), or queued again when it is to be retried."""
        return self.update(
            status=RenditionStatus.PENDING if retry_later else RenditionStatus.FAILED,
            error_code=code,
            error_detail=detail[:4000],
            progress=0.0,
        )

    def mark_cancelled(self) -> int:
        return self.update(
            status=RenditionStatus.CANCELLED,
            error_code="cancelled",
            error_detail="",
            progress=0.0,
            cancel_requested=False,
        )

    def mark_not_applicable(self, code: str) -> int:
        return self.update(
            status=RenditionStatus.NOT_APPLICABLE, error_code=code, updated_at=timezone.now()
        )

    def report_progress(self, fraction: float) -> int:
        return self.update(progress=max(0.0, min(1.0, fraction)), updated_at=timezone.now())

    def heartbeat(self) -> int:
        """A running job is alive (see ``dispatch.requeue_stale``)."""
        return self.running().update(updated_at=timezone.now())


class MediaRendition(models.Model):
    """One output profile made from one source; one row (and one job) per pair.

    The source is an audio/video master or an image (``CustomImage``: photos, posters,
    exhibition items); exactly one of ``master`` and ``image`` is set.
    """

    master = models.ForeignKey(
        MediaMaster, on_delete=models.CASCADE, related_name="renditions", null=True, blank=True
    )
    image = models.ForeignKey(
        "media.CustomImage",
        on_delete=models.CASCADE,
        related_name="pipeline_renditions",
        null=True,
        blank=True,
    )
    profile = models.CharField(_("cấu hình"), max_length=64)
    key = models.CharField(max_length=128, db_index=True, help_text="master hash + profile hash")
    status = models.CharField(
        max_length=16, choices=RenditionStatus.choices, default=RenditionStatus.PENDING
    )
    progress = models.FloatField(default=0.0)
    file = models.FileField(max_length=500, blank=True)
    extra_files = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    loudness = models.JSONField(default=dict, blank=True)
    technical_metadata = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    #: set by the admin's cancel button on a running job; the worker polls it
    cancel_requested = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MediaRenditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("bản dựng")
        verbose_name_plural = _("bản dựng")
        constraints = [
            models.UniqueConstraint(fields=["master", "profile"], name="unique_master_profile"),
            models.UniqueConstraint(fields=["image", "profile"], name="unique_image_profile"),
            models.CheckConstraint(
                condition=models.Q(master__isnull=False, image__isnull=True)
                | models.Q(master__isnull=True, image__isnull=False),
                name="rendition_has_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.master or self.image} → {self.profile}"


class CustomImage(AbstractImage):
    """Photos and posters; custom from the first migration so archive fields can be added."""

    credit = models.CharField(_("tác giả/nguồn"), max_length=255, blank=True)
    admin_form_fields = (*Image.admin_form_fields, "credit")

    class Meta(AbstractImage.Meta):
        verbose_name = _("ảnh")
        verbose_name_plural = _("ảnh")
        permissions = [("choose_image", "Can choose image")]


class CustomImageRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class CustomDocument(AbstractDocument):
    """Subtitles (SRT/WebVTT), scripts and other documents, each in one language."""

    language = models.CharField(
        _("ngôn ngữ"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    admin_form_fields = (*Document.admin_form_fields, "language")

    class Meta(AbstractDocument.Meta):
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")
        permissions = [("choose_document", "Can choose document")]
