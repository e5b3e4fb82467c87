"""The station portal (Vietnamese): a station user's packages, downloads and confirmations.

Session login; a user sees only their own station's packages, and another station's
package answers the same 404 as one that does not exist.
"""

from __future__ import annotations

import datetime
import functools
import unicodedata
from collections.abc import Callable, Container
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.i18n.languages import BY_CODE
from cms.stations import access, downloads
from cms.stations.models import PackageBuild, PackageDelivery, Station
from cms.stations.responses import keep_404

View = Callable[..., HttpResponseBase]

#: What each file of a rundown row is, in the technicians' words (manifest.json keeps the
#: machine names: loudspeaker, broadcast, script, ...).
ROLE_LABELS = {
    "loudspeaker": _("Loa truyền thanh (MP3)"),
    "broadcast": _("Phát sóng (WAV)"),
    "broadcast_mp2": _("Phát sóng (MP2)"),
    "board_landscape": _("Màn hình ngang (video)"),
    "board_portrait": _("Màn hình dọc (video)"),
    "script": _("Lời bình (văn bản)"),
    "subtitles": _("Phụ đề"),
    "captions": _("Chú thích"),
    "image": _("Ảnh"),
}


def role_label(role: str) -> str:
    if role in ROLE_LABELS:
        return str(ROLE_LABELS[role])
    if role.startswith("board_native_"):
        return str(_("Màn hình %(size)s (video)") % {"size": role.removeprefix("board_native_")})
    return role


def role_order(role: str) -> int:
    """Files to play first (in ROLE_LABELS' order), then the rest."""
    order = list(ROLE_LABELS)
    if role.startswith("board_native_"):
        role = "board_landscape"
    return order.index(role) if role in order else len(order)


def language_name(code: str) -> str:
    language = BY_CODE.get(code)
    return language.name_vi if language else code


def mmss(seconds: float | None) -> str:
    """A duration as m:ss (h:mm:ss from an hour), rounded to the second."""
    if seconds is None:
        return ""
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def language_totals(build: PackageBuild | None) -> list[dict[str, str]]:
    """Each language of a build's rundown with the total playing time of its items."""
    totals: dict[str, float] = {}
    for row in (build.manifest if build else {}).get("rundown", []):
        totals.setdefault(row["language"], 0.0)
        totals[row["language"]] += float(row.get("duration") or 0)
    return [
        {"code": code, "name": language_name(code), "duration": mmss(total)}
        for code, total in totals.items()
    ]


def rundown_rows(delivery: PackageDelivery) -> list[dict[str, Any]]:
    """The rundown as the package page shows it: Vietnamese labels, m:ss, each file's size
    and SHA-256 next to its link."""
    build = access.released_build(delivery)
    entries = {entry["path"]: entry for entry in build.files}
    rows = []
    for row in build.manifest.get("rundown", []):
        roles = sorted(row.get("files", {}).items(), key=lambda pair: role_order(pair[0]))
        files = [(role_label(role), path) for role, path in roles]
        files += [
            (str(_("Ảnh %(n)d") % {"n": n}), path)
            for n, path in enumerate(row.get("images", []), 1)
        ]
        listed = []
        for label, path in files:
            entry = entries.get(f"data/{path}", {})
            listed.append(
                {
                    "label": label,
                    "path": f"data/{path}",
                    "name": path.rsplit("/", 1)[-1],
                    "size": entry.get("size"),
                    "sha256": entry.get("sha256", ""),
                }
            )
        rows.append(
            {
                "order": row["order"],
                "language": row["language"],
                "language_name": language_name(row["language"]),
                "title": row["title"],
                "duration": mmss(row.get("duration")),
                "cue_in": mmss(row.get("cue_in")),
                "cue_out": mmss(row.get("cue_out")),
                "files": listed,
            }
        )
    return rows


def station_required(view: View) -> View:
    @login_required(login_url="stations:login")
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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


class VersionChoiceField(forms.MultipleChoiceField):
    """Choices listed for the form, plus the keys of ``versions`` that are valid without
    being listed (an item's own id, the form before language versions were listed)."""

    versions: Container[str] = ()

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.versions


class AiringForm(forms.Form):
    """When the package went on air and which language versions of its items: every
    version in the station's rundown is listed (an item without one, by its title)."""

    aired_date = forms.DateField(
        label=_("Ngày phát"), widget=forms.DateInput(attrs={"type": "date"})
    )
    aired_time = forms.TimeField(
        label=_("Giờ phát"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    items = VersionChoiceField(
        label=_("Tin bài đã phát (từng bản ngôn ngữ)"),
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    def __init__(self, *args: Any, delivery: PackageDelivery, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = list(delivery.package.items.order_by("sort_order", "pk").select_related("page"))
        rundown = (delivery.build.manifest if delivery.build else {}).get("rundown", [])
        self.versions: dict[str, tuple[int, str, str]] = {}
        choices = []
        for order, item in enumerate(items, 1):
            rows = [row for row in rundown if row.get("item_id") == item.pk]
            for row in rows or [{"language": "", "title": item.page.title}]:
                key = f"{item.pk}:{row['language']}" if row["language"] else str(item.pk)
                self.versions[key] = (item.pk, row["language"], row["title"])
                label = f"{order}. {row['title']}"
                if row["language"]:
                    label += f" ({language_name(row['language'])})"
                choices.append((key, label))
            # An item's own id (the form before language versions were listed) stays valid.
            self.versions.setdefault(str(item.pk), (item.pk, "", item.page.title))
        field = self.fields["items"]
        if not isinstance(field, VersionChoiceField):
            raise TypeError(f"AiringForm.items must be a VersionChoiceField, not {field!r}")
        field.choices = choices
        field.versions = self.versions

    def aired_at(self) -> datetime.datetime:
        moment = datetime.datetime.combine(
            self.cleaned_data["aired_date"], self.cleaned_data["aired_time"]
        )
        return timezone.make_aware(moment)

    def chosen(self) -> tuple[list[int], dict[int, list[tuple[str, str]]]]:
        """The chosen items, and per item the (language, title) of each chosen version."""
        versions: dict[int, list[tuple[str, str]]] = {}
        for key in self.cleaned_data["items"]:
            pk, language, title = self.versions[key]
            versions.setdefault(pk, [])
            if language:
                versions[pk].append((language, title))
        return list(versions), versions


class ReceiptForm(forms.Form):
    """The checksum a technician computed or pasted: 64 hexadecimal digits (a line of
    ``sha256sum`` output or ``certutil`` with spaces is accepted as it is)."""

    sha256 = forms.CharField(
        label=_("Mã SHA-256"),
        error_messages={"required": _("Hãy dán hoặc tính mã SHA-256 của tệp zip.")},
    )

    def clean_sha256(self) -> str:
        value = str(self.cleaned_data["sha256"]).strip()
        first = value.split()[0] if value.split() else ""
        compact = "".join(value.split()).lower()
        for candidate in (first.lower(), compact):
            if len(candidate) == 64 and all(c in "0123456789abcdef" for c in candidate):
                return candidate
        raise forms.ValidationError(
            _(
                "Mã SHA-256 phải gồm đúng 64 ký tự 0–9 và a–f (bạn đã nhập %(count)d ký tự). "
                "Hãy chép lại cả dòng kết quả của sha256sum hoặc certutil."
            )
            % {"count": len(compact)}
        )


@keep_404(api=False)
@require_GET
@station_required
def index(request: HttpRequest, station: Station) -> HttpResponse:
    deliveries = list(access.portal_order(access.available_deliveries(station))[:200])
    for delivery in deliveries:
        delivery.languages = language_totals(delivery.build)  # type: ignore[attr-defined]
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
            "rundown": rundown_rows(delivery),
            "languages": language_totals(delivery.build),
            "airing_form": AiringForm(
                delivery=delivery,
                initial={
                    "aired_date": timezone.localdate(),
                    "aired_time": timezone.localtime().time().replace(second=0, microsecond=0),
                },
            ),
            "airings": [
                {
                    "aired_at": airing.aired_at,
                    "items": [
                        {**i, "language_name": language_name(i["language"])}
                        if i.get("language")
                        else i
                        for i in airing.items
                    ],
                }
                for airing in delivery.airings.all()
            ],
        },
    )


@keep_404(api=False)
@require_http_methods(["GET", "HEAD"])
@station_required
def download_bag(request: HttpRequest, station: Station, package_id: int) -> HttpResponseBase:
    delivery = own_delivery(station, package_id)
    build = access.released_build(delivery)
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
) -> HttpResponseBase:
    delivery = own_delivery(station, package_id)
    build = access.released_build(delivery)
    entry = build.file_entry(unicodedata.normalize("NFC", path))
    if entry is None:
        raise Http404("not found")
    access.record_download(request, delivery, entry["path"])
    return downloads.serve(
        request,
        entry["storage_name"],
        sha256=entry["sha256"],
        size=entry["size"],
        filename=entry["path"].rsplit("/", 1)[-1],
        build=build,
        path=entry["path"],
        api=False,
    )


@keep_404(api=False)
@require_POST
@station_required
def confirm_receipt(request: HttpRequest, station: Station, package_id: int) -> HttpResponse:
    delivery = own_delivery(station, package_id)
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("sha256", []):
            messages.error(request, str(error))
    elif access.confirm_receipt(request, delivery, form.cleaned_data["sha256"]):
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
            item_ids, versions = form.chosen()
            access.record_airing(request, delivery, form.aired_at(), item_ids, versions=versions)
        except access.InvalidAiring:
            messages.error(request, _("Thời điểm phát không hợp lệ (ở tương lai)."))
        else:
            messages.success(request, _("Đã ghi nhận lịch phát sóng."))
    else:
        messages.error(request, _("Hãy chọn ngày, giờ và ít nhất một tin bài đã phát."))
    return redirect("stations:detail", package_id=package_id)
