"""Full-text search over articles: PostgreSQL full-text search, or a portable fallback.

On PostgreSQL, articles carry a stored `search_vector` (title weight A, summary B, body C),
kept by a trigger and GIN-indexed (migration 0002); a search is a `websearch_to_tsquery`
over the same accent-insensitive 'simple' configuration, ranked with `ts_rank_cd`.
Elsewhere (SQLite), every word must appear in the title, summary or body, newest first.
"""

from collections.abc import Iterator
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

    def as_sql(  # type: ignore[override]  # the stubs' signature omits **extra
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
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


def search_rank(queryset: QuerySet[Article], q: str) -> "QuerySet[Article] | RankedSearch":
    """Matches best first among the newest RANK_WINDOW (PostgreSQL), else newest first."""
    if search_uses_postgres() and q.strip():
        return RankedSearch(queryset, q)
    return queryset


def _ranked(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    return queryset.annotate(search_rank=SearchRank(q)).order_by(
        "-search_rank", "-published_at", "-pk"
    )


# Ranking reads each match's whole vector, about 3 kB out of TOAST storage: ranking all
# 90,000 matches of a common word took 2 s. Only the newest matches are ranked; older ones
# follow, newest first. A search with fewer matches is ranked whole, as before.
RANK_WINDOW = 200


class RankedSearch:
    """A search's matches: the newest RANK_WINDOW best first, then the older ones newest first.

    Sliced and counted like a queryset (each slice is one or two queries); `matches` is the
    filtered queryset, unordered.
    """

    def __init__(self, matches: QuerySet[Article], q: str) -> None:
        self.matches = matches.order_by()
        self.q = q
        self._parts: tuple[QuerySet[Article], QuerySet[Article] | None] | None = None

    def _split(self) -> tuple[QuerySet[Article], QuerySet[Article] | None]:
        if self._parts is None:
            newest = self.matches.order_by("-published_at", "-pk")
            edge = list(newest.values_list("published_at", "pk")[RANK_WINDOW - 1 : RANK_WINDOW])
            if not edge:
                self._parts = (_ranked(self.matches, self.q), None)
            else:
                # PostgreSQL sorts undated articles first when newest first.
                published, pk = edge[0]
                if published is None:
                    window = Q(published_at__isnull=True, pk__gte=pk)
                else:
                    window = (
                        Q(published_at__isnull=True)
                        | Q(published_at__gt=published)
                        | Q(published_at=published, pk__gte=pk)
                    )
                older = (
                    Q(published_at__isnull=False) | Q(published_at__isnull=True, pk__lt=pk)
                    if published is None
                    else Q(published_at__lt=published) | Q(published_at=published, pk__lt=pk)
                )
                self._parts = (
                    _ranked(self.matches.filter(window), self.q),
                    newest.filter(older),
                )
        return self._parts

    def __getitem__(self, item: slice) -> list[Article]:
        if not isinstance(item, slice) or item.stop is None or item.step is not None:
            raise TypeError("RankedSearch takes bounded slices only.")
        start, stop = item.start or 0, item.stop
        ranked, older = self._split()
        rows = list(ranked[start:stop]) if start < RANK_WINDOW or older is None else []
        if older is not None and stop > RANK_WINDOW:
            rows += list(older[max(0, start - RANK_WINDOW) : stop - RANK_WINDOW])
        return rows

    def __iter__(self) -> Iterator[Article]:
        ranked, older = self._split()
        yield from ranked
        if older is not None:
            yield from older

    def count(self, *, cap: int) -> int:
        """The number of matches, counting no further than `cap`."""
        return self.matches[:cap].count()
