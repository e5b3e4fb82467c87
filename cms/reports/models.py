"""Who sees which figures, and when each province's reporting periods end."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from cms.reports import conf


def _day() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(1), MaxValueValidator(31)]


def _month() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(1), MaxValueValidator(12)]


class ReportingSchedule(models.Model):
    """A province's reporting cut-offs and indicator target.

    Provinces set their own dates (6-month figures to 30/5 or 20/6, annual to 30/11 or
    10/12); a period runs from the day after the previous annual cut-off.
    """

    province = models.OneToOneField(
        "taxonomy.AdministrativeUnit",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.CASCADE,
        limit_choices_to={"level": "province"},
        related_name="+",
    )
    half_year_day = models.PositiveSmallIntegerField(_("ngày chốt 6 tháng"), validators=_day())
    half_year_month = models.PositiveSmallIntegerField(_("tháng chốt 6 tháng"), validators=_month())
    annual_day = models.PositiveSmallIntegerField(_("ngày chốt năm"), validators=_day())
    annual_month = models.PositiveSmallIntegerField(_("tháng chốt năm"), validators=_month())
    target_min = models.DecimalField(
        _("chỉ tiêu tối thiểu (%)"), max_digits=5, decimal_places=2, default=15
    )
    target_max = models.DecimalField(
        _("chỉ tiêu tối đa (%)"), max_digits=5, decimal_places=2, default=20
    )

    panels = [
        FieldPanel("province"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("half_year_day"), FieldPanel("half_year_month")]),
                FieldRowPanel([FieldPanel("annual_day"), FieldPanel("annual_month")]),
            ],
            heading=_("Ngày chốt số liệu"),
        ),
        FieldRowPanel([FieldPanel("target_min"), FieldPanel("target_max")]),
    ]

    class Meta:
        verbose_name = _("lịch báo cáo")
        verbose_name_plural = _("lịch báo cáo")

    def __str__(self) -> str:
        return (
            f"{self.province.name}: {self.half_year_day:02d}/{self.half_year_month:02d}, "
            f"{self.annual_day:02d}/{self.annual_month:02d}"
        )

    def clean(self) -> None:
        for day, month, field in (
            (self.half_year_day, self.half_year_month, "half_year_day"),
            (self.annual_day, self.annual_month, "annual_day"),
        ):
            try:
                datetime.date(2023, month or 1, day or 1)  # a non-leap year
            except ValueError as error:
                raise ValidationError({field: _("Ngày không hợp lệ.")}) from error
        if (self.half_year_month, self.half_year_day) >= (self.annual_month, self.annual_day):
            raise ValidationError(_("Ngày chốt 6 tháng phải trước ngày chốt năm."))
        if (
            self.target_min is not None
            and self.target_max is not None
            and self.target_min > self.target_max
        ):
            raise ValidationError(_("Chỉ tiêu tối thiểu không được lớn hơn tối đa."))

    @property
    def half_year_cutoff(self) -> tuple[int, int]:
        return (self.half_year_month, self.half_year_day)

    @property
    def annual_cutoff(self) -> tuple[int, int]:
        return (self.annual_month, self.annual_day)


def default_schedule() -> dict[str, object]:
    return {
        "half_year_cutoff": tuple(conf.get("HALF_YEAR_CUTOFF")),
        "annual_cutoff": tuple(conf.get("ANNUAL_CUTOFF")),
        "target_min": conf.get("TARGET_MIN"),
        "target_max": conf.get("TARGET_MAX"),
    }


class ReportingMembership(models.Model):
    """Whose figures a user may see: one producing unit, or a whole province.

    There is no user -> producing unit link elsewhere yet; this could move to
    ``cms.users`` once other apps need it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="reporting_membership",
    )
    producing_unit = models.ForeignKey(
        "taxonomy.ProducingUnit",
        verbose_name=_("đơn vị sản xuất"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    province = models.ForeignKey(
        "taxonomy.AdministrativeUnit",
        verbose_name=_("tỉnh/thành phố (quản trị cấp tỉnh)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        limit_choices_to={"level": "province"},
        related_name="+",
    )

    panels = [FieldPanel("user"), FieldPanel("producing_unit"), FieldPanel("province")]

    class Meta:
        verbose_name = _("phạm vi xem báo cáo")
        verbose_name_plural = _("phạm vi xem báo cáo")
        # Granted to the approver role (office heads) by migration 0003; see
        # ``cms.reports.access.scope_for``.
        permissions = [("view_report", "Có thể xem báo cáo kế hoạch")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(producing_unit__isnull=False, province__isnull=True)
                | models.Q(producing_unit__isnull=True, province__isnull=False),
                name="reporting_membership_unit_xor_province",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.producing_unit or self.province}"

    def clean(self) -> None:
        if bool(self.producing_unit_id) == bool(self.province_id):
            raise ValidationError(_("Chọn đúng một: đơn vị sản xuất hoặc tỉnh/thành phố."))
