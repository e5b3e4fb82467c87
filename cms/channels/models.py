"""The office's official pages and channels, and where each item was posted on them.

``Channel``: a fanpage, Zalo OA, YouTube or TikTok channel, or website of the office (or of
one producing unit). ``ChannelPost``: one language version of an item was posted on a
channel, at that URL and time; recorded by hand by the editor (no platform API).

A post is of a language version (``wagtailcore.Page``), not of the translation-independent
item: the plan report counts each published language version as one product
(``cms.reports.figures``), and the Khmer version posted on a Khmer-language fanpage is a
different product from the Vietnamese one. Posts are not part of the page's revisions:
recording that an item went out on Zalo after publication needs no new approval.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

WEB_URL = URLValidator(
    schemes=["http", "https"], message=_("Nhập địa chỉ bắt đầu bằng http:// hoặc https://.")
)


class WebURLField(models.URLField):
    """An http(s) address; one typed without a scheme is read as https://."""

    default_validators = [WEB_URL]

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class ChannelKind(models.TextChoices):
    FANPAGE = "fanpage", _("Fanpage Facebook")
    ZALO = "zalo", _("Zalo OA")
    YOUTUBE = "youtube", _("YouTube")
    TIKTOK = "tiktok", _("TikTok")
    WEBSITE = "website", _("Trang web")
    OTHER = "other", _("Khác")


#: The kinds the plans count as "official social network pages" (the website is a channel
#: of the office but not a social network page).
SOCIAL_KINDS = (ChannelKind.FANPAGE, ChannelKind.ZALO, ChannelKind.YOUTUBE, ChannelKind.TIKTOK)


class Channel(index.Indexed, models.Model):
    """An official page or channel of the office, or of one of its producing units."""

    kind = models.CharField(_("loại kênh"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("tên kênh"), max_length=255)
    url = WebURLField(_("địa chỉ"), max_length=500)
    producing_unit = models.ForeignKey(
        "taxonomy.ProducingUnit",
        verbose_name=_("đơn vị quản lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống nếu là kênh chung của cơ quan."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("url"),
        FieldPanel("producing_unit"),
        FieldPanel("active"),
    ]
    search_fields = [index.SearchField("name"), index.FilterField("kind")]

    class Meta:
        verbose_name = _("kênh chính thức")
        verbose_name_plural = _("kênh chính thức")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def is_social(self) -> bool:
        return self.kind in SOCIAL_KINDS


class ChannelPost(models.Model):
    """A language version of an item was posted on an official channel."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("kênh"), on_delete=models.PROTECT, related_name="posts"
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("phiên bản ngôn ngữ"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = WebURLField(_("địa chỉ bài đăng"), max_length=1000)
    posted_at = models.DateTimeField(_("thời điểm đăng"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bài đăng trên kênh")
        verbose_name_plural = _("bài đăng trên kênh")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "page", "url"], name="unique_channel_post_url"
            )
        ]
        indexes = [models.Index(fields=["posted_at"], name="channel_post_posted_at")]

    def __str__(self) -> str:
        return f"{self.channel} – {self.url}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        page = self.page if self.page_id else None
        if page is not None and not page.live:
            errors.setdefault("page", []).append(
                str(
                    _(
                        "Chỉ ghi nhận đăng tải cho tác phẩm đã xuất bản: “%(title)s” chưa "
                        "được xuất bản (đang là bản nháp). Hãy xuất bản trước rồi ghi nhận."
                    )
                    % {"title": page.title}
                )
            )
        if self.channel_id and not self.channel.active:
            changed = (
                self.pk is None
                or not ChannelPost.objects.filter(pk=self.pk, channel_id=self.channel_id).exists()
            )
            if changed:
                errors.setdefault("channel", []).append(
                    str(_("Kênh “%(name)s” đã ngừng hoạt động.") % {"name": self.channel.name})
                )
        if self.posted_at and self.posted_at > timezone.now() + datetime.timedelta(minutes=5):
            errors.setdefault("posted_at", []).append(
                str(_("Thời điểm đăng không được ở tương lai."))
            )
        if errors:
            raise ValidationError(errors)
