"""Reads for the summit, official, country and policy pages and the home timeline.

`summits` never imports `articles` at module level (articles imports summits); the coverage
reads below reach articles through the `mentions` reverse relations, importing lazily.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from articles.mention_months import mention_months
from articles.models import VISIBLE_STATUSES, Mention, MentionKind, Source
from summits.dates import span_window
from summits.models import (
    Country,
    Official,
    Policy,
    RoleTenure,
    Summit,
    SummitParticipant,
    SummitPolicy,
)

COVERAGE_MARGIN = timedelta(weeks=4)
# Co-mentions are counted over an entity's latest articles, so the page stays fast for the
# entities the press mentions most.
CO_MENTION_SAMPLE = 5_000


# What a list of meetings does not show of their countries and policies.
COUNTRY_WORDS = ("demonyms_en", "demonyms_es", "demonyms_fr", "aliases")
POLICY_NAMES = ("slug", "name", "name_es", "name_fr")


def _visible_mentions(**lookup: Any) -> QuerySet[Any]:
    return Mention.objects.filter(status__in=VISIBLE_STATUSES, **lookup)


def summit_joins() -> "list[Prefetch[Any]]":
    """The countries, policies and participants a list of meetings shows, to prefetch."""
    # Only the names and slugs the pages link with: a country's demonyms and aliases are JSON
    # to decode, for every country of every meeting on the timeline.
    participants = (
        SummitParticipant.objects.select_related("official")
        .only("summit_id", "official_id", "role", "official__slug", "official__name")
        .order_by("pk")
    )
    return [
        Prefetch("countries", queryset=Country.objects.defer(*COUNTRY_WORDS)),
        Prefetch("policies", queryset=Policy.objects.only(*POLICY_NAMES)),
        Prefetch("participants", queryset=participants),
    ]


def summit_list(*, filters: Any = None, joined: bool = True) -> QuerySet[Summit]:
    """Summits newest first with their host joined, and (`joined`) their countries, policies
    and participants."""
    qs = Summit.objects.all()
    if filters is not None:
        qs = filters.apply(qs)
    qs = qs.select_related("country").defer(*(f"country__{name}" for name in COUNTRY_WORDS))
    if joined:
        qs = qs.prefetch_related(*summit_joins())
    return qs.order_by("-start_date", "pk")


def summit_coverage_counts(*, summit_ids: list[int]) -> dict[int, int]:
    """Number of articles tagged with each summit, from its tags per month."""
    counts: Counter[int] = Counter()
    for row in mention_months(kind="summit", entity_ids=summit_ids):
        counts[row.entity_id] += row.tags
    return {pk: n for pk, n in counts.items() if n}


@dataclass
class TimelineYear:
    year: int
    summits: list[Summit]


def summit_timeline(*, filters: Any = None) -> tuple[list[TimelineYear], int]:
    """Summits grouped by year, each with `.coverage`; also the largest coverage, for bars.

    Their countries, policies and participants are not joined: each meeting's card is kept
    (see the home view), and `summit_joins` is prefetched for the cards drawn again."""
    summits = list(summit_list(filters=filters, joined=False))
    counts = summit_coverage_counts(summit_ids=[s.pk for s in summits])
    for summit in summits:
        summit.coverage = counts.get(summit.pk, 0)  # type: ignore[attr-defined]
    years = [
        TimelineYear(year, list(group))
        for year, group in groupby(summits, key=lambda s: s.start_date.year)
    ]
    return years, max(counts.values(), default=0)


def summit_detail(*, slug: str) -> Summit | None:
    """One summit with everything its page shows about it, joined."""
    links = SummitPolicy.objects.select_related("policy").order_by("pk")
    return (
        summit_list()
        .prefetch_related("citations", Prefetch("policy_links", queryset=links))
        .filter(slug=slug)
        .first()
    )


@dataclass
class DayCount:
    day: date
    count: int
    marked: bool  # a meeting day


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def summit_coverage_by_day(*, summit: Summit) -> list[DayCount]:
    """Articles tagged with the summit per day, from four weeks before to four weeks after."""
    # A meeting known only to the month is highlighted over the whole month, not on the 1st.
    window = span_window(
        start=summit.start_date, end=summit.end_date, precision=summit.date_precision
    )
    first = window.first - COVERAGE_MARGIN
    last = window.last + COVERAGE_MARGIN
    rows = (
        _visible_mentions(
            kind="summit",
            summit=summit,
            published_at__gte=_start_of(first),
            published_at__lt=_start_of(last + timedelta(days=1)),
        )
        .annotate(day=TruncDate("published_at"))
        .values("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = {row["day"]: row["n"] for row in rows}
    days = []
    day = first
    while day <= last:
        marked = window.first <= day <= window.last
        days.append(DayCount(day, counts.get(day, 0), marked))
        day += timedelta(days=1)
    return days


@dataclass
class SourceCount:
    source_id: int
    name: str
    count: int


def summit_top_sources(*, summit: Summit, limit: int = 10) -> list[SourceCount]:
    """The outlets that published most articles tagged with the summit."""
    # The tags' copy of their article's outlet: read from mention_summit_pub_idx alone.
    rows = (
        _visible_mentions(kind="summit", summit=summit)
        .values("article_source_id", "article_source__name")
        .annotate(n=Count("*"))
        .order_by("-n", "article_source__name")[:limit]
    )
    return [SourceCount(r["article_source_id"], r["article_source__name"], r["n"]) for r in rows]


def summit_story_count(*, summit: Summit, cap: int) -> int:
    """The stories tagged with the summit (articles of no story count one each), or `cap` + 1
    when there are more: what its list of articles, one row per story, counts."""
    # Each story's first-stored tagged copy stands for it in the list: one per story. Read
    # from the tags' copy of their article's story, in mention_summit_pub_idx alone.
    counts = _visible_mentions(kind="summit", summit=summit).aggregate(
        alone=Count("pk", filter=Q(article_cluster__isnull=True)),
        stories=Count("article_cluster_id", distinct=True),
    )
    return min(counts["alone"] + counts["stories"], cap + 1)


@dataclass
class MonthCount:
    month: date
    count: int


def entity_coverage_by_month(*, kind: str, entity: Any) -> list[MonthCount]:
    """Articles tagged with a country, official or policy per month, gaps filled with zero."""
    rows = mention_months(kind=kind, entity_ids=[entity.pk])
    return _fill_months({row.month: row.tags for row in rows if row.month is not None})


def _fill_months(counts: dict[date, int]) -> list[MonthCount]:
    if not counts:
        return []
    months = []
    month, last = min(counts), max(counts)
    while month <= last:
        months.append(MonthCount(month, counts.get(month, 0)))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _month(value: date | datetime) -> date:
    day = value.date() if isinstance(value, datetime) else value
    return day.replace(day=1)


@dataclass
class CoMention:
    kind: str
    entity: Any
    count: int

    @property
    def kind_label(self) -> str:
        return str(MentionKind(self.kind).label)


def entity_co_mentions(*, kind: str, entity: Any, limit: int = 12) -> list[CoMention]:
    """The entities most often tagged on the same articles (over its latest articles)."""
    latest = (
        _visible_mentions(kind=kind, **{kind: entity})
        .order_by("-article_id")
        .values("article_id")[:CO_MENTION_SAMPLE]
    )
    rows = list(
        _visible_mentions(article_id__in=latest)
        .exclude(**{kind: entity})
        .values("kind", "country_id", "official_id", "policy_id", "summit_id")
        .annotate(n=Count("*"))
        .order_by("-n", "kind")[:limit]
    )
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["kind"], set()).add(row[f"{row['kind']}_id"])
    models = {"country": Country, "official": Official, "policy": Policy, "summit": Summit}
    found = {k: models[k]._default_manager.in_bulk(list(ids)) for k, ids in wanted.items()}
    out = []
    for row in rows:
        obj = found[row["kind"]].get(row[f"{row['kind']}_id"])
        if obj is not None:
            out.append(CoMention(row["kind"], obj, row["n"]))
    return out


def official_detail(*, slug: str) -> Official | None:
    """One official with country, aliases and role tenures."""
    tenures = RoleTenure.objects.select_related("country").order_by("start")
    return (
        Official.objects.select_related("country")
        .prefetch_related("aliases", "citations", Prefetch("tenures", queryset=tenures))
        .filter(slug=slug)
        .first()
    )


def official_participations(*, official: Official) -> list[SummitParticipant]:
    """The summits an official attended, in date order, with the role held there."""
    return list(
        official.participations.select_related("summit", "summit__country").order_by(
            "summit__start_date"
        )
    )


def country_summits(*, country: Country) -> QuerySet[Summit]:
    """Summits the country took part in or hosted, oldest first."""
    return (
        Summit.objects.filter(Q(countries=country) | Q(country=country))
        .select_related("country")
        .distinct()
        .order_by("start_date")
    )


def country_officials(*, country: Country) -> QuerySet[Official]:
    return Official.objects.filter(country=country).order_by("name")


def policy_detail(*, slug: str) -> Policy | None:
    """One policy with its aliases, countries and dated status changes."""
    return (
        Policy.objects.prefetch_related("aliases", "countries", "events", "citations")
        .filter(slug=slug)
        .first()
    )


def role_counts(participations: list[SummitParticipant]) -> list[tuple[str, int]]:
    """How often the official attended in each role."""
    return Counter(p.role for p in participations).most_common()


# Coverage by press country ------------------------------------------------------------------

# The three countries whose press the tracker compares, in the order their columns appear.
PRESS_COUNTRIES = ("US", "MX", "CA")
OTHER_PRESS = "other"


@dataclass
class PhaseRow:
    phase: str  # before, during, after
    counts: list[int]  # one per press column


@dataclass
class PressCoverage:
    columns: list[str]  # the ISO codes of PRESS_COUNTRIES, then OTHER_PRESS
    rows: list[PhaseRow]
    largest: int
    total: int


def summit_coverage_by_press(*, summit: Summit) -> PressCoverage:
    """Articles tagged with the summit before, during and after it, by the press country of
    their outlet (four weeks either side, as the daily chart)."""
    window = span_window(
        start=summit.start_date, end=summit.end_date, precision=summit.date_precision
    )
    first, last = _start_of(window.first), _start_of(window.last + timedelta(days=1))
    rows = (
        _visible_mentions(
            kind="summit",
            summit=summit,
            published_at__gte=_start_of(window.first - COVERAGE_MARGIN),
            published_at__lt=_start_of(window.last + COVERAGE_MARGIN + timedelta(days=1)),
        )
        .annotate(
            phase=Case(
                When(published_at__lt=first, then=Value("before")),
                When(published_at__lt=last, then=Value("during")),
                default=Value("after"),
            )
        )
        .values("phase", "article_source__country__iso2")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        iso2 = row["article_source__country__iso2"]
        counts[(row["phase"], iso2 if iso2 in PRESS_COUNTRIES else OTHER_PRESS)] += row["n"]
    columns = [*PRESS_COUNTRIES, OTHER_PRESS]
    table = [
        PhaseRow(phase, [counts[(phase, key)] for key in columns])
        for phase in ("before", "during", "after")
    ]
    return PressCoverage(columns, table, max(counts.values(), default=0), sum(counts.values()))


def country_outlets(*, country: Country) -> list[int]:
    """The ids of the outlets based in the country (its press), in id order."""
    return list(Source.objects.filter(country=country).order_by("pk").values_list("pk", flat=True))


def country_press_by_month(*, country: Country) -> list[MonthCount]:
    """Articles by the country's own press tagged with any meeting, per month, gaps filled."""
    # The meeting tags' copies of their article's outlet and date: read from
    # mention_summit_press_idx alone; an article with tags of two meetings counts once.
    outlets = country_outlets(country=country)
    if not outlets:
        return []
    rows = (
        _visible_mentions(kind="summit", article_source_id__in=outlets, published_at__isnull=False)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("article_id", distinct=True))
        .order_by("month")
    )
    return _fill_months({_month(row["month"]): row["n"] for row in rows})
