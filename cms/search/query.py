"""Run an archive search: match, filter, rank, count facets.

PostgreSQL matches the prefix ``tsquery`` against the GIN-indexed ``vector``; SQLite (the
``make run`` default) matches the same terms with ``LIKE`` on ``folded_terms``. Both rank
an item whose words match the query *with* its diacritics first, then (PostgreSQL) by
``ts_rank`` with titles weighted above summaries, metadata and transcripts, then newest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.utils.translation import gettext_lazy as _
from wagtail.models import PageViewRestriction

from cms.content.models import nfc
from cms.i18n.languages import BY_CODE, LANGUAGES
from cms.search.expressions import TsMatch, TsRank
from cms.search.models import FacetKind, IndexScope, ItemType, SearchDocument, SearchTag
from cms.search.text import best_snippet, query_terms, tsquery_literal
from cms.taxonomy.models import (
    AdministrativeUnit,
    BulletinClass,
    Channel,
    ProducingUnit,
    ProductType,
    Topic,
)

PAGE_SIZE = 20


def term_names(model: Any, language: str) -> dict[str, str]:
    """``code -> name`` in ``language``, falling back to Vietnamese."""
    names: dict[str, str] = {}
    rows = model.objects.filter(locale__language_code__in=["vi", language]).values_list(
        "code", "name", "locale__language_code"
    )
    for code, name, lang in rows:
        if lang == language or code not in names:
            names[code] = name
    return names


def _choices(names: dict[str, str]) -> list[tuple[str, str]]:
    return [("", _("Tất cả")), *sorted(names.items(), key=lambda kv: kv[1])]


class SearchForm(forms.Form):
    """The query and the filters; every filter is optional and validated against the
    vocabularies, so a crafted URL cannot inject anything into the query."""

    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=200)
    item_type = forms.ChoiceField(label=_("Loại nội dung"), required=False)
    product_type = forms.ChoiceField(label=_("Loại sản phẩm"), required=False)
    topic = forms.ChoiceField(label=_("Chủ đề"), required=False)
    language = forms.ChoiceField(label=_("Ngôn ngữ"), required=False)
    producing_unit = forms.ChoiceField(label=_("Đơn vị chủ trì"), required=False)
    unit = forms.TypedChoiceField(label=_("Địa bàn"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    bulletin_class = forms.ChoiceField(label=_("Loại bản tin"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)

    def __init__(self, *args: Any, language: str = "vi", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.names = {
            "topic": term_names(Topic, language),
            "product_type": term_names(ProductType, language),
            "producing_unit": term_names(ProducingUnit, language),
            "channel": term_names(Channel, language),
            "item_type": {str(k): str(v) for k, v in ItemType.choices},
            "bulletin_class": {str(k): str(v) for k, v in BulletinClass.choices},
            "language": {lang.code: lang.name_local for lang in LANGUAGES},
        }
        for name in ("item_type", "product_type", "topic", "producing_unit", "bulletin_class"):
            self.fields[name].choices = _choices(self.names[name])  # type: ignore[attr-defined]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("Tất cả")),
            *[(lang.code, lang.name_local) for lang in LANGUAGES],
        ]
        units = AdministrativeUnit.objects.order_by("level", "name")
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", _("Tất cả")),
            *[(unit.pk, str(unit)) for unit in units],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        data["q"] = nfc(data.get("q") or "").strip()
        return data


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Hit:
    document: SearchDocument
    snippet: Any
    exact: bool
    url: str = ""
    type_label: str = ""
    language_label: str = ""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    page: int = 1
    pages: int = 1


def public_documents() -> QuerySet[SearchDocument]:
    """Live rows visitors may see: public access level, no view restriction above them."""
    qs = SearchDocument.objects.filter(scope=IndexScope.LIVE, live=True, access_level="public")
    restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    for path in restricted:
        qs = qs.exclude(page__path__startswith=path)
    return qs


def editorial_documents(user: Any) -> QuerySet[SearchDocument]:
    """Latest revisions (drafts included) under the pages the user has permission on."""
    qs = SearchDocument.objects.filter(scope=IndexScope.LATEST)
    if user.is_superuser:
        return qs
    from wagtail.permission_policies.pages import PagePermissionPolicy

    paths = {
        perm.page.path for perm in PagePermissionPolicy().get_cached_permissions_for_user(user)
    }
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        condition |= Q(page__path__startswith=path)
    return qs.filter(condition)


def _tag_exists(facet: str, values: list[str]) -> Exists:
    return Exists(SearchTag.objects.filter(document=OuterRef("pk"), facet=facet, value__in=values))


def apply_filters(qs: QuerySet[SearchDocument], data: dict[str, Any]) -> QuerySet[SearchDocument]:
    for name in ("item_type", "product_type", "language", "producing_unit", "bulletin_class"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("topic"):
        qs = qs.filter(_tag_exists(FacetKind.TOPIC, [data["topic"]]))
    if data.get("unit"):
        unit = AdministrativeUnit.objects.filter(pk=data["unit"]).first()
        if unit is not None:
            related = [str(pk) for pk in unit.related_units()]
            qs = qs.filter(_tag_exists(FacetKind.UNIT, related))
    if data.get("date_from"):
        qs = qs.filter(date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(date__lte=data["date_to"])
    return qs


def match_documents(qs: QuerySet[SearchDocument], query: str) -> QuerySet[SearchDocument]:
    """Rows where every query word starts an indexed word (diacritics and case ignored)."""
    folded = query_terms(query)
    if not folded:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(TsMatch("vector", tsquery_literal(folded, prefix=True)))
    for term in folded:
        qs = qs.filter(folded_terms__contains=f" {term}")
    return qs


def rank_documents(
    qs: QuerySet[SearchDocument], query: str, language: str | None = None
) -> QuerySet[SearchDocument]:
    """Exact (diacritics-matching) matches first, then the visitor's language, then
    relevance (PostgreSQL) and date. Without words: newest first."""
    folded = query_terms(query)
    exact = query_terms(query, folded=False)
    same_language: Any = Value(False)
    if language:
        same_language = Case(
            When(language=language, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    if not folded:
        return qs.annotate(exact=Value(False), same_language=same_language).order_by("-date", "-pk")
    if connection.vendor == "postgresql":
        qs = qs.annotate(
            exact=TsMatch("exact_vector", tsquery_literal(exact, prefix=False)),
            same_language=same_language,
            rank=TsRank("vector", tsquery_literal(folded, prefix=True)),
        )
        return qs.order_by("-exact", "-same_language", "-rank", "-date", "-pk")
    exact_condition = Q()
    for term in exact:
        exact_condition &= Q(exact_terms__contains=f" {term} ")
    qs = qs.annotate(
        exact=Case(
            When(exact_condition, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        same_language=same_language,
    )
    return qs.order_by("-exact", "-same_language", "-date", "-pk")


SINGLE_FACETS = ("item_type", "language", "product_type", "producing_unit", "bulletin_class")


def _facet_rows(qs: QuerySet[SearchDocument]) -> list[tuple[str, str, int]]:
    """``(facet, value, count)`` for every facet in one round trip: the match is evaluated
    once into a CTE, then grouped per field and joined to the tags."""
    inner, params = qs.order_by().values("pk", *SINGLE_FACETS).query.sql_with_params()
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    tag_table = connection.ops.quote_name(SearchTag._meta.db_table)
    # Only constant field and table names are interpolated; values go in ``params``.
    parts = [
        f"SELECT '{name}', {connection.ops.quote_name(name)}, COUNT(*) FROM matched GROUP BY 2"  # noqa: S608
        for name in SINGLE_FACETS
    ]
    parts.append(
        f"SELECT t.facet, t.value, COUNT(*) FROM {tag_table} t "  # noqa: S608
        "JOIN matched ON t.document_id = matched.id GROUP BY 1, 2"
    )
    columns = ", ".join(["id", *SINGLE_FACETS])
    sql = f"WITH matched({columns}) AS {materialized}({inner}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(facet, value, n) for facet, value, n in cursor.fetchall()]


def facet_counts(
    qs: QuerySet[SearchDocument], data: dict[str, Any], names: dict[str, dict[str, str]]
) -> dict[str, list[FacetValue]]:
    """Counts of each facet value among the matched items (all current filters applied)."""
    by_facet: dict[str, list[tuple[str, int]]] = {}
    for facet, value, n in _facet_rows(qs):
        if value:
            by_facet.setdefault(facet, []).append((value, n))
    facets: dict[str, list[FacetValue]] = {}
    for name in (*SINGLE_FACETS, "topic", "channel"):
        rows = sorted(by_facet.get(name, []), key=lambda vn: (-vn[1], vn[0]))
        facets[name] = [
            FacetValue(value, names[name].get(value, value), n, data.get(name) == value)
            for value, n in rows
        ]
    unit_rows = sorted(by_facet.get(FacetKind.UNIT, []), key=lambda vn: (-vn[1], vn[0]))[:15]
    unit_names = {
        str(u.pk): str(u)
        for u in AdministrativeUnit.objects.filter(pk__in=[int(v) for v, _n in unit_rows])
    }
    facets["unit"] = [
        FacetValue(v, unit_names.get(v, v), n, str(data.get("unit") or "") == v)
        for v, n in unit_rows
    ]
    return facets


def run_search(
    base: QuerySet[SearchDocument],
    data: dict[str, Any],
    names: dict[str, dict[str, str]],
    *,
    language: str | None = None,
    with_facets: bool = True,
) -> SearchResult:
    query = data.get("q") or ""
    matched = match_documents(apply_filters(base, data), query)
    total = matched.count()
    qs = rank_documents(matched, query, language)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(data.get("page") or 1, pages)
    offset = (page - 1) * PAGE_SIZE
    words = query_terms(query)
    hits = []
    for document in qs[offset : offset + PAGE_SIZE]:
        hits.append(
            Hit(
                document=document,
                snippet=best_snippet([document.summary, document.body], words),
                exact=bool(getattr(document, "exact", False)),
                type_label=names["item_type"].get(document.item_type, document.item_type),
                language_label=(
                    BY_CODE[document.language].name_local
                    if document.language in BY_CODE
                    else document.language
                ),
            )
        )
    facets = facet_counts(matched, data, names) if with_facets and total else {}
    return SearchResult(total=total, hits=hits, facets=facets, page=page, pages=pages)
