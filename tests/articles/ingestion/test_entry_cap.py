"""A feed fetch handles at most TRACKER_FEED_MAX_ENTRIES entries, newest first; the rest are
reported and picked up by later runs while the feed still carries them."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from articles.ingestion.services import source_for_url
from articles.models import Article, Feed
from tests.articles.ingestion.feeds import RSS, rss

pytestmark = pytest.mark.django_db


def _ingest(feed: Feed) -> str:
    out = StringIO()
    call_command("ingest", "--feed", str(feed.pk), "--feeds-only", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_the_newest_entries_come_first_and_the_rest_on_later_runs(http_server, settings):
    settings.TRACKER_FEED_MAX_ENTRIES = 3
    start = datetime(2024, 5, 1, tzinfo=UTC)
    order = [4, 0, 7, 2, 6, 1, 5, 3]  # not the order of their dates
    items = [
        {"title": f"Story {n}", "link": f"https://wire.example/{n}",
         "published": start + timedelta(days=n)}
        for n in order
    ]  # fmt: skip
    http_server.add("/feed.xml", body=rss(*items), headers=RSS)
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    first = _ingest(feed)
    assert "entries: 3 new, 0 updated" in first, first
    assert "5 entries left for the next run" in first
    assert set(Article.objects.values_list("title", flat=True)) == {"Story 7", "Story 6", "Story 5"}
    second = _ingest(feed)
    assert "entries: 3 new" in second and "2 entries left for the next run" in second, second
    third = _ingest(feed)
    assert "entries: 2 new" in third and "left for the next run" not in third, third
    assert Article.objects.count() == 8
    fourth = _ingest(feed)
    assert "entries: 0 new, 0 updated" in fourth, fourth
    assert Article.objects.count() == 8
