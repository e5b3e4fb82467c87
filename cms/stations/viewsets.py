"""The carriage admin ("Phát sóng") as a Wagtail viewset: the dashboard of packages and one
package's stations are Wagtail's generic ``IndexView`` with ``ui.tables`` columns, django-filter
filters in the slim header, Wagtail's search box and pagination."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, Table, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from cms.stations import admin_views, carriage
from cms.stations.choices import StationKind
from cms.stations.columns import TemplateColumn
from cms.stations.models import BroadcastPackage, PackageDelivery
from cms.taxonomy.models import BulletinClass

TEMPLATES = "wagtailadmin/stations/"
OVERDUE_ROW = {"class": "overdue", "style": "background:#fde8e8"}


class ReleaseColumn(Column):
    """The release date, or a visible "Phát hành" button (not hidden under "…") for an
    unreleased package when the user may release it."""

    cell_template_name = TEMPLATES + "release_cell.html"

    def get_cell_context_data(self, instance: Any, parent_context: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["release_url"] = (
            reverse("stations_admin:release", args=[instance.pk])
            if instance.released_at is None
            and request is not None
            and request.user.has_perm(admin_views.RELEASE_PERMISSION)
            else None
        )
        return context


class PackageFilterSet(WagtailFilterSet):
    bulletin_class = django_filters.ChoiceFilter(
        label=_("Loại bản tin"),
        choices=BulletinClass.choices,
        empty_label=_("Mọi loại"),
        widget=forms.RadioSelect,
    )
    state = django_filters.ChoiceFilter(
        label=_("Trạng thái"),
        choices=carriage.PACKAGE_STATES,
        empty_label=_("Mọi trạng thái"),
        method="filter_state",
        widget=forms.RadioSelect,
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("Ngày"), method="filter_day", widget=DateRangePickerWidget
    )

    class Meta:
        model = BroadcastPackage
        fields: list[str] = []

    def filter_state(
        self, queryset: QuerySet[BroadcastPackage], name: str, value: str
    ) -> QuerySet[BroadcastPackage]:
        return carriage.filter_package_state(queryset, value)

    def filter_day(
        self, queryset: QuerySet[BroadcastPackage], name: str, value: slice
    ) -> QuerySet[BroadcastPackage]:
        # ``day`` is the release (else creation) date annotated by packages_newest_first
        if value.start is not None:
            queryset = queryset.filter(day__gte=as_date(value.start))
        if value.stop is not None:
            queryset = queryset.filter(day__lte=as_date(value.stop))
        return queryset


def as_date(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


class CarriagePermissionMixin:
    """Who may follow the carriage: ``stations.view_broadcastpackage`` (editors and above)."""

    permission_policy = ModelPermissionPolicy(BroadcastPackage)
    permission_required = "view"
    any_permission_required = None


class PackageTable(Table):
    def get_row_attrs(self, instance: Any) -> dict[str, Any]:
        attrs: dict[str, Any] = super().get_row_attrs(instance)
        attrs["data-package"] = instance.pk
        if instance.carriage.overdue:
            attrs.update(OVERDUE_ROW)
        return attrs


class DashboardView(CarriagePermissionMixin, IndexView):
    """Packages newest first, 50 a page, filtered by class, date, state and title; the
    carriage counts are computed for the page shown only."""

    model = BroadcastPackage
    results_template_name = TEMPLATES + "dashboard_results.html"
    page_title = _("Phát sóng")
    header_icon = "radio-full"
    paginate_by = 50
    filterset_class = PackageFilterSet
    search_fields = ["title"]
    search_backend_name = ""  # a plain title__icontains; packages are not search-indexed
    table_class = PackageTable
    index_url_name = "stations_admin:dashboard"
    index_results_url_name = "stations_admin:dashboard_results"
    columns = [
        TitleColumn("title", label=_("Gói"), url_name="stations_admin:package"),
        Column("bulletin_class", label=_("Loại"), accessor="get_bulletin_class_display"),
        ReleaseColumn("released_at", label=_("Phát hành")),
        Column("targeted", label=_("Đài nhận"), accessor="carriage.targeted"),
        Column("available", label=_("Sẵn sàng"), accessor="carriage.available"),
        Column("received", label=_("Đã nhận"), accessor="carriage.received"),
        Column("aired", label=_("Đã phát"), accessor="carriage.aired"),
        TemplateColumn(
            "overdue",
            label=_("Quá hạn"),
            accessor="carriage.overdue",
            cell_template_name=TEMPLATES + "overdue_cell.html",
        ),
    ]

    def get_base_queryset(self) -> QuerySet[BroadcastPackage]:
        return carriage.packages_newest_first()

    def get_table(self, object_list: Any) -> Table:
        packages = list(object_list)
        rows = {
            row.package.pk: row
            for row in carriage.package_carriage(
                BroadcastPackage.objects.filter(pk__in=[p.pk for p in packages])
            )
        }
        for package in packages:
            package.carriage = rows[package.pk]
        return super().get_table(packages)

    @cached_property
    def no_results_message(self) -> str:
        if self.is_searching or self.is_filtering:
            return str(_("Không có gói nào khớp bộ lọc."))
        return str(_("Chưa có gói phát sóng."))


class DeliveryFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Trạng thái"),
        choices=carriage.DELIVERY_STATES,
        empty_label=_("Mọi trạng thái"),
        method="filter_state",
        widget=forms.RadioSelect,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Loại đài"),
        field_name="station__kind",
        choices=StationKind.choices,
        empty_label=_("Mọi loại"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PackageDelivery
        fields: list[str] = []

    def filter_state(
        self, queryset: QuerySet[PackageDelivery], name: str, value: str
    ) -> QuerySet[PackageDelivery]:
        return carriage.filter_delivery_state(queryset, value)


class DeliveryTable(Table):
    def get_row_attrs(self, instance: Any) -> dict[str, Any]:
        attrs: dict[str, Any] = super().get_row_attrs(instance)
        attrs["data-station"] = instance.station.code
        if instance.is_overdue:
            attrs.update(OVERDUE_ROW)
        return attrs


class PackageCarriageView(CarriagePermissionMixin, IndexView):
    """One package's stations, 100 a page, filtered by state, kind and name, with totals."""

    model = PackageDelivery
    results_template_name = TEMPLATES + "package_carriage_results.html"
    header_icon = "radio-full"
    paginate_by = 100
    filterset_class = DeliveryFilterSet
    search_fields = ["station__name", "station__code"]
    search_backend_name = ""
    table_class = DeliveryTable
    breadcrumbs_items = [
        *IndexView.breadcrumbs_items,
        {"url": reverse_lazy("stations_admin:dashboard"), "label": _("Phát sóng")},
    ]
    columns = [
        TemplateColumn(
            "station",
            label=_("Đài"),
            accessor="station.name",
            cell_template_name=TEMPLATES + "station_cell.html",
        ),
        Column("kind", label=_("Loại"), accessor="station.get_kind_display"),
        TemplateColumn(
            "available_at",
            label=_("Gói sẵn sàng"),
            cell_template_name=TEMPLATES + "available_cell.html",
        ),
        DateColumn("first_download_at", label=_("Tải lần đầu")),
        DateColumn("received_at", label=_("Đã nhận (kiểm tra)")),
        TemplateColumn(
            "airings",
            label=_("Đã phát"),
            accessor="pk",
            cell_template_name=TEMPLATES + "airings_cell.html",
        ),
    ]

    @cached_property
    def package(self) -> BroadcastPackage:
        # read after the permission check in dispatch: a 403 before a 404
        return get_object_or_404(BroadcastPackage, pk=self.kwargs["package_id"])

    def get_page_title(self) -> str:
        return self.package.title

    def get_page_subtitle(self) -> str:
        return str(self.package.get_bulletin_class_display())

    def get_index_url(self) -> str:
        return reverse("stations_admin:package", args=[self.package.pk])

    def get_index_results_url(self) -> str:
        return reverse("stations_admin:package_results", args=[self.package.pk])

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        if self.package.released_at or not self.request.user.has_perm(
            admin_views.RELEASE_PERMISSION
        ):
            return []
        return [
            HeaderButton(
                _("Phát hành"),
                reverse("stations_admin:release", args=[self.package.pk]),
                icon_name="upload",
            )
        ]

    def get_base_queryset(self) -> QuerySet[PackageDelivery]:
        deliveries: QuerySet[PackageDelivery] = self.package.deliveries.select_related(
            "station", "build"
        )
        return deliveries

    def order_queryset(self, queryset: QuerySet[PackageDelivery]) -> QuerySet[PackageDelivery]:
        return queryset.order_by("station__name", "pk")

    def get_table(self, object_list: Any) -> Table:
        deliveries = list(object_list)
        prefetch_related_objects(deliveries, "airings")
        overdue = set(
            PackageDelivery.objects.filter(
                carriage.overdue_q(), pk__in=[d.pk for d in deliveries]
            ).values_list("pk", flat=True)
        )
        for delivery in deliveries:
            delivery.is_overdue = delivery.pk in overdue
        return super().get_table(deliveries)

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(*args, **kwargs)
        [context["totals"]] = carriage.package_carriage(
            BroadcastPackage.objects.filter(pk=self.package.pk)
        )
        context["package"] = self.package
        return context

    @cached_property
    def no_results_message(self) -> str:
        if self.is_searching or self.is_filtering:
            return str(_("Không có đài nào khớp bộ lọc."))
        return str(_("Gói chưa được phát hành."))


class CarriageMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(admin_views.DASHBOARD_PERMISSION))


class CarriageViewSet(ViewSet):
    """/admin/carriage/: the dashboard, one package's stations, releasing, station tokens."""

    name = "stations_admin"
    url_prefix = "carriage"
    icon = "radio-full"
    menu_label = _("Phát sóng")
    menu_order = 305
    add_to_admin_menu = True
    menu_item_class = CarriageMenuItem

    def get_urlpatterns(self) -> list[Any]:
        dashboard = DashboardView.as_view
        package = PackageCarriageView.as_view
        return [
            path("", dashboard(), name="dashboard"),
            path("results/", dashboard(results_only=True), name="dashboard_results"),
            path("packages/<int:package_id>/", package(), name="package"),
            path(
                "packages/<int:package_id>/results/",
                package(results_only=True),
                name="package_results",
            ),
            path("packages/<int:package_id>/release/", admin_views.release, name="release"),
            path("stations/<int:station_id>/tokens/", admin_views.station_tokens, name="tokens"),
            path(
                "stations/<int:station_id>/tokens/<int:token_id>/revoke/",
                admin_views.revoke_token,
                name="revoke_token",
            ),
        ]
