"""Stations, their users and tokens, broadcast packages and the record of their carriage.

A *package* is what an editor sends; a *build* is one BagIt bag made from it for one
*variant* (the set of languages and renditions a group of stations can use), so 300 commune
stations broadcasting in Vietnamese share one bag instead of 300 copies; a *delivery* is the
package as seen by one station: when it became available, when the station received it
(checksum verified) and when it aired.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.models import Orderable
from wagtail.search import index

from cms.taxonomy.models import BulletinClass


class StationKind(models.TextChoices):
    PROVINCIAL_RADIO = "provincial_radio", _("Đài phát thanh tỉnh")
    DISTRICT_RADIO = "district_radio", _("Đài truyền thanh cấp huyện (cũ)")
    COMMUNE_RADIO = "commune_radio", _("Đài truyền thanh cấp xã / cụm loa")
    DIGITAL_BOARD = "digital_board", _("Bảng tin điện tử")
    INFORMATION_POINT = "information_point", _("Điểm thông tin cơ sở")


RADIO_KINDS = {StationKind.PROVINCIAL_RADIO, StationKind.DISTRICT_RADIO, StationKind.COMMUNE_RADIO}
BOARD_PROFILE_RE = re.compile(
    r"^(board_landscape|board_portrait|board_native_(\d{2,5})x(\d{2,5}))$"
)


def validate_board_profile(value: str) -> None:
    if value and not BOARD_PROFILE_RE.match(value):
        raise ValidationError(
            _("Cấu hình màn hình: board_landscape, board_portrait hoặc board_native_RỘNGxCAO.")
        )


def validate_languages(value: Any) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or any(v not in codes for v in value):
        raise ValidationError(_("Ngôn ngữ không hợp lệ."))


def language_field(label: str, required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=settings.LANGUAGES,
        required=required,
        widget=forms.CheckboxSelectMultiple,
    )


#: Screen profiles offered by name; any other LED size is "board_native" with its size.
BOARD_PROFILE_CHOICES = [
    ("", _("— Không có màn hình / theo loại đài —")),
    ("board_landscape", _("Màn hình ngang 16:9 (1920×1080)")),
    ("board_portrait", _("Màn hình dọc 9:16 (1080×1920)")),
    ("board_native_384x192", _("Bảng LED 384×192 điểm ảnh (đúng điểm ảnh)")),
    ("board_native_768x384", _("Bảng LED 768×384 điểm ảnh (đúng điểm ảnh)")),
    ("native", _("Bảng LED kích thước khác (nhập bên dưới)")),
]
NATIVE_SIZE_RE = re.compile(r"^\s*(\d{2,5})\s*[x×X*]\s*(\d{2,5})\s*$")


class StationForm(WagtailAdminModelForm):
    """Languages as check boxes instead of a JSON text area; channels of the admin's
    language only (each channel exists once per locale); screen profiles by name."""

    languages = language_field(_("ngôn ngữ phát sóng"), required=True)
    board_profile = forms.ChoiceField(
        label=_("cấu hình màn hình"), choices=BOARD_PROFILE_CHOICES, required=False
    )
    board_size = forms.CharField(
        label=_("kích thước bảng LED (điểm ảnh)"),
        required=False,
        help_text=_("Chỉ khi chọn “kích thước khác”: RỘNG×CAO, ví dụ 512×256."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cms.taxonomy.models import Channel

        if "channels" in self.fields:
            chosen = list(self.instance.channels.all()) if self.instance.pk else []
            self.fields["channels"].queryset = Channel.objects.filter(
                models.Q(locale__language_code=settings.LANGUAGE_CODE)
                | models.Q(pk__in=[c.pk for c in chosen])
            ).order_by("name")
            field = self.fields["channels"]
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = field.choices
        current = self.instance.board_profile or ""
        named = {code for code, _label in BOARD_PROFILE_CHOICES} - {"native"}
        if current and current not in named:
            match = BOARD_PROFILE_RE.match(current)
            self.initial["board_profile"] = "native"
            if match and match.group(2):
                self.initial["board_size"] = f"{match.group(2)}×{match.group(3)}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("board_profile") == "native":
            match = NATIVE_SIZE_RE.match(data.get("board_size") or "")
            if not match:
                self.add_error(
                    "board_size",
                    _("Hãy nhập kích thước bảng LED dạng RỘNG×CAO, ví dụ 512×256."),
                )
                data["board_profile"] = ""
            else:
                data["board_profile"] = f"board_native_{match.group(1)}x{match.group(2)}"
        return data


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


class BroadcastPackageForm(WagtailAdminModelForm):
    target_kinds = forms.MultipleChoiceField(
        label=_("loại đài nhận"),
        choices=StationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Để trống: mọi loại đài."),
    )
    target_languages = language_field(_("ngôn ngữ nhận"), required=False)


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
        return {BulletinClass.EMERGENCY: 100, BulletinClass.PRIORITY: 50}.get(
            self.bulletin_class, 0
        )


ITEM_PAGE_TYPES = ("content.RadioSegmentPage", "content.VideoPage", "content.ExhibitionPage")


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
        PageChooserPanel("page", page_type=list(ITEM_PAGE_TYPES)),
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
            if f"content.{type(page).__name__}" not in ITEM_PAGE_TYPES:
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
        for entry in self.files:
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


class AuditAction(models.TextChoices):
    DOWNLOAD_BAG = "download_bag", _("Tải gói")
    DOWNLOAD_FILE = "download_file", _("Tải tệp")
    MANIFEST = "manifest", _("Xem danh mục")
    CONFIRM_RECEIPT = "confirm_receipt", _("Xác nhận đã nhận")
    RECEIPT_MISMATCH = "receipt_mismatch", _("Mã kiểm tra không khớp")
    CONFIRM_AIRING = "confirm_airing", _("Xác nhận đã phát")
    TOKEN_CREATED = "token_created", _("Tạo khóa")
    TOKEN_REVOKED = "token_revoked", _("Thu hồi khóa")
    AUTH_FAILED = "auth_failed", _("Khóa không hợp lệ")


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
