"""A feed's entries are stored in batches: a few queries per batch, not per entry."""

import random
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.ingestion.parsing import feed_parse
from articles.ingestion.services import feed_entries_store, source_for_url
from articles.models import Article, Feed, Mention, StoryCluster
from tests.articles.ingestion.feeds import rss

pytestmark = pytest.mark.django_db

WHEN = datetime(2024, 3, 5, 12, tzinfo=UTC)
SEEDS = {"warm": 1000, "few": 2000, "many": 3000}


def _story(n: int) -> str:
    rng = random.Random(n)
    words = " ".join(f"word{rng.randrange(5000)}" for _ in range(60))
    return f"Mexico and Canada on migration. {words}"


def _queries_to_store(name: str, entries: int) -> int:
    feed = Feed.objects.create(
        url=f"https://{name}.example/feed.xml",
        source=source_for_url(url=f"https://{name}.example/"),
    )
    items = [
        {"title": f"Mexico and Canada, story {n}", "link": f"https://{name}.example/{n}",
         "guid": f"{name}-{n}", "summary": _story(n + SEEDS[name]), "published": WHEN}
        for n in range(entries)
    ]  # fmt: skip
    parsed = feed_parse(body=rss(*items), url=feed.url, content_type="application/rss+xml")
    with CaptureQueriesContext(connection) as queries:
        report = feed_entries_store(feed=feed, parsed=parsed)
    assert report.new == entries
    return len(queries)


def test_a_feeds_new_entries_cost_the_same_few_queries_however_many_there_are(reference):
    _queries_to_store("warm", 1)  # the tagger compiles its knowledge base once
    few = _queries_to_store("few", 3)
    many = _queries_to_store("many", 60)

    # SQLite splits a bulk insert into statements of at most 999 parameters: a few more.
    assert many <= few + (4 if connection.vendor == "sqlite" else 0), (few, many)
    assert many <= 25
    assert Article.objects.filter(tagged_at__isnull=False, cluster__isnull=False).count() == 64
    assert Mention.objects.filter(article__url__startswith="https://many.").count() >= 60


def test_copies_of_one_story_in_one_batch_share_a_cluster(reference):
    feed = Feed.objects.create(
        url="https://wire.example/feed.xml", source=source_for_url(url="https://wire.example/")
    )
    items = [
        {"title": f"Copy {n}", "link": f"https://wire.example/{n}", "guid": f"c{n}",
         "summary": f"CITY{n} (Wire) - {_story(7)}", "published": WHEN}
        for n in range(3)
    ] + [{"title": "Other", "link": "https://wire.example/o", "guid": "o",
          "summary": _story(8), "published": WHEN}]  # fmt: skip
    parsed = feed_parse(body=rss(*items), url=feed.url, content_type="application/rss+xml")

    feed_entries_store(feed=feed, parsed=parsed)

    assert StoryCluster.objects.count() == 2
    assert sorted(StoryCluster.objects.values_list("size", flat=True)) == [1, 3]
    copies = Article.objects.filter(title__startswith="Copy")
    assert copies.values("cluster").distinct().count() == 1


def test_a_batchs_mentions_carry_their_articles_dates(reference):
    feed = Feed.objects.create(
        url="https://dated.example/feed.xml", source=source_for_url(url="https://dated.example/")
    )
    items = [
        {"title": f"Mexico and Canada, story {n}", "link": f"https://dated.example/{n}",
         "guid": f"dated-{n}", "summary": _story(n), "published": WHEN.replace(day=n + 1)}
        for n in range(3)
    ]  # fmt: skip
    parsed = feed_parse(body=rss(*items), url=feed.url, content_type="application/rss+xml")
    feed_entries_store(feed=feed, parsed=parsed)
    mentions = Mention.objects.filter(article__source=feed.source)
    assert mentions.count() >= 3
    for published_at, article_date in mentions.values_list("published_at", "article__published_at"):
        assert published_at == article_date


def test_a_batchs_mentions_carry_their_articles_outlets_and_stories(reference):
    feed = Feed.objects.create(
        url="https://wire2.example/feed.xml", source=source_for_url(url="https://wire2.example/")
    )
    items = [
        {"title": f"Copy {n}", "link": f"https://wire2.example/{n}", "guid": f"w{n}",
         "summary": f"CITY{n} (Wire) - {_story(9)}", "published": WHEN}
        for n in range(3)
    ]  # fmt: skip
    parsed = feed_parse(body=rss(*items), url=feed.url, content_type="application/rss+xml")
    feed_entries_store(feed=feed, parsed=parsed)
    mentions = Mention.objects.filter(article__source=feed.source)
    assert mentions.count() >= 3
    rows = mentions.values_list(
        "article_source", "article_cluster", "article__source", "article__cluster"
    )
    for source, cluster, article_source, article_cluster in rows:
        assert (source, cluster) == (article_source, article_cluster)
        assert cluster is not None
