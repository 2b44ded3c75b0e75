"""List filters and a paginator for admin lists that may hold millions of rows.

Filters on sources, feeds, officials, policies and summits take typed text (a name, a slug,
or an id from a link) instead of listing every option, so a page never loads a giant list.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, TypedDict

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from articles.models import VISIBLE_STATUSES, Article, ArticleFeed, Feed, Mention, Source
from articles.reading.filters import whole_number
from articles.reading.search import search_filter
from articles.tagging.review import review_threshold
from summits.models import Country, Official, Policy, Summit


class EstimatedCountPaginator(Paginator):
    """Counts a filtered list up to COUNT_CAP; an unfiltered list on PostgreSQL uses the
    planner's estimate.

    COUNT(*) over a whole large table is a full scan on PostgreSQL. The estimate
    (pg_class.reltuples, kept by autovacuum/ANALYZE) is close enough to number the pages;
    below ESTIMATE_ABOVE rows the exact count is cheap and used instead. A filtered list
    stops counting past COUNT_CAP rows (`capped`): its footer then says "more than 5,000",
    and its pages run to there, further than anyone pages.
    """

    ESTIMATE_ABOVE = 10_000
    # Fifty pages of a hundred, the public list's facet limit too.
    COUNT_CAP = 5_000
    capped = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not isinstance(qs, QuerySet):
            return super().count
        if not qs.query.where:
            estimate = table_estimate(qs)
            if estimate is not None and estimate > self.ESTIMATE_ABOVE:
                return estimate
        counted = qs.order_by().values("pk")[: self.COUNT_CAP + 1].count()
        self.capped = counted > self.COUNT_CAP
        return counted


def table_estimate(qs: QuerySet[Any]) -> int | None:
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [qs.model._meta.db_table],
        )
        row = cursor.fetchone()
    # -1 means the table was never analysed.
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


# A text filter narrows to at most this many matching records (names are specific enough).
MAX_MATCHES = 200


class TextFilterChoice(TypedDict):
    """What admin/tracker_text_filter.html reads: a search box, not Django's list of links."""

    parameter_name: str
    value: str
    hidden: list[tuple[str, str]]
    placeholder: str
    clear_query: str
    matches: str


class TextFilter(admin.SimpleListFilter):
    """A filter that takes typed text: a name or slug (contains), or an id (exact)."""

    template = "admin/tracker_text_filter.html"
    placeholder = "name or id"
    parameter_name: str  # every text filter sets one

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    # django-stubs fixes choices() to the keys of Django's own filter template; this filter has
    # its own template (above), which Django renders with whatever dicts choices() yields.
    def choices(self, changelist: ChangeList) -> Iterator[TextFilterChoice]:  # type: ignore[override]
        hidden = [
            (name, value)
            for name, value in changelist.params.items()
            if name not in (self.parameter_name, PAGE_VAR, ERROR_FLAG)
        ]
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "hidden": hidden,
            "placeholder": self.placeholder,
            "clear_query": changelist.get_query_string(remove=[self.parameter_name, PAGE_VAR]),
            "matches": self.describe(),
        }

    def describe(self) -> str:
        """What the typed text matched, so the editor sees whom the list is about."""
        text = (self.value() or "").strip()
        if not text:
            return ""
        names = [str(obj) for obj in self.matching(text)[:4]]
        if not names:
            return "nothing matches"
        more = "…" if len(names) == 4 else ""
        return ", ".join(names[:3]) + more

    def matching(self, text: str) -> QuerySet[Any]:
        model: type[Model] = self.model
        number = whole_number(text)
        if number is not None:
            return model._default_manager.filter(pk=number)
        return model._default_manager.filter(self.text_match(text)).distinct()

    # Subclasses set these.
    model: Any = None

    def text_match(self, text: str) -> Q:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        text = (self.value() or "").strip()
        if not text:
            return queryset
        # The matching ids are read first (the tables are small), so the planner sees a list
        # of values it can estimate and probe an index with, not a subquery over names.
        ids = list(self.matching(text).order_by().values_list("pk", flat=True)[:MAX_MATCHES])
        return self.narrow(queryset, ids)

    def narrow(self, queryset: QuerySet[Any], matches: list[int]) -> QuerySet[Any]:
        raise NotImplementedError


class MentionedFilter(TextFilter):
    """Articles with a visible (not rejected) mention of a matching entity."""

    kind = ""

    def narrow(self, queryset: QuerySet[Any], matches: list[int]) -> QuerySet[Any]:
        # Naming the kind lets PostgreSQL use the entity's partial tag index.
        mentions = Mention.objects.filter(
            article=OuterRef("pk"),
            kind=self.kind,
            status__in=VISIBLE_STATUSES,
            **{f"{self.kind}_id__in": matches},
        )
        return queryset.filter(Exists(mentions))


class OfficialFilter(MentionedFilter):
    title = "official"
    parameter_name = "official"
    placeholder = "name, alias or id"
    model = Official
    kind = "official"

    def text_match(self, text: str) -> Q:
        return Q(name__icontains=text) | Q(aliases__name__icontains=text) | Q(slug=text)


class PolicyFilter(MentionedFilter):
    title = "policy"
    parameter_name = "policy"
    placeholder = "name, alias or id"
    model = Policy
    kind = "policy"

    def text_match(self, text: str) -> Q:
        return Q(name__icontains=text) | Q(aliases__name__icontains=text) | Q(slug=text)


class SummitFilter(MentionedFilter):
    title = "summit"
    parameter_name = "summit"
    placeholder = "title, city or id"
    model = Summit
    kind = "summit"

    def text_match(self, text: str) -> Q:
        return Q(title__icontains=text) | Q(city__icontains=text) | Q(slug=text)


class CountryFilter(admin.SimpleListFilter):
    """Countries are few: list them, the three core ones first."""

    title = "country"
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(c.iso2, c.name_en) for c in Country.objects.only("iso2", "name_en", "is_core")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if not self.value():
            return queryset
        country = Country.objects.filter(iso2=self.value()).values_list("pk", flat=True).first()
        if country is None:
            return queryset.none()
        # The kind and the country's id, not a join on its code: one probe of the tag index.
        mentions = Mention.objects.filter(
            article=OuterRef("pk"), kind="country", status__in=VISIBLE_STATUSES, country_id=country
        )
        return queryset.filter(Exists(mentions))


class SourceFilter(TextFilter):
    title = "source"
    parameter_name = "source"
    placeholder = "outlet, domain or id"
    model = Source

    def text_match(self, text: str) -> Q:
        return Q(name__icontains=text) | Q(domain__icontains=text)

    def narrow(self, queryset: QuerySet[Any], matches: list[int]) -> QuerySet[Any]:
        return queryset.filter(source_id__in=matches)


class FeedFilter(TextFilter):
    title = "feed"
    parameter_name = "feed"
    placeholder = "feed URL, title or id"
    model = Feed

    def text_match(self, text: str) -> Q:
        return Q(url__icontains=text) | Q(title__icontains=text)

    def narrow(self, queryset: QuerySet[Any], matches: list[int]) -> QuerySet[Any]:
        links = ArticleFeed.objects.filter(article=OuterRef("pk"), feed_id__in=matches)
        return queryset.filter(Exists(links))


class FetchedFilter(admin.SimpleListFilter):
    """Articles first fetched recently: by the filtered feed when there is one."""

    title = "first fetched"
    parameter_name = "fetched"
    DAYS = {"1": "last 24 hours", "7": "last 7 days", "30": "last 30 days"}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(self.DAYS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() not in self.DAYS:
            return queryset
        since = timezone.now() - timedelta(days=int(self.value() or 0))
        feed = whole_number(request.GET.get("feed", "").strip())
        if feed is not None:
            # The feed list's count: when this feed first carried the story.
            links = ArticleFeed.objects.filter(
                article=OuterRef("pk"), feed_id=feed, first_seen_at__gte=since
            )
            return queryset.filter(Exists(links))
        return queryset.filter(created_at__gte=since)


class ArticleTextFilter(TextFilter):
    """For the review queue: narrow mentions to one article (by id) or matching titles."""

    title = "article"
    parameter_name = "article"
    placeholder = "words or id"

    def describe(self) -> str:
        text = (self.value() or "").strip()
        if (article_id := whole_number(text)) is not None:
            return str(
                Article.objects.filter(pk=article_id).values_list("title", flat=True).first()
                or "nothing matches"
            )
        return f"articles with the words “{text}”" if text else ""

    model = Article

    def text_match(self, text: str) -> Q:
        return Q(title__icontains=text)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        # Every article with these words (the search index on PostgreSQL), or one by its id.
        text = (self.value() or "").strip()
        if not text:
            return queryset
        if (article_id := whole_number(text)) is not None:
            return queryset.filter(article_id=article_id)
        return queryset.filter(article__in=search_filter(Article.objects.all(), text))


# --- the review queue: filters on mentions -------------------------------------------------


class TagEntityFilter(TextFilter):
    """Tags of any kind whose entity's name, alias, slug or id matches the typed text."""

    title = "entity"
    parameter_name = "entity"
    placeholder = "name, alias or slug"

    def matching_ids(self, text: str) -> dict[str, list[int]]:
        named = {
            "official": Official.objects.filter(
                Q(name__icontains=text) | Q(aliases__name__icontains=text) | Q(slug=text)
            ),
            "policy": Policy.objects.filter(
                Q(name__icontains=text) | Q(aliases__name__icontains=text) | Q(slug=text)
            ),
            "summit": Summit.objects.filter(Q(title__icontains=text) | Q(slug=text)),
            "country": Country.objects.filter(
                Q(name_en__icontains=text)
                | Q(name_es__icontains=text)
                | Q(name_fr__icontains=text)
                | Q(iso2__iexact=text)
            ),
        }
        return {
            kind: list(qs.order_by().values_list("pk", flat=True).distinct()[:200])
            for kind, qs in named.items()
        }

    def describe(self) -> str:
        text = (self.value() or "").strip()
        if not text:
            return ""
        ids = self.matching_ids(text)
        models = {"official": Official, "policy": Policy, "summit": Summit, "country": Country}
        names = [
            str(obj)
            for kind, pks in ids.items()
            for obj in models[kind]._default_manager.filter(pk__in=pks[:4])
        ][:4]
        if not names:
            return "nothing matches"
        return ", ".join(names[:3]) + ("…" if len(names) == 4 else "")

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        text = (self.value() or "").strip()
        if not text:
            return queryset
        # Each kind names its own column, so PostgreSQL probes that entity's tag index.
        match = Q(pk__in=[])
        for kind, pks in self.matching_ids(text).items():
            if pks:
                match |= Q(kind=kind, **{f"{kind}_id__in": pks})
        return queryset.filter(match)


class TagSourceFilter(SourceFilter):
    """Tags on articles of the matching outlets."""

    def narrow(self, queryset: QuerySet[Any], matches: list[int]) -> QuerySet[Any]:
        return queryset.filter(article__source_id__in=matches)


class ArticleLanguageFilter(admin.SimpleListFilter):
    """Articles in one language; the languages offered are those the sources publish in (a
    few rows), not a DISTINCT over every article."""

    title = "language"
    parameter_name = "language"
    field = "language"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        languages = (
            Source.objects.exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
        return [(code, code) for code in languages]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if not self.value():
            return queryset
        return queryset.filter(**{self.field: self.value()})


class TagLanguageFilter(ArticleLanguageFilter):
    """Tags on articles in one language."""

    field = "article__language"


class PublishedFilter(admin.SimpleListFilter):
    """Articles by publication date: recent days, or a year. The choices need no query (a
    date hierarchy would scan the filtered list for its years)."""

    title = "published"
    parameter_name = "published"
    FIRST_YEAR = 2017

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        years = [(str(y), str(y)) for y in range(this_year, self.FIRST_YEAR - 1, -1)]
        return [("7d", "last 7 days"), ("30d", "last 30 days"), *years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value = self.value() or ""
        if value in ("7d", "30d"):
            since = timezone.now() - timedelta(days=int(value[:-1]))
            return queryset.filter(published_at__gte=since)
        if value.isascii() and value.isdigit() and len(value) == 4:
            start = datetime(int(value), 1, 1, tzinfo=UTC)
            return queryset.filter(
                published_at__gte=start, published_at__lt=start.replace(year=start.year + 1)
            )
        return queryset


class ConfidenceBandFilter(admin.SimpleListFilter):
    """How sure the tagger was, in bands of ten points."""

    title = "confidence"
    parameter_name = "confidence"
    BANDS = {"lt50": (0.0, 0.5), "50": (0.5, 0.6), "60": (0.6, 0.7), "70": (0.7, 0.8)}
    BANDS |= {"80": (0.8, 0.9), "90": (0.9, 1.01)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # Only the bands below the threshold hold tags that wait for review.
        return [
            (key, "below 50 %" if low == 0 else f"{low:.0%} to {min(high, 1):.0%}")
            for key, (low, high) in self.BANDS.items()
            if low < review_threshold()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        band = self.BANDS.get(self.value() or "")
        if band is None:
            return queryset
        return queryset.filter(confidence__gte=band[0], confidence__lt=band[1])
