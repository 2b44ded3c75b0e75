"""Full-text search over articles: PostgreSQL full-text search, or a portable fallback.

On PostgreSQL, articles carry a stored `search_vector` (title weight A, summary B, body C),
kept by a trigger and GIN-indexed (migration 0002); a search is a `websearch_to_tsquery`
over the same accent-insensitive 'simple' configuration, ranked with `ts_rank_cd`.
Elsewhere (SQLite), every word must appear in the title, summary or body, newest first.
"""

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Field, FloatField, Func, Q, QuerySet

from articles.models import Article

TSQUERY = "websearch_to_tsquery('simple', tracker_search_text(%s))"


class _OnSearchVector(Func):
    """SQL over the article's `search_vector` column, which is not a model field.

    It compiles the article's primary key column (so Django aliases it correctly inside
    subqueries and joins) and swaps the column name for `search_vector`.
    """

    template = ""

    def __init__(self, q: str, *, output_field: Field) -> None:
        super().__init__(F("pk"), output_field=output_field)
        self.q = q

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        pk_sql, params = compiler.compile(self.source_expressions[0])
        pk_column = connection.ops.quote_name(Article._meta.pk.column)
        vector = pk_sql.removesuffix(pk_column) + connection.ops.quote_name("search_vector")
        return self.template.format(vector=vector, query=TSQUERY), [*params, self.q]


class SearchMatch(_OnSearchVector):
    template = "{vector} @@ {query}"

    def __init__(self, q: str) -> None:
        super().__init__(q, output_field=BooleanField())


class SearchRank(_OnSearchVector):
    # Normalisation 1: divide by 1 + log(length), so long bodies do not win by size alone.
    template = "ts_rank_cd({vector}, {query}, 1)"

    def __init__(self, q: str) -> None:
        super().__init__(q, output_field=FloatField())


def search_uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_filter(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Articles matching the words of `q` in title, summary or body."""
    if not q.strip():
        return queryset
    if search_uses_postgres():
        return queryset.filter(SearchMatch(q))
    for word in q.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return queryset


def search_rank(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Annotate `search_rank` (best first on PostgreSQL; 0 on the fallback) and order by it."""
    if search_uses_postgres() and q.strip():
        return queryset.annotate(search_rank=SearchRank(q)).order_by(
            "-search_rank", "-published_at", "-pk"
        )
    return queryset
