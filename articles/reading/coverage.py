"""Coverage over time by press country: articles per week (or month) from US, Mexican,
Canadian and other outlets, for the home page's chart."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Max
from django.db.models.functions import TruncMonth, TruncWeek

from articles.models import Article

PRESS_COUNTRIES = ("US", "MX", "CA")
OTHER = "other"
SERIES = (*PRESS_COUNTRIES, OTHER)
# Without dates, the chart shows the year up to the newest article; a longer range is drawn
# by month, so that bars stay a few pixels wide on a phone.
DEFAULT_WEEKS = 52
MAX_WEEKS = 104


@dataclass
class Bucket:
    start: date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def series(self) -> list[int]:
        return [self.counts.get(key, 0) for key in SERIES]


@dataclass
class PressCoverage:
    per: str  # "week" or "month"
    buckets: list[Bucket]

    @property
    def totals(self) -> dict[str, int]:
        return {key: sum(b.counts.get(key, 0) for b in self.buckets) for key in SERIES}

    @property
    def total(self) -> int:
        return sum(b.count for b in self.buckets)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _starts(first: date, last: date, per: str) -> list[date]:
    out = []
    day = _monday(first) if per == "week" else first.replace(day=1)
    while day <= last:
        out.append(day)
        day = day + timedelta(weeks=1) if per == "week" else _next_month(day)
    return out


def coverage_by_press_country(
    *, date_from: date | None = None, date_to: date | None = None
) -> PressCoverage:
    """Articles per week by their outlet's country over the range (per month beyond two years)."""
    if date_to is None:
        newest = Article.objects.aggregate(newest=Max("published_at"))["newest"]
        date_to = newest.date() if newest else datetime.now(UTC).date()
    if date_from is None:
        date_from = date_to - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    per = "week" if (date_to - date_from).days <= MAX_WEEKS * 7 else "month"
    trunc = TruncWeek if per == "week" else TruncMonth
    rows = (
        Article.objects.filter(
            published_at__gte=datetime.combine(date_from, time.min, tzinfo=UTC),
            published_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC),
        )
        .annotate(bucket=trunc("published_at"))
        .values("bucket", "source__country__iso2")
        .annotate(n=Count("*"))
        .order_by()
    )
    buckets = {start: Bucket(start) for start in _starts(date_from, date_to, per)}
    for row in rows:
        start = row["bucket"]
        start = start.date() if isinstance(start, datetime) else start
        bucket = buckets.get(start)
        if bucket is None:  # the range's first week starts before `date_from`
            continue
        key = (
            row["source__country__iso2"]
            if row["source__country__iso2"] in PRESS_COUNTRIES
            else OTHER
        )
        bucket.counts[key] = bucket.counts.get(key, 0) + row["n"]
    return PressCoverage(per, list(buckets.values()))
