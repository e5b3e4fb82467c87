"""Admin views: the carriage dashboard ("Phát sóng"), releasing a package, station tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cms.stations import access, carriage, distribution, planning, tokens
from cms.stations.models import (
    AuditAction,
    BroadcastPackage,
    PackageDelivery,
    Station,
    StationToken,
)

DASHBOARD_PERMISSION = "stations.view_broadcastpackage"
RELEASE_PERMISSION = "stations.change_broadcastpackage"
TOKEN_PERMISSION = "stations.add_stationtoken"  # noqa: S105 - a permission name


def require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


PACKAGES_PER_PAGE = 50
DELIVERIES_PER_PAGE = 100


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for the pagination links."""
    query = request.GET.copy()
    query.pop("p", None)
    return query.urlencode()


def dashboard(request: HttpRequest) -> HttpResponse:
    """Packages newest first, 50 a page, filtered by class, date, state and title; the
    carriage counts are computed for the page shown only."""
    require(request, DASHBOARD_PERMISSION)
    form = carriage.DashboardFilter(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(carriage.filter_packages(data), PACKAGES_PER_PAGE).get_page(
        request.GET.get("p")
    )
    order = {package.pk: n for n, package in enumerate(page.object_list)}
    rows = carriage.package_carriage(BroadcastPackage.objects.filter(pk__in=list(order)))
    rows.sort(key=lambda r: order[r.package.pk])
    return render(
        request,
        "wagtailadmin/stations/dashboard.html",
        {
            "rows": rows,
            "page": page,
            "form": form,
            "query": query_without_page(request),
            "page_title": _("Phát sóng"),
            "header_icon": "radio-full",
        },
    )


def package_carriage(request: HttpRequest, package_id: int) -> HttpResponse:
    """One package's stations, 100 a page, filtered by state, kind and name, with totals."""
    require(request, DASHBOARD_PERMISSION)
    package = get_object_or_404(BroadcastPackage, pk=package_id)
    form = carriage.DeliveryFilter(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(carriage.filter_deliveries(package, data), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("p")
    )
    deliveries = list(page.object_list)
    prefetch_related_objects(deliveries, "airings")
    overdue = set(
        PackageDelivery.objects.filter(
            carriage.overdue_q(), pk__in=[d.pk for d in deliveries]
        ).values_list("pk", flat=True)
    )
    [totals] = carriage.package_carriage(BroadcastPackage.objects.filter(pk=package.pk))
    return render(
        request,
        "wagtailadmin/stations/package_carriage.html",
        {
            "package": package,
            "deliveries": deliveries,
            "overdue": overdue,
            "totals": totals,
            "page": page,
            "form": form,
            "query": query_without_page(request),
            "page_title": package.title,
            "header_icon": "radio-full",
        },
    )


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
            "language_warnings": planning.master_language_warnings(package),
            "page_title": _("Phát hành gói"),
            "header_icon": "radio-full",
        },
    )


class TokenForm(forms.Form):
    label = forms.CharField(label=_("Tên gợi nhớ"), max_length=255, required=False)
    days = forms.IntegerField(label=_("Hiệu lực (ngày)"), min_value=1, max_value=3650, initial=365)


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
            expires_at=timezone.now() + timezone.timedelta(days=form.cleaned_data["days"]),
        )
        access.audit(request, AuditAction.TOKEN_CREATED, station=station, token=issued.token)
        form = TokenForm()
    response = render(
        request,
        "wagtailadmin/stations/tokens.html",
        {
            "station": station,
            "tokens": station.tokens.all(),
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
