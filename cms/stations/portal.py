"""The station portal (Vietnamese): a station user's packages, downloads and confirmations.

Session login; a user sees only their own station's packages, and another station's
package answers the same 404 as one that does not exist.
"""

from __future__ import annotations

import datetime
import functools
import unicodedata
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.stations import access, downloads
from cms.stations.models import PackageDelivery, Station
from cms.stations.responses import keep_404

View = Callable[..., HttpResponse]


def station_required(view: View) -> View:
    @login_required(login_url="stations:login")
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = getattr(request.user, "station_membership", None)
        if membership is None or not membership.station.is_active:
            return render(request, "stations/no_station.html", status=403)
        return view(request, membership.station, *args, **kwargs)

    return wrapper


def own_delivery(station: Station, package_id: int) -> PackageDelivery:
    delivery = access.delivery_for(station, package_id)
    if delivery is None:
        raise Http404("not found")
    return delivery


class AiringForm(forms.Form):
    aired_date = forms.DateField(
        label=_("Ngày phát"), widget=forms.DateInput(attrs={"type": "date"})
    )
    aired_time = forms.TimeField(
        label=_("Giờ phát"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    items = forms.MultipleChoiceField(
        label=_("Tin bài đã phát"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: Any, delivery: PackageDelivery, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [
            (str(item.pk), f"{order}. {item.page.title}")
            for order, item in enumerate(
                delivery.package.items.order_by("sort_order", "pk").select_related("page"), 1
            )
        ]

    def aired_at(self) -> datetime.datetime:
        moment = datetime.datetime.combine(
            self.cleaned_data["aired_date"], self.cleaned_data["aired_time"]
        )
        return timezone.make_aware(moment)


@keep_404(api=False)
@require_GET
@station_required
def index(request: HttpRequest, station: Station) -> HttpResponse:
    deliveries = list(access.portal_order(access.available_deliveries(station))[:200])
    return render(
        request,
        "stations/index.html",
        {
            "station": station,
            "emergencies": [d for d in deliveries if d.rank == 0],
            "new": [d for d in deliveries if d.rank == 1],
            "history": [d for d in deliveries if d.rank == 2],
        },
    )


@keep_404(api=False)
@require_GET
@station_required
def detail(request: HttpRequest, station: Station, package_id: int) -> HttpResponse:
    delivery = own_delivery(station, package_id)
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "delivery": delivery,
            "package": delivery.package,
            "build": delivery.build,
            "airing_form": AiringForm(
                delivery=delivery,
                initial={
                    "aired_date": timezone.localdate(),
                    "aired_time": timezone.localtime().time().replace(second=0, microsecond=0),
                },
            ),
            "airings": delivery.airings.all(),
        },
    )


@keep_404(api=False)
@require_http_methods(["GET", "HEAD"])
@station_required
def download_bag(request: HttpRequest, station: Station, package_id: int) -> HttpResponse:
    delivery = own_delivery(station, package_id)
    build = delivery.build
    assert build is not None
    access.record_download(request, delivery, "bag.zip")
    return downloads.serve(
        request,
        build.zip_storage_name,
        sha256=build.zip_sha256,
        size=build.zip_size,
        filename=f"{build.bag_name}.zip",
        build=build,
        path="bag.zip",
        api=False,
    )


@keep_404(api=False)
@require_http_methods(["GET", "HEAD"])
@station_required
def download_file(
    request: HttpRequest, station: Station, package_id: int, path: str
) -> HttpResponse:
    delivery = own_delivery(station, package_id)
    assert delivery.build is not None
    entry = delivery.build.file_entry(unicodedata.normalize("NFC", path))
    if entry is None:
        raise Http404("not found")
    access.record_download(request, delivery, entry["path"])
    return downloads.serve(
        request,
        entry["storage_name"],
        sha256=entry["sha256"],
        size=entry["size"],
        filename=entry["path"].rsplit("/", 1)[-1],
        build=delivery.build,
        path=entry["path"],
        api=False,
    )


@keep_404(api=False)
@require_POST
@station_required
def confirm_receipt(request: HttpRequest, station: Station, package_id: int) -> HttpResponse:
    delivery = own_delivery(station, package_id)
    if access.confirm_receipt(request, delivery, request.POST.get("sha256", "")):
        messages.success(request, _("Đã xác nhận nhận gói: mã kiểm tra SHA-256 khớp."))
    else:
        messages.error(
            request,
            _("Mã kiểm tra SHA-256 không khớp: tệp tải về bị lỗi hoặc chưa đủ, hãy tải lại."),
        )
    return redirect("stations:detail", package_id=package_id)


@keep_404(api=False)
@require_POST
@station_required
def confirm_airing(request: HttpRequest, station: Station, package_id: int) -> HttpResponse:
    delivery = own_delivery(station, package_id)
    form = AiringForm(request.POST, delivery=delivery)
    if form.is_valid():
        try:
            access.record_airing(
                request, delivery, form.aired_at(), [int(i) for i in form.cleaned_data["items"]]
            )
        except access.InvalidAiring:
            messages.error(request, _("Thời điểm phát không hợp lệ (ở tương lai)."))
        else:
            messages.success(request, _("Đã ghi nhận lịch phát sóng."))
    else:
        messages.error(request, _("Hãy chọn ngày, giờ và ít nhất một tin bài đã phát."))
    return redirect("stations:detail", package_id=package_id)
