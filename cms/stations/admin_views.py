"""Admin views: releasing a package, station tokens (the carriage listings are in viewsets)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, DateColumn, Table

from cms.stations import access, build_plan, distribution, tokens
from cms.stations.choices import AuditAction
from cms.stations.columns import TemplateColumn
from cms.stations.models import (
    BroadcastPackage,
    Station,
    StationToken,
)

DASHBOARD_PERMISSION = "stations.view_broadcastpackage"
RELEASE_PERMISSION = "stations.change_broadcastpackage"
TOKEN_PERMISSION = "stations.add_stationtoken"  # noqa: S105 - a permission name


def require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def release(request: HttpRequest, package_id: int) -> HttpResponse:
    require(request, RELEASE_PERMISSION)
    package = get_object_or_404(BroadcastPackage, pk=package_id)
    if request.method == "POST":
        deliveries = distribution.release(package, request.user)
        messages.success(
            request,
            ngettext(
                "Đã phát hành gói “%(title)s” đến %(count)d đài; các đài sẽ thấy gói khi "
                "đóng gói xong.",
                "Đã phát hành gói “%(title)s” đến %(count)d đài; các đài sẽ thấy gói khi "
                "đóng gói xong.",
                len(deliveries),
            )
            % {"title": package.title, "count": len(deliveries)},
        )
        return redirect("stations_admin:package", package_id=package.pk)
    stations = distribution.target_stations(package)
    return render(
        request,
        "wagtailadmin/stations/release.html",
        {
            "package": package,
            "stations": stations,
            # language versions still playing another language's recording
            "language_warnings": build_plan.master_language_warnings(package),
            "page_title": _("Phát hành gói"),
            "header_icon": "radio-full",
        },
    )


class TokenForm(forms.Form):
    label = forms.CharField(label=_("Tên gợi nhớ"), max_length=255, required=False)
    days = forms.IntegerField(label=_("Hiệu lực (ngày)"), min_value=1, max_value=3650, initial=365)


T = "wagtailadmin/stations/"
TOKEN_COLUMNS = [
    TemplateColumn("prefix", label=_("Tiền tố"), cell_template_name=T + "token_prefix_cell.html"),
    Column("label", label=_("Tên gợi nhớ")),
    DateColumn("created_at", label=_("Tạo lúc")),
    DateColumn("expires_at", label=_("Hết hạn")),
    TemplateColumn(
        "last_used_at",
        label=_("Dùng lần cuối"),
        cell_template_name=T + "token_last_used_cell.html",
    ),
    TemplateColumn(
        "revoke", label=_("Thu hồi"), accessor="pk", cell_template_name=T + "token_revoke_cell.html"
    ),
]


def station_tokens(request: HttpRequest, station_id: int) -> HttpResponse:
    """List a station's tokens and create one; a new token is shown on this page only."""
    require(request, TOKEN_PERMISSION)
    station = get_object_or_404(Station, pk=station_id)
    issued = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = tokens.issue(
            station,
            label=form.cleaned_data["label"],
            created_by=request.user,
            expires_at=timezone.now() + datetime.timedelta(days=form.cleaned_data["days"]),
        )
        access.audit(request, AuditAction.TOKEN_CREATED, station=station, token=issued.token)
        form = TokenForm()
    response = render(
        request,
        "wagtailadmin/stations/tokens.html",
        {
            "station": station,
            "tokens": Table(TOKEN_COLUMNS, list(station.tokens.all())),
            "form": form,
            "issued": issued,
            "page_title": _("Khóa truy cập: %(station)s") % {"station": station.name},
            "header_icon": "key",
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def revoke_token(request: HttpRequest, station_id: int, token_id: int) -> HttpResponse:
    require(request, TOKEN_PERMISSION)
    token = get_object_or_404(StationToken, pk=token_id, station_id=station_id)
    tokens.revoke(token)
    access.audit(request, AuditAction.TOKEN_REVOKED, station=token.station, token=token)
    return redirect("stations_admin:tokens", station_id=station_id)
