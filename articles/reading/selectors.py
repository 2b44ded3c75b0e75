"""Reads for the article pages: filtered lists (one row per story), facets, one article."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from articles.models import VISIBLE_STATUSES, Article, Mention, Source
from articles.reading.figures import count_cached
from articles.reading.filters import ArticleFilters, end_of, start_of
from articles.reading.search import search_is_broad
from summits.models import Country, Official, Policy, Summit

# Facet counts are worked out only when the results are narrowed to this many articles.
FACET_LIMIT = 5_000
# Counting every match of a broad filter over 200,000 articles costs more than the page
# itself; counts stop here and the page says "more than". A count must visit every match up
# to the cap, and no lower than the facet limit, which needs to know the results are that few.
COUNT_CAP = FACET_LIMIT
ENTITY_MODELS: dict[str, Any] = {
    "country": Country,
    "official": Official,
    "policy": Policy,
    "summit": Summit,
}


# What a list row shows beside the article's own columns.
ROW_JOINS = ("source__country", "original_source", "cluster")
# When a list is narrowed to tagged articles, the most selective tag drives the query.
DRIVING_KINDS = ("summit", "policy", "official", "country")


def _driving_tag(filters: ArticleFilters) -> tuple[str, Any] | None:
    for kind in DRIVING_KINDS:
        entity = getattr(filters, kind)
        if entity is not None:
            return kind, entity
    return None


@dataclass(frozen=True)
class After:
    """A place in a newest-first list: the rows after the one with this date and id."""

    published_at: datetime | None
    pk: int


def _after(after: After, date: str) -> Q:
    # Undated articles come first, as PostgreSQL sorts nulls in a descending index.
    if after.published_at is None:
        return Q(**{f"{date}__isnull": True, "pk__lt": after.pk}) | Q(**{f"{date}__isnull": False})
    return Q(**{f"{date}__lt": after.published_at}) | Q(
        **{date: after.published_at, "pk__lt": after.pk}
    )


def article_list(*, filters: ArticleFilters, after: After | None = None) -> QuerySet[Article]:
    """Articles for the filters, newest first (after `after` when given), with their joins."""
    # A search with many matches reads articles newest first, checking each, and stops at the
    # page; one with few finds them in the word index and sorts them.
    base = filters.apply(Article.objects.all(), walk=_walks(filters))
    drive = None if filters.q else _driving_tag(filters)
    date = "published_at"
    if drive is None:
        qs = base
    else:
        # Join the entity's visible tags and order by their copy of the date: PostgreSQL then
        # walks the partial index (entity, published_at, article) newest first and stops at
        # the page, instead of testing every article for the tag.
        kind, entity = drive
        tagged: dict[str, Any] = {
            "mentions__kind": kind,
            f"mentions__{kind}": entity,
            "mentions__status__in": VISIBLE_STATUSES,
        }
        if filters.date_from:
            tagged["mentions__published_at__gte"] = start_of(filters.date_from)
        upper = end_of(filters.date_to) if filters.date_to else None
        if upper:
            tagged["mentions__published_at__lt"] = upper
        unfiltered: dict[str, Any] = {kind: None}
        date = "mentions__published_at"
        # In the same filter() as the tag, so that the place is on that tag's join.
        place = _after(after, date) if after is not None else Q()
        qs = replace(filters, **unfiltered).apply(Article.objects.filter(place, **tagged))
    qs = qs.select_related(*ROW_JOINS)
    if filters.per == "story":
        # One row per story: the first-stored copy among the matching ones stands for it.
        # Most articles belong to no cluster; for them the subquery is skipped.
        copies = filters.apply(Article.objects.all(), per_row=True)
        earlier = copies.filter(cluster=OuterRef("cluster"), pk__lt=OuterRef("pk"))
        qs = qs.filter(Q(cluster__isnull=True) | ~Exists(earlier))
    if after is not None and drive is None:
        qs = qs.filter(_after(after, date))
    return qs.order_by(F(date).desc(nulls_first=True), "-pk")


# What a list row does not show: long text and JSON, costly to read for every row.
ROW_DEFERRED = ("body", "summary", "search_text", "earlier_titles", "authors", "extraction_error")


def article_rows(qs: QuerySet[Article]) -> QuerySet[Article]:
    """`qs` without the columns a list row does not show (snippets/article_rows.html)."""
    return qs.defer(*ROW_DEFERRED)


def _walks(filters: ArticleFilters) -> bool:
    """Whether the list of a search is read newest first, each article checked (see
    search_is_broad), rather than found in the indexes and sorted. Only with no filter that
    could leave few of the matches (their dates and language leave a walk short enough)."""
    narrowed = filters.source or filters.status or _driving_tag(filters)
    return bool(filters.q) and not narrowed and search_is_broad(filters.q)


def article_count_queryset(*, filters: ArticleFilters) -> QuerySet[Article] | None:
    """The same stories as article_list shaped for counting, or None to count those."""
    # Driven by the articles rather than by one entity's tags: a count must visit every match
    # up to the cap, and articles of a language by date plus each story's earlier copies are
    # covered by indexes (the tag check is an index probe, see ArticleFilters.apply). A search
    # the list walks newest first is counted from the word index: a count reads every match.
    if filters.q and _walks(filters):
        qs = filters.apply(Article.objects.all())
        copies = filters.apply(Article.objects.all(), per_row=True)
    elif filters.language and not filters.q:
        qs = copies = filters.apply(Article.objects.all())
    else:
        return None
    if filters.per == "story":
        earlier = copies.filter(cluster=OuterRef("cluster"), pk__lt=OuterRef("pk"))
        qs = qs.filter(Q(cluster__isnull=True) | ~Exists(earlier))
    return qs


@dataclass
class Slice:
    rows: list[Any]
    number: int
    per_page: int
    has_next: bool
    count: int  # capped at `cap`
    cap: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    @property
    def num_pages(self) -> int | None:
        if self.count_is_capped:
            return None
        return max(1, -(-self.count // self.per_page))


def queryset_slice(
    qs: QuerySet[Any],
    *,
    number: int,
    per_page: int,
    cap: int = COUNT_CAP,
    counted: QuerySet[Any] | None = None,
    counter: Callable[[QuerySet[Any]], int] = count_cached,
) -> Slice:
    """One page of `qs` plus a count that stops at `cap` (a few queries, whatever the size).

    `counted`, when given, holds the same rows as `qs` in a shape cheaper to count; `counter`
    counts the capped query (kept until the data changes, by default).
    """
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if not has_next and (rows or number == 1):
        count = offset + len(rows)
    else:
        count = counter((qs if counted is None else counted).order_by()[: cap + 1])
    return Slice(rows, number, per_page, has_next, count, cap)


@dataclass
class FacetValue:
    param: str
    value: str
    label: str
    count: int


@dataclass
class Facets:
    counted: bool
    groups: dict[str, list[FacetValue]] = field(default_factory=dict)


def _facet_label(entity: Any) -> str:
    # Countries and policies by their name in the language of the page.
    return str(getattr(entity, "local_name", None) or entity)


def article_facets(*, filters: ArticleFilters, matching: int, top: int = 8) -> Facets:
    """Top sources and tagged entities among the results, when they are few enough to count."""
    if matching > FACET_LIMIT:
        return Facets(counted=False)
    # The matching ids once (a search is run once, not once per facet), then every kind of
    # tag in one pass over their tags.
    ids = list(filters.apply(Article.objects.all()).values_list("pk", flat=True))
    groups: dict[str, list[FacetValue]] = {}
    sources = (
        Article.objects.filter(pk__in=ids)
        .values("source__domain", "source__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "source__name")[:top]
    )
    groups["source"] = [
        FacetValue("source", s["source__domain"], s["source__name"], s["n"]) for s in sources
    ]
    kinds = ("country", "official", "policy", "summit")
    counts: dict[str, list[tuple[int, int]]] = {kind: [] for kind in kinds}
    tags = (
        Mention.objects.filter(article__in=ids, status__in=VISIBLE_STATUSES, kind__in=kinds)
        .values_list("kind", *kinds)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for kind, *entities, n in tags:
        entity = entities[kinds.index(kind)]
        if entity is not None:
            counts[kind].append((n, entity))
    for kind in kinds:
        rows = sorted(counts[kind], key=lambda row: (-row[0], row[1]))[:top]
        names = ENTITY_MODELS[kind].objects.in_bulk([entity for _n, entity in rows])
        key = {"country": "iso2"}.get(kind, "slug")
        groups[kind] = [
            FacetValue(kind, getattr(names[entity], key), _facet_label(names[entity]), n)
            for n, entity in rows
            if entity in names
        ]
    return Facets(counted=True, groups=groups)


@dataclass
class FacetChoices:
    sources: list[Source]
    countries: list[Country]
    officials: list[Official]
    policies: list[Policy]
    summits: list[Summit]
    languages: list[str]


def facet_choices() -> FacetChoices:
    """Everything the filter form offers (small reference tables: one query each)."""
    sources = list(Source.objects.only("pk", "name", "domain", "language").order_by("name"))
    languages = sorted({s.language for s in sources if s.language} | {"en", "es", "fr"})
    return FacetChoices(
        sources=sources,
        countries=list(Country.objects.only("iso2", "name_en", "name_es", "name_fr", "is_core")),
        officials=list(Official.objects.only("slug", "name")),
        policies=list(Policy.objects.only("slug", "name", "name_es", "name_fr")),
        summits=list(Summit.objects.only("slug", "title", "start_date")),
        languages=languages,
    )


def article_detail(*, article_id: int) -> Article | None:
    """One article with its source, cluster and visible tags (rejected ones are not shown)."""
    mentions = (
        Mention.objects.filter(status__in=VISIBLE_STATUSES)
        .select_related("country", "official", "policy", "summit")
        .order_by("kind", "-confidence", "pk")
    )
    return (
        Article.objects.select_related("source__country", "original_source", "cluster")
        .prefetch_related(Prefetch("mentions", queryset=mentions))
        .filter(pk=article_id)
        .first()
    )


def article_copies(*, article: Article, limit: int = 50) -> list[Article]:
    """The other copies of the article's story, oldest first."""
    if article.cluster_id is None:
        return []
    return list(
        Article.objects.filter(cluster_id=article.cluster_id)
        .exclude(pk=article.pk)
        .select_related("source__country")
        .order_by("published_at", "pk")[:limit]
    )
