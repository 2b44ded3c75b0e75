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
