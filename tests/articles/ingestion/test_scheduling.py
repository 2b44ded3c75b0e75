from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.ingestion import scheduling
from articles.ingestion.services import source_for_url
from articles.models import Feed, FeedState

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed():
    return Feed.objects.create(
        url="https://wire.example/rss", source=source_for_url(url="https://wire.example/")
    )


def test_only_one_claim_wins(feed):
    assert scheduling.feed_claim(feed_id=feed.pk, token="task-a")
    assert not scheduling.feed_claim(feed_id=feed.pk, token="task-b")
    assert not scheduling.feed_claim(feed_id=feed.pk, force=True)
    feed.refresh_from_db()
    assert (feed.state, feed.claimed_by) == (FeedState.CLAIMED, "task-a")


def test_a_redelivered_task_takes_back_its_own_claim(feed):
    assert scheduling.feed_claim(feed_id=feed.pk, token="task-a")
    assert scheduling.feed_claim(feed_id=feed.pk, token="task-a")


def test_a_stale_claim_of_a_dead_worker_can_be_taken(feed, settings):
    settings.CELERY_TASK_TIME_LIMIT = 180
    Feed.objects.filter(pk=feed.pk).update(
        state=FeedState.CLAIMED, claimed_at=timezone.now() - timedelta(minutes=30)
    )
    assert feed in scheduling.feeds_due()
    assert scheduling.feed_claim(feed_id=feed.pk, token="task-b")


def test_a_feed_not_yet_due_is_not_claimed_unless_forced(feed):
    Feed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now() + timedelta(hours=1))
    assert feed not in scheduling.feeds_due()
    assert not scheduling.feed_claim(feed_id=feed.pk)
    assert scheduling.feed_claim(feed_id=feed.pk, force=True)


def test_disabled_feeds_are_never_due(feed):
    Feed.objects.filter(pk=feed.pk).update(active=False)
    assert feed not in scheduling.feeds_due()
    assert not scheduling.feed_claim(feed_id=feed.pk, force=True)


def _hourly(n):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return [start + timedelta(hours=i) for i in range(n)]


def test_the_interval_follows_the_publishing_pace():
    assert scheduling.publishing_interval(_hourly(10), current=3600) == 1800


def test_the_interval_is_bounded(settings):
    settings.TRACKER_FEED_MIN_INTERVAL = 300
    settings.TRACKER_FEED_MAX_INTERVAL = 86400
    minutely = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=30 * i) for i in range(10)]
    yearly = [datetime(2020 + i, 1, 1, tzinfo=UTC) for i in range(4)]
    assert scheduling.publishing_interval(minutely, current=3600) == 300
    assert scheduling.publishing_interval(yearly, current=3600) == 86400
    assert scheduling.publishing_interval([], current=3600) == 3600


def test_ttl_and_cache_control_are_floors():
    assert scheduling.success_interval(published=_hourly(10), current=3600, ttl_minutes=120) == 7200
    assert (
        scheduling.success_interval(
            published=_hourly(10), current=3600, headers={"cache-control": "public, max-age=5400"}
        )
        == 5400
    )
    assert scheduling.cache_max_age("no-cache, max-age=600") is None


def test_error_backoff_grows_is_bounded_and_honours_retry_after(settings):
    settings.TRACKER_FEED_MAX_INTERVAL = 86400
    first = scheduling.failure_delay(failures=1, interval=600)
    third = scheduling.failure_delay(failures=3, interval=600)
    assert 480 <= first <= 720
    assert 1920 <= third <= 2880
    assert scheduling.failure_delay(failures=30, interval=600) <= 86400 * 1.2
    assert scheduling.failure_delay(failures=1, interval=600, retry_after=7200) >= 7200
