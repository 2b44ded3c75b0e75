"""Each broken or hostile server ends in a feed error an editor can read; other feeds go on."""

import gzip
import socket
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.ingestion import fetching
from articles.ingestion.services import feeds_ingest, source_for_url
from articles.models import Article, Feed
from tests.articles.ingestion.feeds import RSS, rss
from tests.support.httpserver import slow_stream

pytestmark = pytest.mark.django_db

GOOD = rss(
    {"title": "Leaders meet in Mexico City", "link": "https://wire.example/nals",
     "published": datetime(2023, 1, 10, tzinfo=UTC)},
)  # fmt: skip


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.TRACKER_CONNECT_TIMEOUT = 0.5
    settings.TRACKER_READ_TIMEOUT = 0.5
    settings.TRACKER_TOTAL_TIMEOUT = 1.0
    settings.TRACKER_MAX_BODY_BYTES = 512 * 1024
    settings.TRACKER_FETCH_PAGES = False


def _feeds(http_server, path, **route):
    bad_url = http_server.add(path, **route)
    good_url = http_server.add("/good.xml", body=GOOD, headers=RSS)
    source = source_for_url(url="https://wire.example/")
    bad = Feed.objects.create(url=bad_url, source=source)
    good = Feed.objects.create(url=good_url, source=source)
    return bad, good


def _ingest_and_check(bad, good, expected):
    summary = feeds_ingest(feeds=[bad, good], force=True, fetch_pages=False)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert expected in bad.last_error, bad.last_error
    assert bad.consecutive_failures == 1
    assert bad.state == "idle"
    assert bad.next_fetch_at > timezone.now()
    assert good.last_error == "" and good.consecutive_failures == 0
    assert Article.objects.filter(title="Leaders meet in Mexico City").exists()
    assert summary.feeds_ok == 1 and summary.feeds_failed == 1
    return bad


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CASES = {
    "tarpit": ({"delay": 30}, "did not answer within 0.5 seconds"),
    "endless body": (
        {"stream": slow_stream(1_000_000, 8192, 0)}, "larger than 0.5 MB after decompression"
    ),
    "slow drip": ({"stream": slow_stream(1000, 10, 0.05)}, "still sending after 1 seconds"),
    "gzip bomb": (
        {"body": gzip.compress(b"<rss>" + b" " * 64 * 1024 * 1024),
         "headers": {"Content-Encoding": "gzip", **RSS}},
        "larger than 0.5 MB after decompression",
    ),
    "redirect loop": ({"status": 302, "headers": {"Location": "/bad.xml"}}, "redirect loop"),
    "500": ({"status": 500}, "500 Internal Server Error"),
    "empty body": ({"body": b"", "headers": RSS}, "empty response"),
    "html instead of a feed": (
        {"body": b"<!DOCTYPE html><html><body><p>Welcome</p></body></html>",
         "headers": {"Content-Type": "text/html"}},
        "web page, not a feed",
    ),
    "429 with retry-after": (
        {"status": 429, "headers": {"Retry-After": "7200"}}, "wait 7200 seconds"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_feed_fails_plainly_and_the_others_go_on(http_server, case):
    route, expected = CASES[case]
    bad, good = _feeds(http_server, "/bad.xml", **route)
    bad = _ingest_and_check(bad, good, expected)
    if case == "429 with retry-after":
        assert bad.next_fetch_at >= timezone.now() + timedelta(seconds=7100)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 (a link-local address)"),
        ("http://127.0.0.1:{closed}/admin", "127.0.0.1 (a loopback address)"),
        ("http://feeds.looks-public.example/rss", "10.0.0.1 (a private network address)"),
    ],
)
def test_redirects_into_private_networks_are_refused_with_the_guard_on(
    http_server, settings, monkeypatch, target, expected
):
    settings.TRACKER_ALLOW_PRIVATE_NETWORKS = False

    def resolve(host, port):
        if host == "feeds.looks-public.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)

    monkeypatch.setattr(fetching, "resolve", resolve)
    location = target.format(closed=_closed_port())
    bad, good = _feeds(http_server, "/bad.xml", status=302, headers={"Location": location})
    settings.TRACKER_FETCH_ALLOW_ADDRESSES = [f"127.0.0.1:{http_server.port}"]
    bad = _ingest_and_check(bad, good, expected)
    assert "refused to connect" in bad.last_error


def test_410_gone_disables_the_feed_with_the_reason(http_server):
    bad, good = _feeds(http_server, "/bad.xml", status=410)
    bad = _ingest_and_check(bad, good, "gone for good (410 Gone)")
    assert not bad.active
    assert "410 Gone" in bad.disabled_reason


def test_a_500_streak_disables_the_feed_after_the_limit(http_server, settings):
    settings.TRACKER_FEED_MAX_FAILURES = 3
    bad, _ = _feeds(http_server, "/bad.xml", status=500)
    for _ in range(3):
        feeds_ingest(feeds=[bad], force=True, fetch_pages=False)
        bad.refresh_from_db()
    assert not bad.active
    assert bad.consecutive_failures == 3
    assert "after 3 failed fetches in a row" in bad.disabled_reason
    assert "500 Internal Server Error" in bad.disabled_reason


def test_backoff_grows_with_each_failure(http_server):
    bad, _ = _feeds(http_server, "/bad.xml", status=503)
    delays = []
    for _ in range(3):
        before = timezone.now()
        feeds_ingest(feeds=[bad], force=True, fetch_pages=False)
        bad.refresh_from_db()
        delays.append((bad.next_fetch_at - before).total_seconds())
    assert delays[0] < delays[1] < delays[2]


def test_304_forever_is_success_not_error(http_server):
    http_server.add("/feed.xml", body=GOOD, headers={**RSS, "ETag": '"v1"'})
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
    http_server.add("/feed.xml", status=304, headers={"ETag": '"v1"'})
    for _ in range(3):
        summary = feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
        assert summary.feeds_ok == 1 and summary.new == 0
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.consecutive_failures == 0 and feed.active
    assert http_server.requests[-1][1]["If-None-Match"] == '"v1"'


def test_a_feed_in_the_wrong_charset_still_yields_its_entries(http_server):
    body = rss({"title": "Réunion à Montréal sur la migration", "link": "https://wire.example/m"})
    latin = body.decode().replace('encoding="utf-8"', 'encoding="utf-8"').encode("latin-1")
    http_server.add(
        "/feed.xml", body=latin, headers={"Content-Type": "application/rss+xml; charset=utf-8"}
    )
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    summary = feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
    feed.refresh_from_db()
    assert summary.feeds_ok == 1, feed.last_error
    assert Article.objects.filter(url="https://wire.example/m").exists()
