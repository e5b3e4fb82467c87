"""Stations, their users and tokens, broadcast packages and the record of their carriage.

A *package* is what an editor sends; a *build* is one BagIt bag made from it for one
*variant* (the set of languages and renditions a group of stations can use), so 300 commune
stations broadcasting in Vietnamese share one bag instead of 300 copies; a *delivery* is the
package as seen by one station: when it became available, when the station received it
(checksum verified) and when it aired.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.models import Orderable
from wagtail.search import index

from cms.content.itemtypes import item_labels, kind_of
from cms.stations.choices import RADIO_KINDS, AuditAction, StationKind
from cms.stations.forms import (
    BroadcastPackageForm,
    StationForm,
    validate_board_profile,
    validate_languages,
)
from cms.taxonomy.models import BulletinClass


class Station(index.Indexed, ClusterableModel):
    """A radio station, loudspeaker cluster, digital board or information point.

    Its administrative unit may be a pre-2025 district: many former district stations now
    serve a new commune or province, and targeting follows the reform mapping
    (``AdministrativeUnit.related_units``), so an old code still receives what the new unit
    is sent.
    """

    name = models.CharField(_("tên đài"), max_length=255)
    code = models.SlugField(
        _("mã đài"), max_length=64, unique=True, help_text=_("Dùng trong tên gói tải về.")
    )
    kind = models.CharField(_("loại"), max_length=32, choices=StationKind.choices)
    administrative_unit = models.ForeignKey(
        "taxonomy.AdministrativeUnit",
        verbose_name=_("đơn vị hành chính"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    languages = models.JSONField(
        _("ngôn ngữ phát sóng"), default=list, validators=[validate_languages]
    )
    channels = ParentalManyToManyField(
        "taxonomy.Channel", verbose_name=_("kênh phát hành"), blank=True
    )
    screen_model = models.CharField(
        _("mẫu màn hình"), max_length=255, blank=True, help_text=_("Ví dụ: LED P5 384×192.")
    )
    board_profile = models.CharField(
        _("cấu hình màn hình"),
        max_length=64,
        blank=True,
        validators=[validate_board_profile],
        help_text=_("board_landscape, board_portrait hoặc board_native_384x192."),
    )
    broadcast_mp2 = models.BooleanField(
        _("thêm tệp MP2 cho máy phát"),
        default=False,
        help_text=_(
            "Ngoài tệp WAV, gói có thêm tệp MPEG-1 Layer II (MP2) 256 kb/s cho phần mềm phát "
            "sóng cũ. Chỉ áp dụng cho đài phát thanh."
        ),
    )
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped whenever anything in this station's package list changes (a package becomes
    # available, is received or aired, an emergency is targeted, a delivery is deleted): it
    # is part of the key of the cached list response, read with the token in the same query.
    list_version = models.PositiveBigIntegerField(default=0, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("kind"),
        FieldPanel("administrative_unit"),
        FieldPanel("languages"),
        FieldPanel("channels"),
        FieldPanel("broadcast_mp2"),
        MultiFieldPanel(
            [FieldPanel("screen_model"), FieldPanel("board_profile"), FieldPanel("board_size")],
            heading=_("Bảng tin điện tử"),
        ),
        FieldPanel("contact_email"),
        FieldPanel("is_active"),
    ]
    base_form_class = StationForm
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("đài / điểm phát")
        verbose_name_plural = _("đài / điểm phát")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.kind == StationKind.DIGITAL_BOARD and not self.board_profile:
            self.board_profile = "board_landscape"

    def audio_profiles(self) -> list[str]:
        """Renditions of the sound this station can play."""
        if self.kind in RADIO_KINDS:
            return ["loudspeaker", "broadcast"]
        if self.kind == StationKind.INFORMATION_POINT:
            return ["loudspeaker"]
        return []  # boards are silent

    def video_profile(self) -> str | None:
        """The board profile of this station's screen, if it has one."""
        if self.kind == StationKind.DIGITAL_BOARD:
            return self.board_profile or "board_landscape"
        if self.kind == StationKind.INFORMATION_POINT:
            return self.board_profile or "board_landscape"
        return None


class StationMembership(models.Model):
    """A station user: belongs to exactly one station and sees only its packages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="station_membership",
    )
    station = models.ForeignKey(
        Station, verbose_name=_("đài"), on_delete=models.CASCADE, related_name="members"
    )

    panels = [FieldPanel("user"), FieldPanel("station")]

    class Meta:
        verbose_name = _("người dùng của đài")
        verbose_name_plural = _("người dùng của đài")

    def __str__(self) -> str:
        return f"{self.user} → {self.station}"


class StationToken(models.Model):
    """An API token for a station's automation equipment or sync client.

    Only a SHA-256 of the token is stored; the token itself is shown once. A fast hash is
    right here (unlike passwords): the token carries 256 random bits, so guessing is hopeless
    whatever the hash speed, and a slow hash would cost every API call of 300 polling
    stations tens of milliseconds of CPU. ``prefix`` (also random, stored in clear) finds
    the row without scanning; the hash is compared in constant time.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("đài"), on_delete=models.CASCADE, related_name="tokens"
    )
    label = models.CharField(_("tên gợi nhớ"), max_length=255, blank=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa truy cập của đài")
        verbose_name_plural = _("khóa truy cập của đài")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.station} · {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class BroadcastPackage(ClusterableModel):
    """What an editor sends to stations: a bulletin, a programme or a week's rundown.

    Once released it cannot be edited (stations may already have it); a correction is a
    new package.
    """

    title = models.CharField(_("tiêu đề"), max_length=255)
    description = models.TextField(_("ghi chú cho đài"), blank=True)
    bulletin_class = models.CharField(
        _("loại bản tin"),
        max_length=16,
        choices=BulletinClass.choices,
        default=BulletinClass.NORMAL,
    )
    air_from = models.DateTimeField(_("phát từ"), null=True, blank=True)
    air_until = models.DateTimeField(_("phát đến"), null=True, blank=True)
    target_units = ParentalManyToManyField(
        "taxonomy.AdministrativeUnit",
        verbose_name=_("địa bàn nhận"),
        blank=True,
        related_name="+",
        help_text=_("Để trống cùng với danh sách đài: mọi đài đang hoạt động."),
    )
    include_related_units = models.BooleanField(
        _("gồm đơn vị trực thuộc và đơn vị trước/sau sắp xếp 2025"), default=True
    )
    target_kinds = models.JSONField(_("loại đài nhận"), default=list, blank=True)
    target_languages = models.JSONField(
        _("ngôn ngữ nhận"), default=list, blank=True, validators=[validate_languages]
    )
    target_stations = ParentalManyToManyField(
        Station, verbose_name=_("thêm các đài"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("bulletin_class"), FieldPanel("air_from"), FieldPanel("air_until")],
            heading=_("Phát sóng"),
        ),
        InlinePanel("items", label=_("Tin bài trong gói (theo thứ tự phát)"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("target_units"),
                FieldPanel("include_related_units"),
                FieldPanel("target_kinds"),
                FieldPanel("target_languages"),
                FieldPanel("target_stations"),
            ],
            heading=_("Nơi nhận"),
        ),
    ]
    base_form_class = BroadcastPackageForm

    class Meta:
        verbose_name = _("gói phát sóng")
        verbose_name_plural = _("gói phát sóng")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.pk and BroadcastPackage.objects.filter(pk=self.pk, released_at__isnull=False):
            raise ValidationError(_("Gói đã phát hành, không thể sửa. Hãy tạo gói mới."))
        if self.air_from and self.air_until and self.air_until < self.air_from:
            raise ValidationError(
                {"air_until": _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")}
            )
        kinds = {value for value, _label in StationKind.choices}
        if any(kind not in kinds for kind in self.target_kinds or []):
            raise ValidationError({"target_kinds": _("Loại đài không hợp lệ.")})

    @property
    def is_emergency(self) -> bool:
        return self.bulletin_class == BulletinClass.EMERGENCY

    @property
    def priority(self) -> int:
        """Queue priority of its builds: emergency bulletins are built before anything else."""
        priorities: dict[str, int] = {BulletinClass.EMERGENCY: 100, BulletinClass.PRIORITY: 50}
        return priorities.get(self.bulletin_class, 0)


class PackageItem(Orderable):
    """One approved item in a package's rundown, with explicit cue points.

    Cue points are in seconds from the start of each language's recording; an empty cue-out
    means the end of that recording (its measured duration, never guessed from silence).
    """

    package = ParentalKey(BroadcastPackage, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("tin bài"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cue_in = models.FloatField(_("điểm vào (giây)"), default=0.0)
    cue_out = models.FloatField(
        _("điểm ra (giây)"), null=True, blank=True, help_text=_("Để trống: hết bản ghi.")
    )
    note = models.CharField(_("ghi chú phát sóng"), max_length=255, blank=True)

    panels = [
        PageChooserPanel("page", page_type=item_labels()),
        FieldPanel("cue_in"),
        FieldPanel("cue_out"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("tin bài trong gói")

    def __str__(self) -> str:
        return f"{self.sort_order}: {self.page}"

    def clean(self) -> None:
        super().clean()
        if self.cue_in < 0:
            raise ValidationError({"cue_in": _("Điểm vào không được âm.")})
        if self.cue_out is not None and self.cue_out <= self.cue_in:
            raise ValidationError({"cue_out": _("Điểm ra phải sau điểm vào.")})
        if self.page_id:
            page = self.page.specific
            if kind_of(page) is None:
                raise ValidationError(
                    {"page": _("Chỉ chọn chương trình phát thanh, video hoặc triển lãm.")}
                )
            if not page.live:
                raise ValidationError({"page": _("Tin bài chưa được duyệt và xuất bản.")})
            from cms.content.visibility import is_public

            if not is_public(page):
                raise ValidationError(
                    {
                        "page": _(
                            "Tin bài không công khai (nội bộ, hạn chế hoặc có mật khẩu): "
                            "không được đưa vào gói phát."
                        )
                    }
                )


class BuildStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    BUILDING = "building", _("Đang đóng gói")
    READY = "ready", _("Sẵn sàng")
    FAILED = "failed", _("Lỗi")


class PackageBuild(models.Model):
    """One BagIt bag of a package for one variant (languages and renditions)."""

    package = models.ForeignKey(BroadcastPackage, on_delete=models.CASCADE, related_name="builds")
    variant_key = models.CharField(max_length=64)
    variant = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=BuildStatus.choices, default=BuildStatus.PENDING
    )
    bag_name = models.CharField(max_length=255, blank=True)
    folder = models.CharField(max_length=500, blank=True, help_text="storage prefix of the build")
    zip_size = models.PositiveBigIntegerField(default=0)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    bag_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of tagmanifest-sha256.txt"
    )
    files = models.JSONField(default=list, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "variant_key"], name="unique_build_variant")
        ]

    def __str__(self) -> str:
        return f"{self.package} [{self.variant_key[:8]}]"

    @property
    def zip_storage_name(self) -> str:
        return f"{self.folder}/{self.bag_name}.zip"

    def file_entry(self, path: str) -> dict[str, Any] | None:
        """The entry of a file of the bag by its path inside the bag, if there is one."""
        entries: list[dict[str, Any]] = self.files
        for entry in entries:
            if entry["path"] == path:
                return entry
        return None


class PackageDelivery(models.Model):
    """A package as one station sees it: targeted, available, received (verified), aired."""

    package = models.ForeignKey(
        BroadcastPackage, on_delete=models.CASCADE, related_name="deliveries"
    )
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="deliveries")
    build = models.ForeignKey(
        PackageBuild, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    targeted_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_download_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_sha256 = models.CharField(max_length=64, blank=True)
    aired_at = models.DateTimeField(null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "station"], name="unique_delivery")
        ]
        indexes = [models.Index(fields=["station", "available_at", "id"])]

    def __str__(self) -> str:
        return f"{self.package} → {self.station}"


class AiringReport(models.Model):
    """A station's report that (part of) a package went on air."""

    delivery = models.ForeignKey(PackageDelivery, on_delete=models.CASCADE, related_name="airings")
    aired_at = models.DateTimeField(_("thời điểm phát"))
    items = models.JSONField(default=list, help_text="[{id, order, title}] of the items aired")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.ForeignKey(
        StationToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-aired_at"]

    def __str__(self) -> str:
        return f"{self.delivery} @ {self.aired_at:%Y-%m-%d %H:%M}"


class AuditLog(models.Model):
    """Who did what to which package, from where. Append-only."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.ForeignKey(
        StationToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    package_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action}"


def default_token_expiry() -> datetime.datetime:
    from cms.stations import conf

    return timezone.now() + datetime.timedelta(days=int(conf.get("TOKEN_LIFETIME_DAYS")))
