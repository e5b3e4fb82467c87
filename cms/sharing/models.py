"""One share card (the 1200×630 image of an item's Open Graph / Twitter card) per page and
per content that shapes it (``cms.sharing.cards.card_key``)."""

from __future__ import annotations

from django.db import models


class ShareCardStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ"
    DONE = "done", "Hoàn tất"
    FAILED = "failed", "Lỗi"


class ShareCard(models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="share_cards"
    )
    #: SHA-256 of what shapes the image (title, language, source image, layout version)
    key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=16, choices=ShareCardStatus.choices, default=ShareCardStatus.PENDING
    )
    #: name in the default storage: ``share/<key>.jpg`` (content-addressed)
    file = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    render_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "thẻ chia sẻ"
        verbose_name_plural = "thẻ chia sẻ"
        constraints = [
            models.UniqueConstraint(fields=["page", "key"], name="unique_share_card_page_key")
        ]

    def __str__(self) -> str:
        return f"{self.page_id} {self.key[:12]} {self.status}"
