"""A real Celery worker on Redis and PostgreSQL, killed mid-task and restarted."""

import signal
import threading
import time
from datetime import UTC, datetime

import pytest

from articles.ingestion.services import source_for_url
from articles.models import Article, ArticleFeed, ExtractionStatus, Feed, FeedState, RawDocument
from tests.articles.ingestion.feeds import HTML, RSS, page, rss
from tests.support.workers import BROKER, needs_worker, wait_for, worker_start, worker_stop

pytestmark = [pytest.mark.celery_worker, needs_worker]
TEXT = "Mexico and the United States agreed to keep talking about migration at the border."


def test_a_worker_killed_mid_fetch_loses_nothing_and_duplicates_nothing(
    transactional_db, http_server
):
    import redis

    from articles.ingestion.tasks import article_fetch_page_task, feed_fetch_task

    redis.Redis.from_url(BROKER).flushdb()
    hit, release = threading.Event(), threading.Event()
    items = [
        {"title": f"Story {n}", "link": http_server.url(f"/s{n}.html"), "guid": f"g{n}",
         "published": datetime(2024, 1, n + 1, tzinfo=UTC)}
        for n in range(4)
    ]  # fmt: skip
    slow_body = rss(*items[:3])

    def slow(handler):
        if not release.is_set():
            hit.set()
            release.wait(30)
            return  # the worker is dead by now; drop the connection
        handler.send_response(200)
        handler.send_header("Content-Type", RSS["Content-Type"])
        handler.send_header("Content-Length", str(len(slow_body)))
        handler.end_headers()
        handler.wfile.write(slow_body)

    http_server.add("/slow.xml", handler=slow)
    http_server.add("/fast.xml", body=rss(items[2], items[3], title="Other"), headers=RSS)
    for n in range(4):
        http_server.add(f"/s{n}.html", body=page(f"Story {n}", f"Story {n}. {TEXT}"), headers=HTML)
    source = source_for_url(url="https://wire.example/")
    other = source_for_url(url="https://other.example/")
    slow_feed = Feed.objects.create(url=http_server.url("/slow.xml"), source=source)
    fast_feed = Feed.objects.create(url=http_server.url("/fast.xml"), source=other)

    worker = worker_start()
    try:
        feed_fetch_task.delay(slow_feed.pk)
        feed_fetch_task.delay(fast_feed.pk)
        assert hit.wait(60), "the worker never fetched the slow feed"
        worker_stop(worker, signal.SIGKILL)
        slow_feed.refresh_from_db()
        assert slow_feed.state == FeedState.CLAIMED and slow_feed.claimed_by
        release.set()
        time.sleep(2.5)  # past the visibility timeout: Redis hands the task out again
        worker = worker_start()

        def done():
            return (
                Article.objects.filter(extraction_status=ExtractionStatus.EXTRACTED).count() == 4
                and Feed.objects.filter(state=FeedState.IDLE, last_success_at__isnull=False).count()
                == 2
            )

        wait_for(done, 90, "both feeds and all four pages")
        counts = (Article.objects.count(), ArticleFeed.objects.count(), RawDocument.objects.count())
        assert counts[:2] == (4, 5)  # story 2 is in both feeds: one article, two links
        # Queued again (a duplicate delivery): nothing changes.
        feed_fetch_task.delay(slow_feed.pk)
        for article in Article.objects.all():
            article_fetch_page_task.delay(article.pk)
        time.sleep(3)
        assert (
            Article.objects.count(),
            ArticleFeed.objects.count(),
            RawDocument.objects.count(),
        ) == counts
    finally:
        release.set()
        worker_stop(worker)
