"""Who the podcast feeds name as author and owner, per site (Wagtail site settings:
"Cài đặt" → "Podcast"). Empty fields fall back to the site name and the archive contact."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

#: Apple's category list; "Government" fits the offices' programmes.
DEFAULT_CATEGORY = "Government"


@register_setting(icon="media")
class PodcastSettings(BaseSiteSetting):
    author = models.CharField(
        _("tác giả"),
        max_length=255,
        blank=True,
        help_text=_("Tên hiển thị trong ứng dụng podcast; để trống để dùng tên cổng thông tin."),
    )
    owner_name = models.CharField(_("tên chủ sở hữu"), max_length=255, blank=True)
    owner_email = models.EmailField(
        _("thư điện tử của chủ sở hữu"),
        blank=True,
        help_text=_("Để trống để dùng địa chỉ liên hệ của kho lưu trữ."),
    )
    category = models.CharField(_("thể loại (iTunes)"), max_length=64, default=DEFAULT_CATEGORY)
    explicit = models.BooleanField(_("nội dung chỉ dành cho người lớn"), default=False)

    class Meta:
        verbose_name = "Podcast"

    @classmethod
    def for_feed(cls, request: HttpRequest) -> PodcastSettings:
        """The request's site's settings, unsaved defaults if none were saved: a feed is
        read-only (Wagtail's ``for_request`` would create the row)."""
        site = Site.find_for_request(request)
        found = cls.objects.filter(site=site).first() if site is not None else None
        return found or cls()

    def author_name(self) -> str:
        return self.author or str(settings.WAGTAIL_SITE_NAME)

    def owner(self) -> tuple[str, str]:
        from cms.archive.conf import contact_emails

        return (self.owner_name or self.author_name(), self.owner_email or contact_emails()[0])
