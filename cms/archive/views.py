"""Admin: which published items are ready for the national database and what each lacks, the
export log, and starting an export run. The listings are Wagtail's generic ``IndexView`` with
``ui.tables`` columns and django-filter filters, grouped in ``ArchiveViewSet``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, Table, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from cms.archive.items import item_pages, load_item
from cms.archive.models import ArchiveItem, ExportRecord, ExportStatus
from cms.archive.readiness import readiness_of
from cms.archive.record import record_code
from cms.content.models import ItemPage

PAGE_SIZE = 50
VIEW_PERMISSION = "archive.view_exportrecord"
RUN_PERMISSION = "archive.run_export"
View = Callable[..., HttpResponse]


def can_view(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(VIEW_PERMISSION))


def can_run(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(RUN_PERMISSION))


def permission_required(permission: str) -> Callable[[View], View]:
    """Every archive view checks its permission itself (a 403 otherwise), whatever the
    admin's own login check lets through."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_active or not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class TemplateColumn(Column):
    """A column whose cell is rendered by its own template (given the row as ``instance``)."""

    def __init__(self, name: str, *, cell_template_name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.cell_template_name = cell_template_name


class ArchiveListingView(IndexView):
    """Shared by the archive listings: the view permission on the export log, 50 a page."""

    permission_policy = ModelPermissionPolicy(ExportRecord)
    permission_required = "view"
    any_permission_required = None
    header_icon = "folder-inverse"
    paginate_by = PAGE_SIZE

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(*args, **kwargs)
        context["can_run"] = can_run(self.request.user)
        return context


@dataclass
class ReadinessRow:
    page: ItemPage
    languages: list[str]
    record_code: str
    missing: list[str]
    archived: ArchiveItem | None
    last_export: ExportRecord | None

    @property
    def ready(self) -> bool:
        return not self.missing


READINESS_STATES = [
    ("ready", gettext_lazy("Sẵn sàng")),
    ("missing", gettext_lazy("Còn thiếu")),
]


class ReadinessFilterSet(django_filters.FilterSet):
    # Readiness is computed per item in Python: the page's rows are filtered after paging.
    # (A plain FilterSet: no locale filter, the rows are items in every language.)
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=READINESS_STATES,
        empty_label=gettext_lazy("Tất cả"),
        method="keep_all",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ItemPage
        fields: list[str] = []

    def keep_all(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset


class ReadinessTable(Table):
    def get_row_attrs(self, instance: Any) -> dict[str, Any]:
        attrs: dict[str, Any] = super().get_row_attrs(instance)
        attrs["data-ready"] = "true" if instance.ready else "false"
        return attrs


class ReadinessView(ArchiveListingView):
    page_title = gettext_lazy("Sẵn sàng xuất sang cơ sở dữ liệu dùng chung")
    results_template_name = "archive/readiness_results.html"
    index_url_name = "archive:readiness"
    index_results_url_name = "archive:readiness_results"
    filterset_class = ReadinessFilterSet
    table_class = ReadinessTable
    columns = [
        TitleColumn(
            "title",
            label=gettext_lazy("Sản phẩm"),
            accessor="page.title",
            get_url=lambda row: reverse("wagtailadmin_pages:edit", args=[row.page.pk]),
        ),
        TemplateColumn(
            "record_code",
            label=gettext_lazy("Mã hồ sơ"),
            cell_template_name="archive/code_cell.html",
        ),
        Column(
            "languages",
            label=gettext_lazy("Ngôn ngữ"),
            accessor=lambda row: ", ".join(row.languages),
        ),
        TemplateColumn(
            "ready",
            label=gettext_lazy("Trạng thái"),
            cell_template_name="archive/readiness_cell.html",
        ),
        TemplateColumn(
            "last_export",
            label=gettext_lazy("Lần xuất gần nhất"),
            accessor="pk",
            cell_template_name="archive/last_export_cell.html",
        ),
    ]

    def get_base_queryset(self) -> QuerySet[Any]:
        latest: QuerySet[Any] = (
            item_pages()
            .live()
            .values("translation_key")
            .annotate(last=Max("last_published_at"))
            .order_by("-last", "translation_key")
        )
        return latest

    def order_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def get_table_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_table_kwargs()
        kwargs["attrs"] = {"data-archive-readiness": ""}
        return kwargs

    def get_table(self, object_list: Any) -> Table:
        wanted = self.filters.form.cleaned_data.get("status") if self.is_filtering else ""
        rows = []
        for entry in object_list:
            item = load_item(entry["translation_key"])
            if item is None:
                continue
            missing = readiness_of(item)
            if (wanted == "ready" and missing) or (wanted == "missing" and not missing):
                continue
            rows.append(
                ReadinessRow(
                    page=item.primary,
                    languages=item.languages,
                    record_code=record_code(item.primary),
                    missing=missing,
                    archived=ArchiveItem.objects.filter(
                        translation_key=item.translation_key
                    ).first(),
                    last_export=ExportRecord.objects.filter(
                        version__item__translation_key=item.translation_key,
                        status=ExportStatus.DONE,
                    )
                    .select_related("version")
                    .order_by("-finished_at")
                    .first(),
                )
            )
        return super().get_table(rows)

    @cached_property
    def no_results_message(self) -> str:
        return _("Không có sản phẩm nào.")


class ExportFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=ExportStatus.choices,
        empty_label=gettext_lazy("Tất cả"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ExportRecord
        fields: list[str] = []


class ExportTable(Table):
    def get_row_attrs(self, instance: Any) -> dict[str, Any]:
        attrs: dict[str, Any] = super().get_row_attrs(instance)
        attrs["data-status"] = instance.status
        return attrs


class ExportsView(ArchiveListingView):
    """The export log: every (version, target) with its outcome, newest first."""

    model = ExportRecord
    page_title = gettext_lazy("Nhật ký xuất sang cơ sở dữ liệu dùng chung")
    results_template_name = "archive/exports_results.html"
    index_url_name = "archive:exports"
    index_results_url_name = "archive:exports_results"
    filterset_class = ExportFilterSet
    table_class = ExportTable
    columns = [
        TemplateColumn(
            "record_code",
            label=gettext_lazy("Mã hồ sơ"),
            accessor="version.item.record_code",
            cell_template_name="archive/code_cell.html",
        ),
        Column("title", label=gettext_lazy("Sản phẩm"), accessor="version.item.title"),
        Column(
            "version",
            label=gettext_lazy("Phiên bản"),
            accessor=lambda r: f"{r.version.label} ({r.version.get_kind_display()})",
        ),
        TemplateColumn(
            "target", label=gettext_lazy("Nơi lưu"), cell_template_name="archive/code_cell.html"
        ),
        StatusTagColumn(
            "status",
            label=gettext_lazy("Trạng thái"),
            accessor="get_status_display",
            primary=lambda r: r.status == ExportStatus.DONE,
        ),
        Column("attempts", label=gettext_lazy("Số lần thử")),
        TemplateColumn(
            "size", label=gettext_lazy("Dung lượng"), cell_template_name="archive/size_cell.html"
        ),
        DateColumn("started_at", label=gettext_lazy("Bắt đầu")),
        DateColumn("finished_at", label=gettext_lazy("Kết thúc")),
        Column("error", label=gettext_lazy("Lỗi")),
    ]

    def get_base_queryset(self) -> QuerySet[ExportRecord]:
        return ExportRecord.objects.select_related("version__item")

    def order_queryset(self, queryset: QuerySet[ExportRecord]) -> QuerySet[ExportRecord]:
        return queryset.order_by("-started_at", "-pk")

    def get_table_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_table_kwargs()
        kwargs["attrs"] = {"data-archive-exports": ""}
        return kwargs

    @cached_property
    def no_results_message(self) -> str:
        return _("Chưa có lượt xuất nào.")


@require_POST
@permission_required(RUN_PERMISSION)
def run_export_view(request: HttpRequest) -> HttpResponse:
    """Start an export run in the background worker (the task holds the export lease, so
    a second click while one runs does no harm)."""
    from cms.archive.tasks import run_export

    run_export.enqueue()
    messages.success(request, _("Đã đưa lượt xuất lưu trữ vào hàng đợi."))
    return HttpResponseRedirect(reverse("archive:exports"))


class ArchiveMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return can_view(request.user)


class ArchiveViewSet(ViewSet):
    """/admin/archive/: readiness, the export log, starting a run."""

    name = "archive"
    icon = "folder-inverse"
    menu_label = gettext_lazy("Lưu trữ")
    menu_order = 900
    add_to_admin_menu = True
    menu_item_class = ArchiveMenuItem

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", ReadinessView.as_view(), name="readiness"),
            path("results/", ReadinessView.as_view(results_only=True), name="readiness_results"),
            path("exports/", ExportsView.as_view(), name="exports"),
            path(
                "exports/results/",
                ExportsView.as_view(results_only=True),
                name="exports_results",
            ),
            path("run/", run_export_view, name="run_export"),
        ]
