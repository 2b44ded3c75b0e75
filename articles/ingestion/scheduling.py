"""When each feed is fetched next: adaptive intervals, server-given floors, error backoff, and
the claim that keeps two workers off one feed.
"""

import itertools
import random
import statistics
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from articles.ingestion.headers import RETRY_AFTER_CEILING, cache_max_age
from articles.models import Feed, FeedState


def min_interval() -> int:
    return settings.TRACKER_FEED_MIN_INTERVAL


def max_interval() -> int:
    return settings.TRACKER_FEED_MAX_INTERVAL


def max_failures() -> int:
    return settings.TRACKER_FEED_MAX_FAILURES


def claim_stale_after() -> timedelta:
    # A claim older than the hard task limit belongs to a worker that died mid-fetch.
    return timedelta(seconds=int(settings.CELERY_TASK_TIME_LIMIT) + 60)


def _bounded(seconds: float) -> int:
    return int(min(max(seconds, min_interval()), max_interval()))


def publishing_interval(published: list[datetime], *, current: int) -> int:
    """Half the median gap between recent entries, bounded; `current` when too few dates."""
    times = sorted({p for p in published if p is not None}, reverse=True)[:20]
    if len(times) < 2:
        return _bounded(current)
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(times)]
    # Half the usual gap: a new entry is seen on average within a quarter of the gap.
    return _bounded(statistics.median(gaps) / 2)


def success_interval(
    *,
    published: list[datetime],
    current: int,
    ttl_minutes: int | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    """The interval after a good fetch: the publishing pace, raised to any server-given floor."""
    interval = publishing_interval(published, current=current)
    floors = [interval]
    if ttl_minutes:
        floors.append(min(ttl_minutes * 60, max_interval()))
    max_age = cache_max_age((headers or {}).get("cache-control", ""))
    if max_age:
        floors.append(min(max_age, max_interval()))
    return max(floors)


def failure_delay(*, failures: int, interval: int, retry_after: float | None = None) -> int:
    """Exponential backoff from the feed's interval, bounded, with jitter; Retry-After a floor."""
    base = max(interval, min_interval()) * (2 ** max(failures - 1, 0))
    delay = min(base, max_interval()) * random.uniform(0.8, 1.2)
    if retry_after:
        delay = max(delay, min(retry_after, RETRY_AFTER_CEILING))
    return int(delay)


def feeds_due(*, now: datetime | None = None) -> QuerySet[Feed]:
    """Active feeds whose time has come, and claims left behind by dead workers."""
    now = now or timezone.now()
    due = Q(state=FeedState.IDLE) & (Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
    stale = Q(state=FeedState.CLAIMED, claimed_at__lt=now - claim_stale_after())
    return Feed.objects.filter(active=True).filter(due | stale).order_by("next_fetch_at", "pk")


def feed_claim(
    *, feed_id: int, token: str = "", now: datetime | None = None, force: bool = False
) -> bool:
    """Claim a feed for fetching with one conditional UPDATE; False if someone else holds it.

    `token` names the claimant (a Celery task id): a task redelivered after its worker died
    may take back its own claim at once instead of waiting for the claim to go stale.
    """
    now = now or timezone.now()
    free = Q(state=FeedState.IDLE) | Q(
        state=FeedState.CLAIMED, claimed_at__lt=now - claim_stale_after()
    )
    if token:
        free |= Q(state=FeedState.CLAIMED, claimed_by=token)
    query = Feed.objects.filter(pk=feed_id, active=True).filter(free)
    if not force:
        # A redelivered task finds its own claim whatever the schedule says.
        due = Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now)
        if token:
            due |= Q(state=FeedState.CLAIMED, claimed_by=token)
        query = query.filter(due)
    return query.update(state=FeedState.CLAIMED, claimed_at=now, claimed_by=token) == 1


def feed_release(*, feed: Feed, now: datetime, interval: int) -> None:
    """Hand the feed back with its next fetch time; only the fields the fetch set are saved."""
    feed.state = FeedState.IDLE
    feed.claimed_at = None
    feed.claimed_by = ""
    feed.interval_seconds = interval
    feed.next_fetch_at = now + timedelta(seconds=interval)
