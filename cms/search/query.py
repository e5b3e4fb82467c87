"""Run an archive search: match, filter, rank, count facets.

PostgreSQL matches the prefix ``tsquery`` against the GIN-indexed ``vector``; SQLite (the
``make run`` default) matches the same terms with ``LIKE`` on ``folded_terms``. Both rank
an item whose words match the query *with* its diacritics first, then the visitor's
language, then (PostgreSQL) ``ts_rank`` with titles weighted above summaries, metadata and
transcripts, then newest.

Ranking is done in two stages so a query matching much of the archive stays fast: one
query on the narrow ``SearchDocument`` returns the newest ``RESULT_WINDOW`` matches with
their rank and facet keys (facet counts are counted from those rows); the exact-diacritics
check then runs on the best ``EXACT_CHECK_TOP`` of them only, and the texts for snippets
are read for the page of hits only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import connection, transaction
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.content.visibility import public_pages
from cms.formats import nfc
from cms.i18n.languages import BY_CODE, LANGUAGES
from cms.search.areas import AREA_FACET
from cms.search.expressions import TsMatch, TsRank
from cms.search.models import (
    SINGLE_FACETS,
    FacetKind,
    IndexScope,
    ItemType,
    SearchDocument,
    SearchTag,
    SearchText,
)
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
    return sorted(names.items(), key=lambda kv: kv[1])


class SearchForm(forms.Form):
    """The query and the filters; every filter is optional and validated against the
    vocabularies, so a crafted URL cannot inject anything into the query."""

    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=200)
    # Several values of one filter: items with any of them (facets are multi-select).
    item_type = forms.MultipleChoiceField(label=_("Loại nội dung"), required=False)
    product_type = forms.MultipleChoiceField(label=_("Loại sản phẩm"), required=False)
    topic = forms.MultipleChoiceField(label=_("Chủ đề"), required=False)
    language = forms.MultipleChoiceField(label=_("Ngôn ngữ"), required=False)
    producing_unit = forms.MultipleChoiceField(label=_("Đơn vị chủ trì"), required=False)
    unit = forms.TypedMultipleChoiceField(label=_("Địa bàn"), required=False, coerce=int)
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    bulletin_class = forms.MultipleChoiceField(label=_("Loại bản tin"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)

    def __init__(self, *args: Any, language: str = "vi", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.display_language = language  # not `language`: that is the filter field
        self.names = {
            "topic": term_names(Topic, language),
            "product_type": term_names(ProductType, language),
            "producing_unit": term_names(ProducingUnit, language),
            "channel": term_names(Channel, language),
            "item_type": {str(k): str(v) for k, v in ItemType.choices},
            "bulletin_class": {str(k): str(v) for k, v in BulletinClass.choices},
            "language": {lang.code: lang.name_local for lang in LANGUAGES},
        }
        for facet in ("item_type", "product_type", "topic", "producing_unit", "bulletin_class"):
            self._choice_field(facet).choices = _choices(self.names[facet])
        self._choice_field("language").choices = [
            (lang.code, lang.name_local) for lang in LANGUAGES
        ]
        units = AdministrativeUnit.objects.order_by("level", "name")
        self._choice_field("unit").choices = [(unit.pk, str(unit)) for unit in units]

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"SearchForm.{name} must be a choice field, not {field!r}")
        return field

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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
    # More matches than ``RESULT_WINDOW``: ``total`` is a lower bound and the facet
    # counts are those of the newest ``total`` matches.
    more: bool = False


def public_documents() -> QuerySet[SearchDocument]:
    """Live rows of the pages visitors may see, by the one rule of
    ``cms.content.visibility`` (live, not expired, no view restriction on the page or
    above it, access level public), checked on the pages themselves at query time, so a
    restriction or an expiry takes effect without reindexing."""
    shown = public_pages(Page.objects.filter(pk=OuterRef("page_id")))
    return SearchDocument.objects.filter(
        scope=IndexScope.LIVE, live=True, access_level="public"
    ).filter(Exists(shown))


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


def selected_values(data: dict[str, Any], name: str) -> list[Any]:
    """The chosen values of a filter, as a list (a filter may hold one value or several)."""
    value = data.get(name)
    if value in (None, "", []):
        return []
    if isinstance(value, list | tuple | set):
        return [v for v in value if v not in (None, "")]
    return [value]


def _tag_exists(facet: str, values: list[str]) -> Exists:
    return Exists(SearchTag.objects.filter(document=OuterRef("pk"), facet=facet, value__in=values))


def apply_filters(
    qs: QuerySet[SearchDocument], data: dict[str, Any], *, without: str = ""
) -> QuerySet[SearchDocument]:
    """Every filter of ``data`` (several values of one facet: any of them), except the
    facet ``without`` (used to count that facet's other values)."""
    for name in SINGLE_FACETS:
        values = selected_values(data, name)
        if values and name != without:
            qs = qs.filter(**{f"{name}__in": values})
    topics = selected_values(data, "topic")
    if topics and without != "topic":
        qs = qs.filter(_tag_exists(FacetKind.TOPIC, topics))
    channels = selected_values(data, "channel")
    if channels and without != "channel":
        qs = qs.filter(_tag_exists(FacetKind.CHANNEL, channels))
    units = selected_values(data, "unit")
    if units and without != "unit":
        related: set[str] = set()
        for unit in AdministrativeUnit.objects.filter(pk__in=units):
            related.update(str(pk) for pk in unit.related_units())
        qs = qs.filter(_tag_exists(FacetKind.UNIT, sorted(related)))
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
        qs = qs.filter(text__folded_terms__contains=f" {term}")
    return qs


def exact_matches(ids: list[int], query: str) -> set[int]:
    """Which of ``ids`` contain every query word *with* its diacritics."""
    exact = query_terms(query, folded=False)
    if not ids or not exact:
        return set()
    texts = SearchText.objects.filter(document_id__in=ids)
    if connection.vendor == "postgresql":
        texts = texts.filter(TsMatch("exact_vector", tsquery_literal(exact, prefix=False)))
    else:
        for term in exact:
            texts = texts.filter(exact_terms__contains=f" {term} ")
    return set(texts.values_list("document_id", flat=True))


def whole_word_matches(ids: list[int], query: str) -> set[int]:
    """Which of ``ids`` contain every query word as a whole word (diacritics ignored):
    "tre" is in "trẻ em", not only at the start of "trên"."""
    folded = query_terms(query)
    if not ids or not folded:
        return set()
    if connection.vendor == "postgresql":
        rows = SearchDocument.objects.filter(pk__in=ids).filter(
            TsMatch("vector", tsquery_literal(folded, prefix=False))
        )
        return set(rows.values_list("pk", flat=True))
    texts = SearchText.objects.filter(document_id__in=ids)
    for term in folded:
        texts = texts.filter(folded_terms__contains=f" {term} ")
    return set(texts.values_list("document_id", flat=True))


# Every facet shown with counts.
FACETS = (*SINGLE_FACETS, "topic", "channel", "unit")

# The newest matches a search ranks and counts facets over. Beyond it the total is shown
# as "more than" and the facet counts are those of the window: a bound on the work done
# for a query that matches half the archive (``docs/benchmarks.md``).
RESULT_WINDOW = 2000
# How many of the best-ranked matches are checked for exact (diacritics) matches.
EXACT_CHECK_TOP = 200


# Undated rows last on both databases; the ``search_scope_newest`` index has this order,
# so for a broad query PostgreSQL walks it and stops once the window is full.
NEWEST_FIRST = F("date").desc(nulls_last=True)


@dataclass
class Window:
    """Stage 1 of a search: the matches in rank order (at most ``RESULT_WINDOW``, of which
    ``limit`` are returned), how many there are and their facet keys counted."""

    ranked: list[int]
    total: int
    more: bool
    keys: Counter[str]


def _rank_order(query: str, language: str | None) -> tuple[str, list[Any]]:
    """``ORDER BY`` of stage 1 over the window's columns: the visitor's language, then
    relevance, then newest (undated rows last, as on SQLite)."""
    if not query_terms(query):
        return "date DESC NULLS LAST, id DESC", []
    return "(language = %s) DESC, rank DESC, date DESC NULLS LAST, id DESC", [language or ""]


@contextmanager
def analytic_cursor() -> Iterator[Any]:
    """A cursor for the grouped search and report statements, with JIT compilation off:
    ``string_to_table`` is estimated at 1,000 rows per item, which makes PostgreSQL spend
    about 0.5 s compiling a statement that runs in a few tens of milliseconds."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield cursor


def _window_postgresql(
    qs: QuerySet[SearchDocument],
    query: str,
    language: str | None,
    limit: int,
    only_facet: str = "",
) -> Window:
    """One statement: the newest ``RESULT_WINDOW`` matches with their ``ts_rank`` into a
    materialised CTE of narrow rows, then the best ``limit`` of them, their count and
    their facet keys counted (``string_to_table``), so only a page's worth of rows and the
    facet counts come back to Python.

    ``only_facet``: the statement only counts that facet's keys and ranks nothing (the
    recount of a filtered facet needs neither hits nor ``ts_rank``)."""
    folded = query_terms(query)
    if folded and not only_facet:
        qs = qs.annotate(rank=TsRank("vector", tsquery_literal(folded, prefix=True)))
    else:
        qs = qs.annotate(rank=Value(0.0, output_field=FloatField()))
    inner = qs.order_by(NEWEST_FIRST, "-pk").values("pk", "language", "date", "facet_keys", "rank")
    inner_sql, inner_params = inner[: RESULT_WINDOW + 1].query.sql_with_params()
    order, order_params = _rank_order(query, language)
    # Only constant SQL is interpolated; every value is a parameter.
    sql = (
        "WITH w (id, language, date, facet_keys, rank) AS MATERIALIZED "  # noqa: S608
        f"({inner_sql}), "
        # The extra row only tells that there are more; hits and counts leave it out.
        "v AS (SELECT * FROM w LIMIT %s) "
        f"(SELECT 'h', id, NULL::text, 0::bigint FROM v ORDER BY {order} LIMIT %s) "
        "UNION ALL SELECT 'f', NULL, k, COUNT(*) FROM v, string_to_table(v.facet_keys, ' ') k "
        "WHERE k LIKE %s GROUP BY k "
        "UNION ALL SELECT 'n', NULL, NULL, COUNT(*) FROM w"
    )
    ranked: list[int] = []
    keys: Counter[str] = Counter()
    count = 0
    key_pattern = f"{only_facet}:%" if only_facet else "%"
    with analytic_cursor() as cursor:
        cursor.execute(sql, [*inner_params, RESULT_WINDOW, *order_params, limit, key_pattern])
        for kind, pk, key, n in cursor.fetchall():
            if kind == "h":
                ranked.append(pk)
            elif kind == "f":
                keys[key] = n
            else:
                count = n
    if count > RESULT_WINDOW:
        return Window(ranked, RESULT_WINDOW, True, keys)
    return Window(ranked, count, False, keys)


def _window_python(
    qs: QuerySet[SearchDocument],
    query: str,
    language: str | None,
    limit: int,
    only_facet: str = "",
) -> Window:
    """Stage 1 for SQLite (no ``ts_rank``): the same window, ordered in Python."""
    rows = list(
        qs.order_by(NEWEST_FIRST, "-pk").values_list("pk", "language", "date", "facet_keys")[
            : RESULT_WINDOW + 1
        ]
    )
    more = len(rows) > RESULT_WINDOW
    rows = rows[:RESULT_WINDOW]
    keys: Counter[str] = Counter()
    for row in rows:
        keys.update(row[3].split())
    if query_terms(query):
        # Stable sort: within a language the rows stay newest first.
        rows.sort(key=lambda row: row[1] != (language or ""))
    return Window([row[0] for row in rows[:limit]], len(rows), more, keys)


def _exact_first(ranked: list[int], query: str) -> tuple[list[int], set[int]]:
    """Stage 2: the best ``EXACT_CHECK_TOP`` are checked for exact matches, which move to
    the front; then those with the query's whole words without its diacritics; then those
    where a query word only begins a longer word ("trẻ" in "trên"). The order within each
    group is kept."""
    top, rest = ranked[:EXACT_CHECK_TOP], ranked[EXACT_CHECK_TOP:]
    exact = exact_matches(top, query)
    whole = whole_word_matches([pk for pk in top if pk not in exact], query)
    top.sort(key=lambda pk: (pk not in exact, pk not in whole))
    return top + rest, exact


def facet_counts(
    keys: Counter[str], data: dict[str, Any], names: dict[str, dict[str, str]]
) -> dict[str, list[FacetValue]]:
    """Counts of each facet value among the matched items (all current filters applied),
    from the counted ``facet:value`` keys."""
    by_facet: dict[str, list[tuple[str, int]]] = {}
    for key, n in keys.items():
        facet, _sep, value = key.partition(":")
        if value:
            by_facet.setdefault(facet, []).append((value, n))
    facets: dict[str, list[FacetValue]] = {}
    for name in (*SINGLE_FACETS, "topic", "channel"):
        values = sorted(by_facet.get(name, []), key=lambda vn: (-vn[1], vn[0]))
        chosen = {str(v) for v in selected_values(data, name)}
        facets[name] = [
            FacetValue(value, names[name].get(value, value), n, value in chosen)
            for value, n in values
        ]
    # Areas: today's units, each counting the items its filter finds (``cms.search.areas``).
    area_rows = sorted(by_facet.get(AREA_FACET, []), key=lambda vn: (-vn[1], vn[0]))
    unit_names = {
        str(u.pk): str(u)
        for u in AdministrativeUnit.objects.filter(pk__in=[int(v) for v, _n in area_rows])
    }
    chosen_units = {str(v) for v in selected_values(data, "unit")}
    facets["unit"] = [
        FacetValue(v, unit_names.get(v, v), n, v in chosen_units) for v, n in area_rows
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
    """Match and filter (GIN index), then rank in two stages: one narrow query returns
    the window of matches with ``ts_rank``; the exact-diacritics check runs on the best
    ``EXACT_CHECK_TOP`` only; the texts are read for the page of hits only."""
    query = data.get("q") or ""
    matched = match_documents(apply_filters(base, data), query)
    page = max(1, data.get("page") or 1)
    limit = max(EXACT_CHECK_TOP, page * PAGE_SIZE)
    stage_one = _window_postgresql if connection.vendor == "postgresql" else _window_python
    window = stage_one(matched, query, language, limit)
    ranked, exact = (
        _exact_first(window.ranked, query) if query_terms(query) else (window.ranked, set())
    )
    total = window.total
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    offset = (page - 1) * PAGE_SIZE
    page_ids = ranked[offset : offset + PAGE_SIZE]
    documents = SearchDocument.objects.select_related("text").in_bulk(page_ids)
    words = query_terms(query)
    typed = query_terms(query, folded=False)
    hits = []
    for pk in page_ids:
        document = documents[pk]
        text = getattr(document, "text", None)
        hits.append(
            Hit(
                document=document,
                snippet=best_snippet(
                    [text.summary, text.body] if text else [], words, exact_words=typed
                ),
                exact=pk in exact,
                type_label=names["item_type"].get(document.item_type, document.item_type),
                language_label=(
                    BY_CODE[document.language].name_local
                    if document.language in BY_CODE
                    else document.language
                ),
            )
        )
    facets: dict[str, list[FacetValue]] = {}
    if with_facets and total:
        facets = facet_counts(window.keys, data, names)
        for name in FACETS:
            if selected_values(data, name):
                # Values of one facet combine with OR: count this facet's values as if
                # it were not filtered, so the visitor can add another one.
                others = match_documents(apply_filters(base, data, without=name), query)
                counted = AREA_FACET if name == "unit" else name
                keys = stage_one(others, query, language, 0, only_facet=counted).keys
                facets[name] = facet_counts(keys, data, names)[name]
    return SearchResult(
        total=total, hits=hits, facets=facets, page=page, pages=pages, more=window.more
    )
