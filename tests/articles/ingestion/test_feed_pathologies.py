"""Real-world feed pathologies, as fixture files: what is stored, what is reported, and that
a second identical run changes nothing. Also a 50,000-entry feed, generated here."""

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.ingestion.services import source_for_url
from articles.models import Article, ExtractionStatus, Feed, FeedEntryError

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent / "pathologies"
RSS = "application/rss+xml; charset=utf-8"


def _ingest(feed: Feed) -> str:
    out = StringIO()
    call_command("ingest", "--feed", str(feed.pk), "--feeds-only", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def _snapshot():
    return sorted(
        Article.objects.values_list(
            "pk", "url_hash", "title", "summary", "published_at", "updated_at", "tagged_at",
            "cluster_id",
        )
    )  # fmt: skip


def _serve(http_server, name: str, content_type: str = RSS) -> Feed:
    url = http_server.add(f"/{name}", body=(HERE / name).read_bytes(),
                          headers={"Content-Type": content_type})  # fmt: skip
    return Feed.objects.create(url=url, source=source_for_url(url="https://host.example/"))


def _two_runs(http_server, name: str, first_line: str, content_type: str = RSS) -> Feed:
    feed = _serve(http_server, name, content_type)
    first = _ingest(feed)
    assert first.startswith(f"feeds: 1 ok, 0 failed; entries: {first_line};"), first
    before = _snapshot()
    second = _ingest(feed)
    assert "entries: 0 new, 0 updated" in second, second
    assert _snapshot() == before
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0 and feed.active
    return feed


def test_year_one_dates_become_date_unknown(http_server):
    _two_runs(http_server, "year-0001.xml", "3 new, 0 updated, 0 duplicate")
    unknown = Article.objects.filter(published_unknown=True)
    assert set(unknown.values_list("title", flat=True)) == {"About this site", "Contact"}
    assert set(unknown.values_list("published_given", flat=True)) == {
        "Mon, 01 Jan 0001 00:00:00 +0000"
    }
    dated = Article.objects.get(title="Ministers meet in Mexico City")
    assert dated.published_at == datetime(2023, 10, 5, 9, 30, tzinfo=UTC)


def test_year_9999_dates_become_date_unknown(http_server):
    _two_runs(http_server, "year-9999.xml", "3 new, 0 updated, 0 duplicate")
    assert Article.objects.filter(published_unknown=True).count() == 2
    assert not Article.objects.filter(published_at__year__gt=2100).exists()


def test_fragment_links_are_separate_stories_and_a_fragment_only_link_is_reported(http_server):
    feed = _two_runs(
        http_server, "fragment-links.xml", "3 new, 0 updated, 0 duplicate, 1 without a link"
    )
    assert Article.objects.count() == 3
    assert set(Article.objects.values_list("extraction_status", flat=True)) == {
        ExtractionStatus.SKIPPED
    }
    error = FeedEntryError.objects.get(feed=feed)
    assert error.entry_guid == "doi:10.5555/jml.14.0" and "no usable link" in error.message


def test_a_guid_without_a_link_is_the_link_when_it_is_a_url(http_server):
    feed = _two_runs(
        http_server, "guid-no-link.xml", "2 new, 0 updated, 0 duplicate, 1 without a link"
    )
    assert set(Article.objects.values_list("url", flat=True)) == {
        "https://briefs.example/2024/03/brief-1",
        "https://briefs.example/2024/03/brief-3",
    }
    assert FeedEntryError.objects.get(feed=feed).entry_guid == "brief-2-7f3a"


def test_undeclared_namespace_prefixes_keep_the_entries_and_warn(http_server):
    feed = _two_runs(http_server, "undeclared-prefix.xml", "2 new, 0 updated, 0 duplicate")
    assert "unbound prefix" in feed.last_error and "kept" in feed.last_error
    assert Article.objects.get(url="https://frontera.example/nota/1").authors == ["Ana López"]


def test_a_utf16_declaration_over_utf8_bytes_is_read_as_utf8(http_server):
    _two_runs(http_server, "utf16-declared-utf8-bytes.xml", "2 new, 0 updated, 0 duplicate",
              content_type="application/rss+xml")  # fmt: skip
    assert set(Article.objects.values_list("title", flat=True)) == {
        "Canadá y México: diálogo sobre migración",
        "Niños migrantes en la frontera",
    }


def test_iso_8859_1_rdf_is_decoded(http_server):
    _two_runs(http_server, "latin1.rdf", "2 new, 0 updated, 0 duplicate",
              content_type="application/rdf+xml")  # fmt: skip
    article = Article.objects.get(url="https://quebec.example/d/1")
    assert article.title == "Réunion à Montréal sur l'immigration"
    assert "« déjà »" in article.summary
    assert article.published_at == datetime(2024, 3, 8, 14, tzinfo=UTC)


def test_a_json_feed_with_missing_fields_keeps_what_it_can(http_server):
    feed = _two_runs(
        http_server, "jsonfeed-missing-fields.json",
        "5 new, 0 updated, 0 duplicate, 1 without a link", content_type="application/feed+json",
    )  # fmt: skip
    assert "2 unreadable item" in feed.last_error
    assert Article.objects.get(url="https://desk.example/2").title == "https://desk.example/2"
    year_one = Article.objects.get(url="https://desk.example/5")
    assert year_one.published_unknown and year_one.published_given == "0001-01-01T00:00:00Z"
    assert Article.objects.get(url="https://desk.example/4").published_given == "not a date"
    assert FeedEntryError.objects.get(feed=feed).entry_title == "No url at all"


def _big_feed(entries: int) -> bytes:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Story {i} on the migration talks</title>"
        f"<link>https://big.example/s/{i}</link>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate>"
        f"<description>Summary {i}.</description></item>"
        for i in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
        f"<link>https://big.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def test_a_50000_entry_feed_is_refused_over_the_size_cap_or_taken_1000_newest_a_run(
    http_server, settings
):
    body = _big_feed(50_000)
    url = http_server.add("/big.xml", body=body, headers={"Content-Type": RSS})
    feed = Feed.objects.create(url=url, source=source_for_url(url="https://big.example/"))
    # With the default 5 MB cap on a fetched body, the 11 MB feed is refused, plainly.
    refused = _ingest(feed)
    assert refused.startswith("feeds: 0 ok, 1 failed"), refused
    feed.refresh_from_db()
    assert "larger than 5 MB" in feed.last_error

    settings.TRACKER_MAX_BODY_BYTES = 16 * 1024 * 1024
    settings.TRACKER_FEED_MAX_ENTRIES = 1000
    started = time.perf_counter()
    first = _ingest(feed)
    elapsed = time.perf_counter() - started
    assert "entries: 1000 new, 0 updated" in first, first
    assert "49000 entries left for the next run" in first
    newest = set(Article.objects.values_list("url", flat=True))
    assert newest == {f"https://big.example/s/{i}" for i in range(49_000, 50_000)}
    second = _ingest(feed)
    assert "entries: 1000 new, 0 updated" in second and "48000 entries left" in second, second
    assert Article.objects.count() == 2000
    assert Article.objects.values("url_hash").distinct().count() == 2000
    print(f"50,000-entry feed, cap 1000: first run {elapsed:.1f} s")
