"""Page types: home, section indexes, and the three kinds of item the plans produce."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from cms.content.itemtypes import item_labels, item_models, kind_of

# REQUIRED_METADATA re-exported: the publication rule lives in cms.content.publishing
from cms.content.publishing import REQUIRED_METADATA as REQUIRED_METADATA
from cms.content.publishing import missing_for_publication
from cms.content.slugs import AsciiSlugMixin
from cms.content.timecode import TimecodeField, format_timecode
from cms.content.visibility import public_pages
from cms.content.widgets import AreaPicker, CheckboxList, UnitPicker
from cms.formats import nfc
from cms.taxonomy.models import AccessLevel, BulletinClass, FundingSource, RetentionPeriod, Rights


class HomePage(AsciiSlugMixin, Page):
    """The site root in each language; lists the latest items in the visitor's language."""

    intro = models.TextField(_("giới thiệu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content.SectionIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("trang chủ")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)
        context["latest_items"] = latest_items(self, 12)
        context["sections"] = public_pages(self.get_children()).specific()
        return context


def latest_items(root: Page, limit: int) -> list[Page]:
    return list(
        public_pages(Page.objects.descendant_of(root))
        .type(*item_models())
        .filter(locale_id=root.locale_id)
        .order_by("-first_published_at")
        .specific()[:limit]
    )


class SectionIndexPage(AsciiSlugMixin, Page):
    """A section: radio, video, exhibitions, or a producing unit's own tree."""

    intro = models.TextField(_("giới thiệu"), blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content.SectionIndexPage", *item_labels()]

    class Meta:
        verbose_name = _("chuyên mục")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)
        context["items"] = latest_items(self, 50)
        return context


def item_edit_handler(content_panels: list[Any]) -> TabbedInterface:
    """Content first; the archive metadata every item needs on a tab of its own."""
    return TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Nội dung")),
            ObjectList(ItemPage.metadata_panels, heading=_("Siêu dữ liệu")),
            ObjectList(Page.promote_panels, heading=_("Quảng bá")),
            ObjectList(Page.settings_panels, heading=_("Cài đặt")),
        ]
    )


class ItemPage(AsciiSlugMixin, Page):
    """Shared metadata of every product (Dublin Core, archival fields, project tags)."""

    summary = models.TextField(_("tóm tắt"), blank=True)
    product_type = models.ForeignKey(
        "taxonomy.ProductType",
        verbose_name=_("loại sản phẩm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topics = ParentalManyToManyField("taxonomy.Topic", verbose_name=_("chủ đề"), blank=True)
    audiences = ParentalManyToManyField(
        "taxonomy.Audience", verbose_name=_("đối tượng"), blank=True
    )
    producing_unit = models.ForeignKey(
        "taxonomy.ProducingUnit",
        verbose_name=_("đơn vị chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cooperating_units = ParentalManyToManyField(
        "taxonomy.ProducingUnit", verbose_name=_("đơn vị phối hợp"), blank=True, related_name="+"
    )
    coverage = ParentalManyToManyField(
        "taxonomy.AdministrativeUnit", verbose_name=_("địa bàn"), blank=True, related_name="+"
    )
    channels = ParentalManyToManyField(
        "taxonomy.Channel", verbose_name=_("kênh phát hành"), blank=True
    )
    funding_source = models.CharField(
        _("nguồn kinh phí"), max_length=32, choices=FundingSource.choices, blank=True
    )
    rights = models.CharField(_("quyền sử dụng"), max_length=32, choices=Rights.choices, blank=True)
    retention_period = models.CharField(
        _("thời hạn bảo quản"), max_length=16, choices=RetentionPeriod.choices, blank=True
    )
    access_level = models.CharField(
        _("mức độ tiếp cận"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        blank=True,
    )
    record_code = models.CharField(
        _("mã hồ sơ"),
        max_length=64,
        blank=True,
        help_text=_("Theo Thông tư 05/2025/TT-BNV; để trống để tự sinh khi xuất bản."),
    )
    keywords = models.CharField(_("từ khóa"), max_length=500, blank=True)
    production_date = models.DateField(_("ngày sản xuất"), null=True, blank=True)
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    credits = models.TextField(_("thực hiện"), blank=True)

    metadata_panels = [
        FieldPanel("product_type"),
        # checkboxes, not Ctrl-click lists; the area picker is searchable and shows the units
        # valid on the production date (cms/content/widgets.py; issue 14, item 11)
        FieldPanel("topics", widget=CheckboxList),
        FieldPanel("audiences", widget=CheckboxList),
        MultiFieldPanel(
            [FieldPanel("producing_unit"), FieldPanel("cooperating_units", widget=UnitPicker)],
            heading=_("Đơn vị"),
        ),
        FieldPanel("coverage", widget=AreaPicker),
        FieldPanel("channels", widget=CheckboxList),
        MultiFieldPanel(
            [
                FieldPanel("funding_source"),
                FieldPanel("rights"),
                FieldPanel("retention_period"),
                FieldPanel("access_level"),
                FieldPanel("record_code"),
                FieldPanel("keywords"),
                FieldPanel("production_date"),
                FieldPanel("end_date"),
            ],
            heading=_("Lưu trữ"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("keywords"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields = [
        SynchronizedField("product_type"),
        # A taxonomy term, named per language in the vocabulary (``.localized``): translating
        # the page must not copy the Vietnamese name into the unit's own translation.
        SynchronizedField("producing_unit"),
        SynchronizedField("production_date"),
        TranslatableField("keywords"),
    ]
    # base_form_class: the editorial app's ItemPageForm, set in its ready() (editorial sits
    # above content; the form applies the same publication rule, cms.content.publishing)
    parent_page_types = ["content.SectionIndexPage"]
    subpage_types: list[str] = []
    is_creatable = False

    def missing_metadata(self) -> list[str]:
        """Labels of the mandatory metadata (and the type's media) this item still lacks."""
        return [gap.label for gap in missing_for_publication(kind_of(self), self._stored_value)]

    def missing_media(self) -> list[str]:
        gaps = missing_for_publication(kind_of(self), self._stored_value)
        return [gap.label for gap in gaps if gap.is_media]

    def _stored_value(self, name: str) -> Any:
        field = self._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return getattr(self, name).all()
        return getattr(self, field.attname if field.is_relation else name)

    def clean(self) -> None:
        super().clean()
        for attr in ("title", "summary", "keywords", "credits"):
            setattr(self, attr, nfc(getattr(self, attr)))
        if self.live:
            missing = self.missing_metadata()
            if missing:
                raise ValidationError(
                    _("Chưa thể xuất bản: còn thiếu %(fields)s.") % {"fields": ", ".join(missing)}
                )

    @property
    def language(self) -> str:
        code: str = self.locale.language_code
        return code


def cut_in_field() -> TimecodeField:
    return TimecodeField(
        _("điểm vào"),
        null=True,
        blank=True,
        help_text=_(
            "Bắt đầu bản cắt ngắn: giây (65 hoặc 65,5) hoặc phút:giây (1:05). Trống: từ đầu."
        ),
    )


def cut_out_field() -> TimecodeField:
    return TimecodeField(
        _("điểm ra"),
        null=True,
        blank=True,
        help_text=_("Kết thúc bản cắt ngắn; trống: đến hết bản gốc."),
    )


CUT_PANEL_HEADING = _("Bản cắt ngắn cho mạng xã hội")


def clean_cut(page: Any, master: Any) -> None:
    """In/out points: in before out, both within the master's duration, and the cut within
    the social platforms' duration limit (the shortest of the social profiles')."""
    cut_in, cut_out = page.cut_in, page.cut_out
    errors: dict[str, Any] = {}
    if cut_in is not None and cut_in < 0:
        errors["cut_in"] = _("Điểm vào không được âm.")
    if cut_out is not None and cut_out <= (cut_in or 0.0):
        errors["cut_out"] = _("Điểm ra phải sau điểm vào.")
    duration = getattr(master, "duration", None) if master is not None else None
    if duration and not errors:
        limit = _("Điểm này nằm ngoài thời lượng của bản gốc (%(duration)s).") % {
            "duration": format_timecode(duration)
        }
        if cut_in is not None and cut_in >= duration:
            errors["cut_in"] = limit
        if cut_out is not None and cut_out > duration + 0.0005:
            errors["cut_out"] = limit
        if not errors and (cut_in is not None or cut_out is not None):
            from cms.media.social import max_cut_seconds

            length = (duration if cut_out is None else cut_out) - (cut_in or 0.0)
            longest = max_cut_seconds()
            if longest is not None and length > longest + 0.0005:
                errors["cut_out"] = _(
                    "Bản cắt dài %(length)s, vượt giới hạn %(limit)s của mạng xã hội."
                ) % {"length": format_timecode(length), "limit": format_timecode(longest)}
    if errors:
        raise ValidationError(errors)


class RadioSegmentPage(ItemPage):
    """A radio reportage, drama, skit or bulletin; the audio differs per language."""

    audio = models.ForeignKey(
        "media.MediaMaster",
        verbose_name=_("bản ghi gốc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    script = models.TextField(_("kịch bản / bản ghi lời"), blank=True)
    duration = models.FloatField(_("thời lượng (giây)"), null=True, blank=True, editable=False)
    bulletin_class = models.CharField(
        _("loại bản tin"),
        max_length=16,
        choices=BulletinClass.choices,
        default=BulletinClass.NORMAL,
    )
    air_from = models.DateTimeField(_("phát từ"), null=True, blank=True)
    air_until = models.DateTimeField(_("phát đến"), null=True, blank=True)
    cut_in = cut_in_field()
    cut_out = cut_out_field()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("audio"),
        FieldPanel("script"),
        MultiFieldPanel(
            [FieldPanel("bulletin_class"), FieldPanel("air_from"), FieldPanel("air_until")],
            heading=_("Phát sóng"),
        ),
        MultiFieldPanel([FieldPanel("cut_in"), FieldPanel("cut_out")], heading=CUT_PANEL_HEADING),
        FieldPanel("credits"),
    ]
    edit_handler = item_edit_handler(content_panels)
    search_fields = [*ItemPage.search_fields, index.SearchField("script")]
    override_translatable_fields = [
        *ItemPage.override_translatable_fields,
        SynchronizedField("audio", overridable=True),
        SynchronizedField("bulletin_class"),
        SynchronizedField("air_from"),
        SynchronizedField("air_until"),
        # each language's recording has its own timing
        SynchronizedField("cut_in", overridable=True),
        SynchronizedField("cut_out", overridable=True),
    ]
    template = "content/radio_segment_page.html"

    class Meta:
        verbose_name = _("chương trình phát thanh")

    def clean(self) -> None:
        super().clean()
        self.script = nfc(self.script)
        if self.air_from and self.air_until and self.air_until < self.air_from:
            raise ValidationError(
                {"air_until": _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")}
            )
        audio = self.audio if self.audio_id else None
        if audio is not None:
            self.duration = audio.duration
        clean_cut(self, audio)


class VideoPage(ItemPage):
    """A video with a master and subtitles per language (boards are mostly silent)."""

    video = models.ForeignKey(
        "media.MediaMaster",
        verbose_name=_("video gốc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subtitles = models.ForeignKey(
        "media.CustomDocument",
        verbose_name=_("phụ đề (SRT/WebVTT)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poster_image = models.ForeignKey(
        "media.CustomImage",
        verbose_name=_("ảnh đại diện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transcript = models.TextField(_("lời thoại"), blank=True)
    cut_in = cut_in_field()
    cut_out = cut_out_field()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("video"),
        FieldPanel("subtitles"),
        FieldPanel("poster_image"),
        FieldPanel("transcript"),
        MultiFieldPanel([FieldPanel("cut_in"), FieldPanel("cut_out")], heading=CUT_PANEL_HEADING),
        FieldPanel("credits"),
    ]
    edit_handler = item_edit_handler(content_panels)
    search_fields = [*ItemPage.search_fields, index.SearchField("transcript")]
    override_translatable_fields = [
        *ItemPage.override_translatable_fields,
        SynchronizedField("video", overridable=True),
        SynchronizedField("subtitles", overridable=True),
        SynchronizedField("poster_image", overridable=True),
        SynchronizedField("cut_in", overridable=True),
        SynchronizedField("cut_out", overridable=True),
    ]
    template = "content/video_page.html"

    class Meta:
        verbose_name = _("video")

    def clean(self) -> None:
        super().clean()
        clean_cut(self, self.video if self.video_id else None)


class ExhibitionPage(RoutablePageMixin, ItemPage):
    """A touring photo and poster exhibition with captions in several languages."""

    intro = RichTextField(_("giới thiệu"), blank=True, features=["bold", "italic", "link"])
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("place"),
        InlinePanel("items", label=_("Ảnh / tranh"), min_num=0),
        FieldPanel("credits"),
    ]
    edit_handler = item_edit_handler(content_panels)
    search_fields = [
        *ItemPage.search_fields,
        index.SearchField("intro"),
        index.RelatedFields("items", [index.SearchField("caption")]),
    ]
    template = "content/exhibition_page.html"

    class Meta:
        verbose_name = _("triển lãm")

    @path("print/")
    def print_view(self, request: HttpRequest) -> Any:
        """Printable captions in two languages side by side (``?with=km``)."""
        from cms.content.views import exhibition_print

        return exhibition_print(request, self)


class ExhibitionItem(TranslatableMixin, Orderable):
    """A photo or poster in an exhibition; its caption is translated per language."""

    page = ParentalKey(ExhibitionPage, on_delete=models.CASCADE, related_name="items")
    image = models.ForeignKey(
        "media.CustomImage", verbose_name=_("ảnh"), on_delete=models.PROTECT, related_name="+"
    )
    caption = models.TextField(_("chú thích"))
    credit = models.CharField(_("tác giả"), max_length=255, blank=True)
    date = models.DateField(_("ngày chụp"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)

    panels = [
        FieldPanel("image"),
        FieldPanel("caption"),
        FieldPanel("credit"),
        FieldPanel("date"),
        FieldPanel("place"),
    ]
    override_translatable_fields = [SynchronizedField("image", overridable=True)]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("ảnh triển lãm")

    def clean(self) -> None:
        super().clean()
        self.caption = nfc(self.caption)
        self.place = nfc(self.place)
