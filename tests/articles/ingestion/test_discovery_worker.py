"""Discovery after ingestion, on a real Celery worker (Redis and PostgreSQL): feed runs that
finish together share one queued run, and the worker writes the candidate once."""

from datetime import UTC, date, datetime

import pytest

from articles.models import DiscoveryCandidate, DiscoveryRun, DiscoveryRunStatus
from articles.tagging.tagger import article_mentions_write, knowledge_base_reset
from tests.support import factories as f
from tests.support.workers import BROKER, needs_worker, wait_for, worker_start, worker_stop

pytestmark = [pytest.mark.celery_worker, needs_worker]


def test_feed_runs_queue_one_discovery_run_that_a_worker_carries_out(transactional_db, settings):
    import redis

    from articles.ingestion.tasks import discovery_queue

    redis.Redis.from_url(BROKER).flushdb()
    settings.TRACKER_DISCOVERY_DELAY_SECONDS = 1
    knowledge_base_reset()
    us, ca = f.country("US"), f.country("CA")
    f.country("MX")
    trump = f.official(name="Donald Trump", country=us)
    carney = f.official(name="Mark Carney", country=ca)
    f.tenure(official=trump, office="President", role="head_of_government", country=us,
             start=date(2025, 1, 20))  # fmt: skip
    f.tenure(official=carney, office="Prime Minister", role="head_of_government", country=ca,
             start=date(2025, 3, 14))  # fmt: skip
    article = f.article(
        title="Leaders talk",
        body="Prime Minister Mark Carney and President Donald Trump spoke by phone on Friday.",
        published_at=datetime(2025, 3, 29, 12, tzinfo=UTC),
    )
    article_mentions_write(article=article)

    worker = worker_start()
    try:
        discovery_queue()
        discovery_queue()  # a second feed run before the first's discovery ran: no new run
        assert DiscoveryRun.objects.count() == 1
        wait_for(
            lambda: DiscoveryRun.objects.filter(status=DiscoveryRunStatus.DONE).exists(),
            60,
            "the worker to finish the discovery run",
        )
    finally:
        worker_stop(worker)
        knowledge_base_reset()
    candidate = DiscoveryCandidate.objects.get()
    assert (candidate.meeting_date, candidate.countries) == (date(2025, 3, 28), ["CA", "US"])
    assert DiscoveryRun.objects.get().articles_read == 1
