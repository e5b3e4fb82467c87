"""Controlled vocabularies shared by every item and by the national database export.

Each term has a stable ``code`` that never changes once exported (harvesters and the
national database key on it); its ``name`` is translatable through wagtail-localize.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index


class Term(TranslatableMixin, index.Indexed, models.Model):
    code = models.SlugField(
        _("mã"), max_length=64, help_text=_("Mã ổn định, không đổi sau khi xuất.")
    )
    name = models.CharField(_("tên"), max_length=255)

    panels = [FieldPanel("code"), FieldPanel("name")]
    search_fields = [index.SearchField("name"), index.FilterField("locale_id")]

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(Term):
    """A human-rights topic the provincial plans ask to be communicated (ICCPR, CRC...)."""

    description = models.TextField(_("mô tả"), blank=True)
    panels = [*Term.panels, FieldPanel("description")]

    class Meta(Term.Meta):
        verbose_name = _("chủ đề")
        verbose_name_plural = _("chủ đề")
        constraints = [
            models.UniqueConstraint(fields=["code", "locale"], name="unique_topic_code_locale")
        ]


class MediaKind(models.TextChoices):
    SOUND = "SOUND", _("Âm thanh")
    VIDEO = "VIDEO", _("Video")
    IMAGE = "IMAGE", _("Hình ảnh")
    TEXT = "TEXT", _("Văn bản")


class ProductType(Term):
    """Radio reportage, radio drama, skit, bulletin, video, photo, poster, exhibition..."""

    media_kind = models.CharField(_("loại dữ liệu"), max_length=8, choices=MediaKind.choices)
    panels = [*Term.panels, FieldPanel("media_kind")]

    class Meta(Term.Meta):
        verbose_name = _("loại sản phẩm")
        verbose_name_plural = _("loại sản phẩm")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "locale"], name="unique_producttype_code_locale"
            )
        ]


class Audience(Term):
    class Meta(Term.Meta):
        verbose_name = _("đối tượng")
        verbose_name_plural = _("đối tượng")
        constraints = [
            models.UniqueConstraint(fields=["code", "locale"], name="unique_audience_code_locale")
        ]


class Channel(Term):
    """A distribution channel; digital channels count toward the plan's digital indicator."""

    is_digital = models.BooleanField(_("nền tảng số"), default=False)
    panels = [*Term.panels, FieldPanel("is_digital")]

    class Meta(Term.Meta):
        verbose_name = _("kênh phát hành")
        verbose_name_plural = _("kênh phát hành")
        constraints = [
            models.UniqueConstraint(fields=["code", "locale"], name="unique_channel_code_locale")
        ]


class ProducingUnit(Term):
    """An agency that leads or co-operates on products (đơn vị chủ trì / phối hợp)."""

    province = models.ForeignKey(
        "taxonomy.AdministrativeUnit",
        verbose_name=_("tỉnh/thành phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    panels = [*Term.panels, FieldPanel("province")]

    class Meta(Term.Meta):
        verbose_name = _("đơn vị sản xuất")
        verbose_name_plural = _("đơn vị sản xuất")
        constraints = [
            models.UniqueConstraint(fields=["code", "locale"], name="unique_unit_code_locale")
        ]


class AdministrativeLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Huyện/quận (đến 30/6/2025)")
    COMMUNE = "commune", _("Xã/phường/đặc khu")


REFORM_DATE = datetime.date(2025, 7, 1)


class AdministrativeUnitQuerySet(models.QuerySet["AdministrativeUnit"]):
    def valid_on(self, day: datetime.date) -> AdministrativeUnitQuerySet:
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day),
        )


# The plugin cannot build the reverse manager of Station.administrative_unit (Station
# subclasses modelcluster's untyped ClusterableModel).
class AdministrativeUnit(index.Indexed, models.Model):  # type: ignore[django-manager-missing]
    """A province, district or commune with the dates its code was valid.

    The reform of 1 July 2025 merged 63 provinces into 34 and removed districts;
    ``successors`` maps every old unit to the units that took it over, so an item
    tagged with a 2024 district is still found under today's province.
    """

    code = models.CharField(_("mã"), max_length=32, unique=True)
    gso_code = models.CharField(_("mã thống kê"), max_length=8, blank=True)
    name = models.CharField(_("tên"), max_length=255)
    level = models.CharField(_("cấp"), max_length=16, choices=AdministrativeLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )

    objects = AdministrativeUnitQuerySet.as_manager()

    panels = [
        FieldPanel("code"),
        FieldPanel("gso_code"),
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("parent"),
        FieldPanel("valid_from"),
        FieldPanel("valid_until"),
        FieldPanel("successors"),
    ]
    search_fields = [index.SearchField("name"), index.FilterField("level")]

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        if self.valid_until:
            return f"{self.name} (đến {self.valid_until:%d/%m/%Y})"
        return self.name

    @staticmethod
    def reform_component(pks: Iterable[int]) -> set[int]:
        """``pks`` with every unit linked to them through ``successors``, either way,
        transitively."""
        seen = set(pks)
        frontier = list(seen)
        through = AdministrativeUnit.successors.through
        while frontier:
            rows = through.objects.filter(
                models.Q(from_administrativeunit_id__in=frontier)
                | models.Q(to_administrativeunit_id__in=frontier)
            ).values_list("from_administrativeunit_id", "to_administrativeunit_id")
            frontier = []
            for a, b in rows:
                for pk in (a, b):
                    if pk not in seen:
                        seen.add(pk)
                        frontier.append(pk)
        return seen

    @property
    def is_current(self) -> bool:
        return self.valid_until is None

    def related_units(self) -> set[int]:
        """This unit with every predecessor and successor, transitively: the set an
        archive search must match so old and new tags find each other."""
        seen = AdministrativeUnit.reform_component([self.pk])
        # Children (communes of a province, districts of an old province) belong too.
        children = set(
            AdministrativeUnit.objects.filter(parent_id__in=seen).values_list("pk", flat=True)
        )
        return seen | children


class FundingSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("Ngân sách nhà nước")
    SOCIALISED = "socialised", _("Xã hội hóa")
    MIXED = "mixed", _("Kết hợp")


class Rights(models.TextChoices):
    ALL_RIGHTS = "all_rights_reserved", _("Bảo lưu mọi quyền (đơn vị sản xuất)")
    CC_BY = "cc_by_4", _("CC BY 4.0")
    CC_BY_SA = "cc_by_sa_4", _("CC BY-SA 4.0")
    PUBLIC_DOMAIN = "public_domain", _("Phạm vi công cộng")


class RetentionPeriod(models.TextChoices):
    PERMANENT = "permanent", _("Vĩnh viễn")
    Y70 = "70y", _("70 năm")
    Y50 = "50y", _("50 năm")
    Y20 = "20y", _("20 năm")
    Y10 = "10y", _("10 năm")
    Y5 = "5y", _("5 năm")


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Công khai")
    INTERNAL = "internal", _("Sử dụng nội bộ")
    RESTRICTED = "restricted", _("Hạn chế sử dụng")


class BulletinClass(models.TextChoices):
    """Circular 39/2020/TT-BTTTT: emergency bulletins pre-empt everything else."""

    NORMAL = "normal", _("Thường")
    PRIORITY = "priority", _("Ưu tiên")
    EMERGENCY = "emergency", _("Khẩn cấp")
