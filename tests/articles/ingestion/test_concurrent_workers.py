"""Several real Celery workers ingesting feeds that carry copies of the same stories at the
same moment: every story ends in one cluster, every page in one article."""

import random
from datetime import UTC, datetime

import pytest
from django.db.models import Count

from articles.ingestion.services import source_for_url
from articles.models import Article, ExtractionStatus, Feed, FeedState, StoryCluster
from tests.articles.ingestion.feeds import HTML, RSS, page, rss
from tests.support.workers import BROKER, needs_worker, wait_for, worker_start, worker_stop

pytestmark = [pytest.mark.celery_worker, needs_worker]

OUTLETS = 8
STORIES = 6
WORKERS = 3
WHEN = datetime(2024, 3, 5, 12, tzinfo=UTC)


def _story(n: int) -> str:
    """Sixty words drawn for story n: stories share no more words than chance gives."""
    rng = random.Random(n)
    return " ".join(f"word{rng.randrange(5000)}" for _ in range(60))


def test_workers_clustering_copies_of_one_story_at_once_make_one_cluster(
    transactional_db, http_server
):
    import redis

    from articles.ingestion.tasks import feed_fetch_task

    redis.Redis.from_url(BROKER).flushdb()
    feeds = []
    for outlet in range(OUTLETS):
        items = []
        for story in range(STORIES):
            path = f"/o{outlet}/s{story}.html"
            # Each outlet's copy: its own dateline in front of the same story.
            text = f"CITY{outlet} (Wire) - {_story(story)}"
            http_server.add(path, body=page(f"Story {story}", text), headers=HTML)
            items.append(
                {"title": f"Story {story} at outlet {outlet}", "link": http_server.url(path),
                 "guid": f"o{outlet}-s{story}", "summary": text, "published": WHEN}
            )  # fmt: skip
        http_server.add(f"/o{outlet}.xml", body=rss(*items), headers=RSS)
        source = source_for_url(url=f"https://outlet{outlet}.example/")
        feeds.append(Feed.objects.create(url=http_server.url(f"/o{outlet}.xml"), source=source))

    workers = [worker_start(f"w{n}") for n in range(WORKERS)]
    try:
        for feed in feeds:
            feed_fetch_task.delay(feed.pk)

        def done() -> bool:
            return (
                Article.objects.filter(extraction_status=ExtractionStatus.EXTRACTED).count()
                == OUTLETS * STORIES
                and Feed.objects.filter(state=FeedState.IDLE, last_success_at__isnull=False).count()
                == OUTLETS
            )

        wait_for(done, 180, "every feed and page")
    finally:
        for worker in workers:
            worker_stop(worker)

    assert Article.objects.count() == OUTLETS * STORIES
    by_story = {}
    for title, cluster_id in Article.objects.values_list("title", "cluster_id"):
        by_story.setdefault(title.split(" at ")[0], set()).add(cluster_id)
    assert all(len(clusters) == 1 for clusters in by_story.values()), by_story
    assert StoryCluster.objects.count() == STORIES
    sizes = StoryCluster.objects.annotate(members=Count("articles")).values_list("size", "members")
    assert sorted(sizes) == [(OUTLETS, OUTLETS)] * STORIES


def test_a_worker_reading_a_page_never_shows_its_article_without_a_fingerprint(
    transactional_db, http_server
):
    """While another worker clusters (holding the lock), a page's new text and its
    fingerprint are written together or not at all: an article without one would be
    invisible to clustering, and a copy clustered meanwhile would start a second cluster."""
    import redis
    from django.db import connection, transaction

    from articles.ingestion.dedupe import clustering_lock
    from articles.ingestion.services import feed_fetch
    from articles.ingestion.tasks import article_fetch_page_task

    redis.Redis.from_url(BROKER).flushdb()
    text = f"CITY (Wire) - {_story(1)}"
    http_server.add("/s.html", body=page("Story", text), headers=HTML)
    http_server.add("/o.xml", headers=RSS, body=rss(
        {"title": "Story", "link": http_server.url("/s.html"), "guid": "s", "summary": text,
         "published": WHEN}
    ))  # fmt: skip
    source = source_for_url(url="https://outlet.example/")
    feed = Feed.objects.create(url=http_server.url("/o.xml"), source=source)
    assert feed_fetch(feed=feed, fetch_pages=False).new == 1
    article = Article.objects.get()
    assert article.simhash is not None and not article.body

    worker = worker_start("w")
    try:
        with transaction.atomic():
            clustering_lock()  # as a worker clustering another batch would
            article_fetch_page_task.delay(article.pk)

            def waiting() -> bool:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                    return cursor.fetchone()[0] == 1

            wait_for(waiting, 60, "the worker to wait for the clustering lock")
            seen = Article.objects.values("body", "simhash", "content_hash").get()
            assert seen["simhash"] is not None and seen["content_hash"], seen
        wait_for(
            lambda: Article.objects.filter(extraction_status=ExtractionStatus.EXTRACTED).exists(),
            60,
            "the page",
        )
    finally:
        worker_stop(worker)
    article.refresh_from_db()
    assert article.body and article.simhash is not None and article.cluster_id is not None
    assert StoryCluster.objects.get().size == 1
