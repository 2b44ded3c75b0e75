"""A real Celery worker on Redis and PostgreSQL, killed mid-task and restarted."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from articles.ingestion.services import source_for_url
from articles.models import Article, ArticleFeed, ExtractionStatus, Feed, FeedState, RawDocument
from tests.articles.ingestion.feeds import HTML, RSS, page, rss

ROOT = Path(__file__).resolve().parents[3]
BROKER = os.getenv("CELERY_BROKER_URL", "")
DATABASE_URL = os.getenv("DATABASE_URL", "")

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not (BROKER and DATABASE_URL.startswith("postgres")),
        reason="needs CELERY_BROKER_URL (Redis) and DATABASE_URL on PostgreSQL: the worker "
        "subprocess must see the test database",
    ),
]
TEXT = "Mexico and the United States agreed to keep talking about migration at the border."


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _start_worker():
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL.rsplit("/", 1)[0] + "/" + name,
        "CELERY_BROKER_URL": BROKER,
        # A killed worker's task comes back after this many seconds instead of an hour.
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "TRACKER_ALLOW_PRIVATE_NETWORKS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _stop(worker, sig=signal.SIGTERM):
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        worker.wait(timeout=30)


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

    worker = _start_worker()
    try:
        feed_fetch_task.delay(slow_feed.pk)
        feed_fetch_task.delay(fast_feed.pk)
        assert hit.wait(60), "the worker never fetched the slow feed"
        _stop(worker, signal.SIGKILL)
        slow_feed.refresh_from_db()
        assert slow_feed.state == FeedState.CLAIMED and slow_feed.claimed_by
        release.set()
        time.sleep(2.5)  # past the visibility timeout: Redis hands the task out again
        worker = _start_worker()

        def done():
            return (
                Article.objects.filter(extraction_status=ExtractionStatus.EXTRACTED).count() == 4
                and Feed.objects.filter(state=FeedState.IDLE, last_success_at__isnull=False).count()
                == 2
            )

        _wait(done, 90, "both feeds and all four pages")
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
        _stop(worker)
