"""The report's figures, computed from the archive index.

**What a product is.** Each published language version of an item (radio segment, video,
exhibition) is one product: the Vietnamese segment and its Khmer version are two products,
because each is a separate piece of work and reaches a different audience. Drafts,
unpublished and deleted items are not products. A product falls in the period its product
date is in (``cms.search.indexing.product_date``: the production date of the original,
the first publication date of a translation).

**The plan indicator** counts, once each, the products in a minority language, in a
foreign language or distributed on at least one digital channel (``Channel.is_digital``),
as a share of all products. Khmer is both a minority and a foreign language
(``cms.i18n.languages``); it counts once. The table by language category puts each
language under its first category, so that table adds up to the total.

A product with several topics or channels is counted under each of them, so those two
tables add up to more than the total; every other table adds up to the total.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.i18n.languages import BY_CODE, LanguageCategory, category_of
from cms.reports.periods import Period
from cms.reports.sections import registered_sections
from cms.search.models import FacetKind, IndexScope, ItemType, SearchDocument
from cms.search.query import analytic_cursor, term_names
from cms.taxonomy.models import Channel, ProducingUnit, ProductType, Topic

CATEGORY_LABELS = {
    LanguageCategory.NATIONAL: gettext_lazy("Tiếng Việt (ngôn ngữ quốc gia)"),
    LanguageCategory.MINORITY: gettext_lazy("Tiếng dân tộc thiểu số"),
    LanguageCategory.FOREIGN: gettext_lazy("Tiếng nước ngoài"),
}


@dataclass
class Row:
    label: str
    count: int
    share: Decimal | None = None  # per cent of all products
    extra: tuple[int, ...] = ()


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    note: str = ""
    chart: str = "bar"
    headers: tuple[str, ...] = ()

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Column headers and cells, shared by the page, the XLSX and the CSV."""
        if self.headers:
            return list(self.headers), [[r.label, r.count, *r.extra] for r in self.rows]
        headers = [_("Nội dung"), _("Số sản phẩm"), _("Tỷ lệ (%)")]
        return headers, [[r.label, r.count, r.share] for r in self.rows]


@dataclass
class Indicator:
    count: int
    total: int
    minority: int
    foreign: int
    digital: int
    target_min: Decimal
    target_max: Decimal

    @property
    def share(self) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (Decimal(self.count) * 100 / self.total).quantize(Decimal("0.1"))

    @property
    def status(self) -> str:
        if self.share < self.target_min:
            return "below"
        if self.share > self.target_max:
            return "above"
        return "within"

    @property
    def status_label(self) -> str:
        return {
            "below": _("Chưa đạt chỉ tiêu"),
            "within": _("Đạt chỉ tiêu"),
            "above": _("Vượt chỉ tiêu"),
        }[self.status]


@dataclass
class Report:
    period: Period
    scope_label: str
    total: int
    indicator: Indicator
    sections: list[Section] = field(default_factory=list)
    extra_sections: list[Section] = field(default_factory=list)
    #: products that are original language versions (counted by production date) and
    #: translations (counted by first publication), see the module docstring
    originals: int = 0
    translations: int = 0
    #: the indicator's disjoint parts, which add up to ``indicator.count``: products in a
    #: minority language and in a foreign language as the language-group table counts them
    #: (each language under its first group), and national-language products on a digital
    #: channel
    by_group: dict[str, int] = field(default_factory=dict)
    national_digital: int = 0
    #: the query string that gives this report (set by the view, for the download links)
    query: str = ""


def share(count: int, total: int) -> Decimal:
    return (Decimal(count) * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)


def products(period: Period, restriction: Q | None = None) -> QuerySet[SearchDocument]:
    """The products of ``period`` (see the module docstring), optionally restricted."""
    qs = SearchDocument.objects.filter(
        scope=IndexScope.LIVE, live=True, date__gte=period.start, date__lte=period.end
    )
    return qs.filter(restriction) if restriction is not None else qs


def _counted(values: list[tuple[Any, int]], labels: dict[str, str], total: int) -> list[Row]:
    rows = [Row(labels.get(value, value or _("(chưa phân loại)")), n) for value, n in values]
    rows.sort(key=lambda row: (-row.count, row.label))
    for row in rows:
        row.share = share(row.count, total)
    return rows


TABLES = (
    "language",
    "product_type",
    "item_type",
    "producing_unit",
    "topic",
    "channel",
    "month",
    "indicator",
)


def _tally(qs: QuerySet[SearchDocument], digital_codes: set[str]) -> dict[str, Counter[Any]]:
    """Every table of the report from one pass over the period's products."""
    if connection.vendor == "postgresql":
        return _tally_postgresql(qs, digital_codes)
    return _tally_python(qs, digital_codes)


def _tally_postgresql(
    qs: QuerySet[SearchDocument], digital_codes: set[str]
) -> dict[str, Counter[Any]]:
    """One statement: the products' narrow rows into a materialised CTE, then their
    ``facet_keys`` (``language:km``, ``topic:crc``, ``channel:web-portal`` ...) counted,
    the months counted and the indicator counted, grouped in the database."""
    tables: dict[str, Counter[Any]] = {name: Counter() for name in TABLES}
    inner_sql, inner_params = (
        qs.order_by().values("language", "date", "facet_keys").query.sql_with_params()
    )
    minority_or_foreign = languages_in({LanguageCategory.MINORITY, LanguageCategory.FOREIGN})
    digital_keys = [f"{FacetKind.CHANNEL}:{code}" for code in sorted(digital_codes)]
    # Only constant SQL is interpolated; every value is a parameter.
    sql = (
        "WITH p (language, date, facet_keys) AS MATERIALIZED "  # noqa: S608
        f"({inner_sql}), "
        "d AS (SELECT language, string_to_array(facet_keys, ' ') && %s::text[] AS digital "
        "FROM p) "
        "SELECT 'k', k, COUNT(*) FROM p, string_to_table(p.facet_keys, ' ') k GROUP BY k "
        "UNION ALL SELECT 'm', to_char(date_trunc('month', date), 'YYYY-MM-DD'), COUNT(*) "
        "FROM p GROUP BY 2 "
        "UNION ALL SELECT 'i', 'digital', COUNT(*) FROM d WHERE digital "
        "UNION ALL SELECT 'i', 'count', COUNT(*) FROM d "
        "WHERE digital OR language = ANY(%s)"
    )
    with analytic_cursor() as cursor:
        cursor.execute(sql, [*inner_params, digital_keys, minority_or_foreign])
        for kind, key, n in cursor.fetchall():
            if kind == "k":
                facet, _sep, value = key.partition(":")
                if facet in tables:
                    tables[facet][value] += n
            elif kind == "m":
                month = datetime.date.fromisoformat(key) if key else None
                tables["month"][month] += n
            else:
                tables["indicator"][key] += n
    return tables


def _tally_python(qs: QuerySet[SearchDocument], digital_codes: set[str]) -> dict[str, Counter[Any]]:
    """The same tables counted in Python (SQLite: small databases)."""
    tables: dict[str, Counter[Any]] = {name: Counter() for name in TABLES}
    minority_or_foreign = set(languages_in({LanguageCategory.MINORITY, LanguageCategory.FOREIGN}))
    rows = qs.order_by().values_list(
        "language", "product_type", "item_type", "producing_unit", "date", "facet_keys"
    )
    for language, product_type, item_type, producing_unit, day, keys in rows.iterator(
        chunk_size=5000
    ):
        tables["language"][language] += 1
        tables["product_type"][product_type] += 1
        tables["item_type"][item_type] += 1
        tables["producing_unit"][producing_unit] += 1
        tables["month"][day.replace(day=1) if day else None] += 1
        digital = False
        for key in keys.split():
            facet, _sep, value = key.partition(":")
            if facet == FacetKind.TOPIC:
                tables["topic"][value] += 1
            elif facet == FacetKind.CHANNEL:
                tables["channel"][value] += 1
                digital = digital or value in digital_codes
        if digital:
            tables["indicator"]["digital"] += 1
        if digital or language in minority_or_foreign:
            tables["indicator"]["count"] += 1
    return tables


def languages_in(categories: set[LanguageCategory]) -> list[str]:
    return [code for code in BY_CODE if set(category_of(code)) & categories]


def compute(
    period: Period,
    *,
    restriction: Q | None = None,
    scope_label: str = "",
    target: tuple[Decimal, Decimal] = (Decimal(15), Decimal(20)),
) -> Report:
    qs = products(period, restriction)
    digital_codes = set(Channel.objects.filter(is_digital=True).values_list("code", flat=True))
    tables = _tally(qs, digital_codes)
    by_language = dict(tables["language"])
    total = sum(by_language.values())
    minority = languages_in({LanguageCategory.MINORITY})
    foreign = languages_in({LanguageCategory.FOREIGN})
    indicator = Indicator(
        count=tables["indicator"]["count"],
        total=total,
        minority=sum(n for code, n in by_language.items() if code in minority),
        foreign=sum(n for code, n in by_language.items() if code in foreign),
        digital=tables["indicator"]["digital"],
        target_min=Decimal(target[0]),
        target_max=Decimal(target[1]),
    )

    categories: dict[str, int] = {}
    for code, n in by_language.items():
        primary = category_of(code)[0]
        categories[primary] = categories.get(primary, 0) + n
    language_labels = {code: lang.name_vi for code, lang in BY_CODE.items()}
    months = sorted(tables["month"].items(), key=lambda mn: (mn[0] is not None, mn[0]))
    month_rows = [(month.strftime("%m/%Y") if month else "", n) for month, n in months]
    item_types = {str(k): str(v) for k, v in ItemType.choices}
    sections = [
        Section(
            "category",
            _("Theo nhóm ngôn ngữ"),
            [
                Row(
                    str(CATEGORY_LABELS[c]),
                    categories.get(c, 0),
                    share(categories.get(c, 0), total),
                )
                for c in LanguageCategory
            ],
            note=_(
                "Tiếng Khmer là tiếng dân tộc thiểu số, đồng thời là tiếng nước ngoài; trong "
                "bảng này được tính vào nhóm tiếng dân tộc thiểu số."
            ),
            chart="pie",
        ),
        Section(
            "language",
            _("Theo ngôn ngữ"),
            _counted(list(by_language.items()), language_labels, total),
        ),
        Section(
            "product_type",
            _("Theo loại sản phẩm"),
            _counted(list(tables["product_type"].items()), term_names(ProductType, "vi"), total),
        ),
        Section(
            "item_type",
            _("Theo dạng nội dung"),
            _counted(list(tables["item_type"].items()), item_types, total),
        ),
        Section(
            "topic",
            _("Theo chủ đề"),
            _counted(list(tables["topic"].items()), term_names(Topic, "vi"), total),
            note=_("Một sản phẩm có nhiều chủ đề được tính ở mỗi chủ đề."),
        ),
        Section(
            "channel",
            _("Theo kênh phát hành"),
            _counted(list(tables["channel"].items()), term_names(Channel, "vi"), total),
            note=_("Một sản phẩm phát hành trên nhiều kênh được tính ở mỗi kênh."),
        ),
        Section(
            "producing_unit",
            _("Theo đơn vị chủ trì"),
            _counted(
                list(tables["producing_unit"].items()), term_names(ProducingUnit, "vi"), total
            ),
        ),
        Section(
            "month",
            _("Theo tháng"),
            [Row(label, n, share(n, total)) for label, n in month_rows],
            chart="line",
        ),
    ]
    report = Report(period, scope_label, total, indicator, sections)
    report.originals = originals_in(qs)
    report.translations = total - report.originals
    report.by_group = {str(c): categories.get(c, 0) for c in LanguageCategory}
    report.national_digital = indicator.count - sum(
        categories.get(c, 0) for c in (LanguageCategory.MINORITY, LanguageCategory.FOREIGN)
    )
    report.extra_sections = [
        s for s in (carriage_section(period, qs), archive_section(qs)) if s is not None
    ]
    # Sections of the apps above this one (the channel figures): ``cms.reports.sections``.
    report.extra_sections += registered_sections(period, restriction)
    return report


def originals_in(qs: QuerySet[SearchDocument]) -> int:
    """How many of the products are original language versions: the first-created page of
    their translation group is in their language (``cms.search.indexing.is_original_version``);
    the others are translations."""
    from django.db.models import F, OuterRef, Subquery
    from wagtail.models import Page

    first_language = (
        Page.objects.filter(translation_key=OuterRef("translation_key"))
        .order_by("pk")
        .values("locale__language_code")[:1]
    )
    return (
        qs.order_by()
        .annotate(original_language=Subquery(first_language))
        .filter(language=F("original_language"))
        .count()
    )


def dual_category_languages() -> list[str]:
    """Names of the languages counted in more than one group (Khmer: minority and foreign)."""
    return [lang.name_vi for lang in BY_CODE.values() if len(lang.categories) > 1]


def carriage_section(period: Period, qs: QuerySet[SearchDocument]) -> Section | None:
    """Deliveries per station in the period, when the stations app provides them.

    Expects ``stations.PackageDelivery`` with ``station``, ``targeted_at``,
    ``first_download_at`` and ``aired_at``. The figures are for all packages, not only
    the products above (packages bundle several items).
    """
    if not apps.is_installed("cms.stations"):
        return None
    try:
        delivery = apps.get_model("stations", "PackageDelivery")
        with transaction.atomic():
            data = list(
                delivery.objects.filter(
                    targeted_at__date__gte=period.start, targeted_at__date__lte=period.end
                )
                .values_list("station__name")
                .annotate(
                    targeted=Count("pk"),
                    downloaded=Count("pk", filter=Q(first_download_at__isnull=False)),
                    aired=Count("pk", filter=Q(aired_at__isnull=False)),
                )
                .order_by("station__name")
            )
    except (LookupError, FieldError, DatabaseError):
        # The app is being built in parallel: no model, other fields or no table yet.
        return None
    return Section(
        "carriage",
        _("Tiếp sóng theo đài"),
        [Row(name, n, None, (down, aired)) for name, n, down, aired in data],
        note=_("Gói phát gửi tới từng đài trong kỳ, số đã tải về và số đã phát."),
        chart="none",
        headers=(_("Đài"), _("Gói được gửi"), _("Đã tải về"), _("Đã phát")),
    )


def archive_section(qs: QuerySet[SearchDocument]) -> Section | None:
    """How many of the period's items are exported to the archive, and fixity results.

    Expects ``archive.ArchiveItem(translation_key)`` ← ``ItemVersion(item)`` ←
    ``ExportRecord(version, status="done")`` and ``ArchiveEvent(event_type, outcome)``.
    """
    if not apps.is_installed("cms.archive"):
        return None
    try:
        item_model = apps.get_model("archive", "ArchiveItem")
        event_model = apps.get_model("archive", "ArchiveEvent")
        keys = qs.order_by().values("translation_key").distinct()
        with transaction.atomic():
            items = keys.count()
            exported = (
                item_model.objects.filter(
                    translation_key__in=keys, versions__exports__status="done"
                )
                .distinct()
                .count()
            )
            checks = event_model.objects.filter(event_type="fixity_check", translation_key__in=keys)
            ok = checks.filter(outcome="success").count()
            failed = checks.filter(outcome="failure").count()
    except (LookupError, FieldError, DatabaseError):
        return None
    return Section(
        "archive",
        _("Lưu trữ"),
        [
            Row(_("Tác phẩm trong kỳ (các phiên bản ngôn ngữ tính là một)"), items),
            Row(_("Đã xuất sang kho lưu trữ"), exported, share(exported, items)),
            Row(_("Kiểm tra toàn vẹn đạt"), ok),
            Row(_("Kiểm tra toàn vẹn lỗi"), failed),
        ],
        chart="none",
    )
