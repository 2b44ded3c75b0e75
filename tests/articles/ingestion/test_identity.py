from datetime import UTC, datetime

import pytest

from articles.ingestion.canonical import url_canonicalize, url_hash
from articles.ingestion.parsing import ParsedEntry
from articles.ingestion.services import UpsertOutcome, article_upsert, source_for_url
from articles.models import Article, ArticleFeed, Feed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        (
            "HTTPS://News.Example.COM:443/a/b?utm_source=rss&utm_medium=x&id=7#top",
            "https://news.example.com/a/b?id=7",
        ),
        ("http://example.com:80", "http://example.com/"),
        (
            "https://example.com/x?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=tw",
            "https://example.com/x",
        ),
        ("https://example.com/x?b=2&a=1", "https://example.com/x?a=1&b=2"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
    ],
)
def test_it_canonicalizes_urls(given, canonical):
    assert url_canonicalize(given) == canonical


def test_tracking_noise_does_not_change_the_hash():
    assert url_hash("https://a.example/s?utm_campaign=z#c") == url_hash("https://A.example/s")


def _feed(url, domain="wire.example"):
    source = source_for_url(url=f"https://{domain}/")
    return Feed.objects.create(url=url, source=source)


def _entry(link, title="Leaders meet on migration", guid="", published=None):
    return ParsedEntry(
        guid=guid or link,
        link=link,
        title=title,
        summary_html="<p>Migration talks.</p>",
        published=published or datetime(2023, 1, 10, tzinfo=UTC),
        authors=[],
        language="en",
    )


def test_it_keeps_one_article_when_two_feeds_carry_it():
    one = _feed("https://wire.example/rss")
    two = _feed("https://other.example/rss", domain="other.example")
    first, outcome1 = article_upsert(feed=one, entry=_entry("https://wire.example/s?utm_source=a"))
    second, outcome2 = article_upsert(
        feed=two, entry=_entry("https://WIRE.example/s?utm_source=b", guid="other-guid")
    )
    assert (outcome1, outcome2) == (UpsertOutcome.NEW, UpsertOutcome.DUPLICATE)
    assert first.pk == second.pk
    assert Article.objects.count() == 1
    assert set(ArticleFeed.objects.values_list("feed_id", flat=True)) == {one.pk, two.pk}


def test_the_same_entry_twice_is_a_duplicate():
    feed = _feed("https://wire.example/rss")
    article_upsert(feed=feed, entry=_entry("https://wire.example/s"))
    _, outcome = article_upsert(feed=feed, entry=_entry("https://wire.example/s"))
    assert outcome is UpsertOutcome.DUPLICATE
    assert Article.objects.count() == 1
    assert ArticleFeed.objects.count() == 1


def test_an_edited_headline_updates_the_article_and_keeps_the_old_title():
    feed = _feed("https://wire.example/rss")
    article_upsert(feed=feed, entry=_entry("https://wire.example/s", title="First headline"))
    article, outcome = article_upsert(
        feed=feed, entry=_entry("https://wire.example/s", title="Corrected headline")
    )
    assert outcome is UpsertOutcome.UPDATED
    article.refresh_from_db()
    assert article.title == "Corrected headline"
    assert article.earlier_titles == ["First headline"]


def test_the_guid_holds_identity_when_the_link_changes():
    feed = _feed("https://wire.example/rss")
    article_upsert(feed=feed, entry=_entry("https://wire.example/s", guid="story-1"))
    _, outcome = article_upsert(
        feed=feed, entry=_entry("https://wire.example/s-renamed", guid="story-1")
    )
    assert outcome is UpsertOutcome.DUPLICATE
    assert Article.objects.count() == 1


def test_one_source_per_domain_without_www():
    a = source_for_url(url="https://www.Wire.example/feed")
    b = source_for_url(url="http://wire.example/other")
    assert a.pk == b.pk
    assert a.domain == "wire.example"
