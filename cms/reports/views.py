"""Admin reports: the plan indicator and the product tables, as a page with charts and
tables, and as XLSX and CSV files. See ``cms.reports.figures`` for what a product is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.reports import exports
from cms.reports.access import ReportScope, province_restriction, scope_for
from cms.reports.figures import Report, compute
from cms.reports.models import ReportingSchedule, default_schedule
from cms.reports.periods import Period, PeriodKind, annual, current_year, half_year
from cms.search.query import term_names
from cms.taxonomy.models import AdministrativeUnit, ProducingUnit


class ReportForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Kỳ báo cáo"),
        choices=[
            (PeriodKind.HALF_YEAR, gettext_lazy("6 tháng")),
            (PeriodKind.YEAR, gettext_lazy("Năm")),
            (PeriodKind.CUSTOM, gettext_lazy("Tùy chọn")),
        ],
        required=False,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Năm"), min_value=2000, max_value=2100, required=False
    )
    start = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    province = forms.ModelChoiceField(
        label=gettext_lazy("Tỉnh/thành phố"),
        queryset=AdministrativeUnit.objects.filter(level="province").order_by("name"),
        required=False,
    )
    producing_unit = forms.ChoiceField(label=gettext_lazy("Đơn vị chủ trì"), required=False)

    def __init__(self, *args: Any, scope: ReportScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        names = term_names(ProducingUnit, "vi")
        units = cast(forms.ChoiceField, self.fields["producing_unit"])
        units.choices = [
            ("", _("Tất cả")),
            *sorted(names.items(), key=lambda kv: kv[1]),
        ]
        if not scope.sees_all:
            del self.fields["province"]
        if scope.producing_unit:
            del self.fields["producing_unit"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        if data.get("period") == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Chọn ngày bắt đầu và ngày kết thúc."))
            if end < start:
                raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
            if (end - start).days > 3 * 366:
                raise forms.ValidationError(_("Kỳ báo cáo tối đa 3 năm."))
        return data


@dataclass
class Schedule:
    half_year_cutoff: tuple[int, int]
    annual_cutoff: tuple[int, int]
    target: tuple[Decimal, Decimal]
    province: AdministrativeUnit | None


def schedule_for(province: AdministrativeUnit | None) -> Schedule:
    """The province's own schedule (or that of its pre/post-2025 counterpart), else the
    defaults from ``settings.CMS_REPORTS``."""
    found = None
    if province is not None:
        found = ReportingSchedule.objects.filter(province_id__in=province.related_units()).first()
    if found is not None:
        return Schedule(
            found.half_year_cutoff,
            found.annual_cutoff,
            (found.target_min, found.target_max),
            province,
        )
    defaults = default_schedule()
    return Schedule(
        defaults["half_year_cutoff"],  # type: ignore[arg-type]
        defaults["annual_cutoff"],  # type: ignore[arg-type]
        (Decimal(str(defaults["target_min"])), Decimal(str(defaults["target_max"]))),
        province,
    )


def build_report(request: HttpRequest) -> tuple[Report | None, ReportForm, Schedule]:
    scope = scope_for(request.user)
    if scope is None:
        raise PermissionDenied
    form = ReportForm(request.GET or None, scope=scope)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    province = scope.province or data.get("province")
    schedule = schedule_for(province)
    if form.is_bound and not form.is_valid():
        return None, form, schedule
    today = timezone.localdate()
    year = data.get("year") or current_year(today, schedule.annual_cutoff)
    kind = data.get("period") or PeriodKind.YEAR
    period: Period
    if kind == PeriodKind.CUSTOM:
        period = Period(PeriodKind.CUSTOM, data["start"], data["end"])
    elif kind == PeriodKind.HALF_YEAR:
        period = half_year(year, schedule.half_year_cutoff, schedule.annual_cutoff)
    else:
        period = annual(year, schedule.annual_cutoff)

    restriction = scope.restriction
    label = scope.label
    if scope.sees_all and data.get("province"):
        restriction = province_restriction(data["province"])
        label = data["province"].name
    if data.get("producing_unit") and not scope.producing_unit:
        unit_filter = Q(producing_unit=data["producing_unit"])
        restriction = unit_filter if restriction is None else restriction & unit_filter
        unit_name = term_names(ProducingUnit, "vi").get(data["producing_unit"], "")
        label = (
            unit_name if scope.sees_all and not data.get("province") else f"{unit_name} – {label}"
        )
    report = compute(period, restriction=restriction, scope_label=label, target=schedule.target)
    if not form.is_bound:
        # The form shows the report on the page (its period and year), not the first choice.
        form = ReportForm(initial={"period": kind, "year": year}, scope=scope)
    report.query = shown_query(form, data, kind, year, period)
    return report, form, schedule


def shown_query(
    form: ReportForm, data: dict[str, Any], kind: str, year: int, period: Period
) -> str:
    """The query string of the report shown, with its period spelled out: the download
    links give the files of this report, whatever the form's fields say meanwhile."""
    params: dict[str, Any] = {"period": kind}
    if kind == PeriodKind.CUSTOM:
        params.update(start=period.start.isoformat(), end=period.end.isoformat())
    else:
        params["year"] = year
    for name in ("province", "producing_unit"):
        value = data.get(name)
        if value and name in form.fields:
            params[name] = getattr(value, "pk", value)
    return urlencode(params)


def _filename(report: Report, extension: str) -> str:
    stamp = f"{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    unit = slugify(report.scope_label, allow_unicode=False)[:40] or "tat-ca"
    return f"bao-cao-{unit}-{stamp}.{extension}"


def export_xlsx(request: HttpRequest) -> HttpResponse:
    report, _form, _schedule = build_report(request)
    if report is None:
        return HttpResponse(_("Tham số báo cáo không hợp lệ."), status=400)
    response = HttpResponse(
        exports.to_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    report, _form, _schedule = build_report(request)
    if report is None:
        return HttpResponse(_("Tham số báo cáo không hợp lệ."), status=400)
    response = HttpResponse(exports.to_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response
