"""Wagtail's search backend, with diacritic-folded matching for every non-page model.

The admin's snippet listings and choosers (product types, producing units, administrative
units, masters, images, documents) search through Wagtail's ``default`` backend. Its
database backend matched "Cao Lộc" only as typed, never "cao loc", and only rows in its own
index: the vocabulary seeded by a data migration was never indexed, so a chooser found
nothing at all.

Here those searches read the model's table instead: every query word, folded as
``cms.i18n.folding`` folds it (case, Latin diacritics, ``đ`` -> ``d``, apostrophes), must
occur in one of the searched fields folded the same way. PostgreSQL folds the column with
``translate()``; other databases compare in Python. Pages keep Wagtail's backend (the
archive search in ``cms.search`` serves item pages), and indexing is still delegated to it.

Settings: ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.admin_backend"}}``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from modelsearch import index
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from wagtail.models import Page

from cms.i18n.folding import fold, fold_char
from cms.search.text import query_terms

_APOSTROPHES = "'’ʼ`"
# Latin-1 Supplement, Latin Extended-A/B, Latin Extended Additional (Vietnamese).
_LATIN_RANGES = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))


@functools.cache
def translate_maps() -> tuple[str, str]:
    """``translate(text, FROM, TO)`` arguments that fold text like ``cms.i18n.folding.fold``;
    combining marks (decomposed text) and apostrophes are removed."""
    source: list[str] = []
    target: list[str] = []
    for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        source.append(char)
        target.append(char.lower())
    for start, end in _LATIN_RANGES:
        for code in range(start, end + 1):
            char = chr(code)
            folded = fold_char(char)
            if folded != char and len(folded) == 1 and folded.isascii():
                source.append(char)
                target.append(folded)
    # Characters after the end of TO are deleted by translate().
    deleted = "".join(chr(code) for code in range(0x0300, 0x0370)) + _APOSTROPHES
    return "".join(source) + deleted, "".join(target)


def _fold_plain(text: str) -> str:
    """The Python twin of ``Folded``: folded, without apostrophes."""
    return "".join(char for char in fold(text) if char not in _APOSTROPHES)


class Folded(models.Func):
    function = "translate"
    output_field = models.TextField()

    def __init__(self, field: str) -> None:
        source, target = translate_maps()
        super().__init__(Lower(models.F(field)), models.Value(source), models.Value(target))


def text_fields(model: type[models.Model], fields: list[str] | None) -> list[str]:
    """The concrete text columns to search: ``fields`` if given, else the model's search
    and autocomplete fields that are columns of its table."""
    if fields:
        names = list(fields)
    else:
        names = [
            field.field_name
            for field in model.get_search_fields()  # type: ignore[attr-defined]
            if isinstance(field, index.SearchField | index.AutocompleteField)
        ]
    columns: list[str] = []
    for name in names:
        # A callable or a related search field is not a column of this table.
        field = next((f for f in model._meta.concrete_fields if f.name == name), None)
        if isinstance(field, models.CharField | models.TextField) and name not in columns:
            columns.append(name)
    return columns


def folded_search(queryset: QuerySet[Any], query: str, fields: list[str] | None) -> QuerySet[Any]:
    """Rows where every folded query word occurs in one of ``fields`` folded."""
    # At most MAX_QUERY_WORDS distinct words from the first 500 characters.
    words = [word for word in query_terms(str(query or ""), folded=True) if word]
    columns = text_fields(queryset.model, fields)
    if not words:
        # Nothing searchable typed (only punctuation): nothing matches, as with Wagtail's.
        return queryset if not str(query or "").strip() else queryset.none()
    if not columns:
        return queryset.none()
    if queryset.db == "default" and _vendor(queryset) == "postgresql":
        annotations = {f"_folded_{name}": Folded(name) for name in columns}
        condition = Q()
        for word in words:
            any_field = Q()
            for name in columns:
                any_field |= Q(**{f"_folded_{name}__contains": word})
            condition &= any_field
        matched = queryset.model._default_manager.annotate(**annotations).filter(condition)
        return queryset.filter(pk__in=matched.values("pk"))
    found = [
        row[0]
        for row in queryset.values_list("pk", *columns)
        if all(any(word in _fold_plain(value or "") for value in row[1:]) for word in words)
    ]
    return queryset.filter(pk__in=found)


def _vendor(queryset: QuerySet[Any]) -> str:
    from django.db import connections

    return connections[queryset.db].vendor


def _queryset(model_or_queryset: Any) -> QuerySet[Any]:
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset
    every: QuerySet[Any] = model_or_queryset._default_manager.all()
    return every


class FoldedSearchBackend:
    """Delegates to Wagtail's database backend, except searches of non-page models."""

    def __init__(self, params: dict[str, Any]) -> None:
        self._backend = DatabaseSearchBackend(params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    @staticmethod
    def _folds(model_or_queryset: Any) -> bool:
        model = _queryset(model_or_queryset).model
        return not issubclass(model, Page)

    def search(self, query: Any, model_or_queryset: Any, fields: Any = None, **kwargs: Any) -> Any:
        if self._folds(model_or_queryset):
            return folded_search(_queryset(model_or_queryset), query, fields)
        return self._backend.search(query, model_or_queryset, fields=fields, **kwargs)

    def autocomplete(
        self, query: Any, model_or_queryset: Any, fields: Any = None, **kwargs: Any
    ) -> Any:
        if self._folds(model_or_queryset):
            return folded_search(_queryset(model_or_queryset), query, fields)
        return self._backend.autocomplete(query, model_or_queryset, fields=fields, **kwargs)


def SearchBackend(params: dict[str, Any]) -> FoldedSearchBackend:
    """What Wagtail's ``get_search_backend`` calls (the module's ``SearchBackend``)."""
    return FoldedSearchBackend(params)
