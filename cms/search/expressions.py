"""PostgreSQL full-text expressions over literals built by ``cms.search.text``.

Django's ``SearchQuery`` sends text through ``to_tsquery``, which re-parses every word with
the server's parser; these cast the ready-made literals instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQueryField, SearchVectorField
from django.db.models import BooleanField, F, FloatField, Func, Value


class TsVector(Func):
    template = "%(expressions)s::tsvector"
    output_field = SearchVectorField()

    def __init__(self, literal: str, **extra: Any) -> None:
        super().__init__(Value(literal), **extra)


class TsQuery(Func):
    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, literal: str, **extra: Any) -> None:
        super().__init__(Value(literal), **extra)


class TsMatch(Func):
    """``vector @@ query`` as a boolean usable in ``filter()`` and ``annotate()``."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()

    def __init__(self, field: str, literal: str, **extra: Any) -> None:
        super().__init__(F(field), TsQuery(literal), **extra)


class TsRank(Func):
    function = "ts_rank"
    output_field = FloatField()

    def __init__(self, field: str, literal: str, **extra: Any) -> None:
        super().__init__(F(field), TsQuery(literal), **extra)
