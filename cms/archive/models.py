"""What the archive remembers: one row per item it has published or exported, the item's
content versions, the export log per target, and PREMIS-style events of its own.

The CMS pages themselves are not the archive's memory: a withdrawn (unpublished or deleted)
item must still answer an OAI-PMH harvester with a persistent deleted record and keep its
export history, so ``ArchiveItem`` survives the page.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArchiveItem(models.Model):
    """An item (all language versions of one page, keyed by ``translation_key``) as the
    national database sees it: its last exported metadata record and OAI-PMH datestamp.

    ``datestamp`` changes only when the record's content changes (or the item is withdrawn),
    so incremental harvests stay small and keyset paging on (datestamp, id) is stable.
    """

    translation_key = models.UUIDField(unique=True)
    record_code = models.CharField(_("mã hồ sơ"), max_length=64)
    title = models.CharField(_("tiêu đề"), max_length=255)
    datestamp = models.DateTimeField(_("thời điểm thay đổi"), default=timezone.now)
    deleted = models.BooleanField(_("đã rút"), default=False)
    metadata = models.JSONField(default=dict)
    metadata_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ lưu trữ")
        verbose_name_plural = _("hồ sơ lưu trữ")
        indexes = [models.Index(fields=["datestamp", "id"], name="archive_item_datestamp_id")]

    def __str__(self) -> str:
        return f"{self.record_code} {self.title}"


class ArchiveItemSet(models.Model):
    """OAI-PMH set membership (``topic:crc``, ``province:P2025-20``, and their parents).

    Rows are never removed while the item exists: a set the record left stays with
    ``current=False``, so a deleted record is still listed (and headed) in every set it ever
    belonged to and a harvester of that set learns of the deletion. A live record is shown
    in its current sets only.
    """

    item = models.ForeignKey(ArchiveItem, on_delete=models.CASCADE, related_name="sets")
    spec = models.CharField(max_length=128)
    current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "spec"], name="unique_archive_item_set")
        ]
        indexes = [models.Index(fields=["spec", "item"], name="archive_set_spec_item")]

    def __str__(self) -> str:
        return self.spec


class VersionKind(models.TextChoices):
    BAG = "bag", _("Gói lưu trữ")
    TOMBSTONE = "tombstone", _("Bia rút hồ sơ")


class ItemVersion(models.Model):
    """One archived state of an item. A new version is made only when the item's content
    fingerprint changes (or it is withdrawn); every target receives the same versions."""

    item = models.ForeignKey(ArchiveItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=VersionKind.choices, default=VersionKind.BAG)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    # The bag as first built, less its content files: every tag file and data/metadata/*
    # (relative path -> UTF-8 text). A target that receives this version later gets the
    # same bag, byte for byte: these files plus the content files from storage, checked
    # against the frozen manifests (docs/archive.md, "One version label, one bag").
    frozen_files = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("phiên bản lưu trữ")
        verbose_name_plural = _("phiên bản lưu trữ")
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="unique_item_version")
        ]

    def __str__(self) -> str:
        return f"{self.item.record_code} v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number:04d}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Đang xuất")
    DONE = "done", _("Hoàn tất")
    FAILED = "failed", _("Lỗi")


class ExportRecord(models.Model):
    """The export log: one version stored in one target (an S3 bucket or a directory).

    ``done`` is written only after every object and the version's completion marker are
    stored, so a run that dies half-way leaves ``pending``/``failed`` and the next run
    finishes the same version.
    """

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="exports")
    target = models.CharField(_("nơi lưu"), max_length=500)
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    objects_stored = models.JSONField(_("đối tượng"), default=list, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_bytes = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký xuất")
        verbose_name_plural = _("nhật ký xuất")
        permissions = [("run_export", _("Có thể chạy xuất lưu trữ"))]
        constraints = [
            models.UniqueConstraint(fields=["version", "target"], name="unique_version_target")
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.target}: {self.status}"


class EventType(models.TextChoices):
    EXPORT = "export", _("Xuất")
    WITHDRAWAL = "withdrawal", _("Rút hồ sơ")
    FIXITY_CHECK = "fixity_check", _("Kiểm tra toàn vẹn")
    IMPORT = "import", _("Khôi phục")
    DELETION = "deletion", _("Xóa trang")


class EventOutcome(models.TextChoices):
    SUCCESS = "success", _("Thành công")
    FAILURE = "failure", _("Thất bại")


class ArchiveEvent(models.Model):
    """A preservation event the archive itself performed (PREMIS eventType/outcome).

    Ingest, transcode, approval and publication events come from the media and page
    tables; these are the ones no other table records.
    """

    translation_key = models.UUIDField(null=True, blank=True, db_index=True)
    master = models.ForeignKey(
        "media.MediaMaster", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    outcome = models.CharField(max_length=16, choices=EventOutcome.choices)
    target = models.CharField(max_length=500, blank=True)
    object_name = models.CharField(max_length=1000, blank=True)
    detail = models.TextField(blank=True)
    agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # An import: the source bag's events.premis.xml, the history carried into later bags.
    premis = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sự kiện bảo quản")
        verbose_name_plural = _("sự kiện bảo quản")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.outcome} {self.object_name}"


class ExportLease(models.Model):
    """Keeps two export runs (two workers, or cron plus a manual run) from exporting the
    same items at once; a lease expires so a crashed run does not block the next one."""

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=128, blank=True)
    expires_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
