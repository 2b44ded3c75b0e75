"""Several entries on one page (#fragments of a journal issue, a comment thread): identity is
decided so that the same bytes again change nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.ingestion.services import source_for_url
from articles.models import Article, ExtractionStatus, Feed
from tests.articles.ingestion.feeds import RSS, rss

pytestmark = pytest.mark.django_db


def _feed(http_server, body: bytes) -> Feed:
    http_server.add("/feed.xml", body=body, headers=RSS)
    return Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://journal.example/")
    )


def _ingest(feed: Feed) -> str:
    out = StringIO()
    call_command("ingest", "--feed", str(feed.pk), "--feeds-only", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _state():
    return list(
        Article.objects.order_by("pk").values_list(
            "pk", "title", "summary", "updated_at", "tagged_at", "cluster_id", "url_hash"
        )
    )


def test_fragments_of_one_page_are_separate_articles_and_a_rerun_changes_nothing(http_server):
    items = [
        {"title": f"Article {n} of the issue on asylum law",
         "link": f"https://journal.example/issue/12#article-{n}", "guid": f"urn:journal:12:{n}",
         "summary": f"Abstract {n}: migration between Mexico and Canada."}
        for n in range(6)
    ]  # fmt: skip
    feed = _feed(http_server, rss(*items))
    first = _ingest(feed)
    assert "entries: 6 new, 0 updated" in first, first
    assert Article.objects.count() == 6
    assert sorted(Article.objects.values_list("title", flat=True)) == sorted(
        i["title"] for i in items
    )
    # The page is shared by the whole issue: each entry keeps its feed text, no page fetch.
    assert set(Article.objects.values_list("extraction_status", flat=True)) == {
        ExtractionStatus.SKIPPED
    }
    before = _state()
    for _ in range(2):
        again = _ingest(feed)
        assert "entries: 0 new, 0 updated, 6 duplicate" in again, again
    assert _state() == before


def test_entries_naming_the_same_page_without_fragments_make_one_stable_article(http_server):
    items = [
        {"title": f"Comment {n} on the summit thread", "link": "https://journal.example/thread",
         "guid": f"comment-{n}", "summary": f"Comment number {n}."}
        for n in range(4)
    ]  # fmt: skip
    feed = _feed(http_server, rss(*items))
    first = _ingest(feed)
    assert "entries: 1 new, 0 updated, 3 duplicate" in first, first
    article = Article.objects.get()
    assert article.title == "Comment 0 on the summit thread"
    before = _state()
    again = _ingest(feed)
    assert "entries: 0 new, 0 updated, 4 duplicate" in again, again
    assert _state() == before
