"""Full-text search over articles: PostgreSQL full-text search, or a portable fallback.

On PostgreSQL, articles carry a stored `search_vector` (title weight A, summary B, body C),
kept by a trigger and GIN-indexed (migration 0002); a search is a `websearch_to_tsquery`
over the same accent-insensitive 'simple' configuration, ranked with `ts_rank_cd`.
Elsewhere (SQLite), every word must appear in the title, summary or body, newest first.
"""

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from articles.models import Article

TSQUERY = "websearch_to_tsquery('simple', tracker_search_text(%s))"


def search_uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_filter(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Articles matching the words of `q` in title, summary or body."""
    if not q.strip():
        return queryset
    if search_uses_postgres():
        table = Article._meta.db_table
        matches = RawSQL(  # noqa: S611 - the only value, q, is a bound parameter
            f'"{table}"."search_vector" @@ {TSQUERY}', (q,), output_field=BooleanField()
        )
        return queryset.filter(matches)
    for word in q.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return queryset


def search_rank(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Annotate `search_rank` (best first on PostgreSQL; 0 on the fallback) and order by it."""
    if search_uses_postgres() and q.strip():
        table = Article._meta.db_table
        rank = RawSQL(  # noqa: S611 - the only value, q, is a bound parameter
            f'ts_rank_cd("{table}"."search_vector", {TSQUERY}, 1)', (q,), output_field=FloatField()
        )
        return queryset.annotate(search_rank=rank).order_by("-search_rank", "-published_at", "-pk")
    return queryset
