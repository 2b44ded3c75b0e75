"""Each broken or hostile server ends in a feed error an editor can read; other feeds go on."""

import gzip
import socket
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.ingestion import fetching
from articles.ingestion.services import feeds_ingest, source_for_url
from articles.models import Article, Feed
from tests.articles.ingestion.feeds import HTML, RSS, page, rss
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


# Header values as servers really send them: bytes, read as Latin-1. "\xb2" is "²", which
# str.isdigit() accepts and int() refuses.
BAD_HEADER_CASES = {
    "429, Retry-After ²": ({"status": 429, "headers": {"Retry-After": "\xb2"}}, "asked too often"),
    "503, Retry-After 1²0": (
        {"status": 503, "headers": {"Retry-After": "1\xb20"}}, "503 Service Unavailable"
    ),
    "503, Retry-After in year 9999": (
        {"status": 503, "headers": {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}},
        "wait 604800 seconds",
    ),
    "429, Retry-After of 400 digits": (
        {"status": 429, "headers": {"Retry-After": "9" * 400}}, "wait 604800 seconds"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_HEADER_CASES)
def test_a_bad_header_value_is_treated_as_absent(http_server, case):
    route, expected = BAD_HEADER_CASES[case]
    bad, good = _feeds(http_server, "/bad.xml", **route)
    bad = _ingest_and_check(bad, good, expected)
    assert "internal error" not in bad.last_error


@pytest.mark.parametrize("length", ["\xb2", "1\xb2", "-5", "9" * 40, "\xd9\xa3", "12, 12"])
def test_a_feed_with_a_bad_content_length_is_still_read(http_server, length):
    http_server.add(
        "/feed.xml", body=GOOD, headers={**RSS, "Content-Length": length, "Connection": "close"}
    )
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    summary = feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
    feed.refresh_from_db()
    assert summary.feeds_ok == 1, feed.last_error
    assert summary.new == 1


def test_validators_that_cannot_be_sent_back_are_not_kept(http_server):
    http_server.add(
        "/feed.xml", body=GOOD,
        headers={**RSS, "ETag": "\xb2\xb2", "Last-Modified": "last tuesday \xb2"},
    )  # fmt: skip
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
    feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ("", "")
    assert "If-None-Match" not in http_server.requests[-1][1]
    assert "If-Modified-Since" not in http_server.requests[-1][1]


def test_a_redirect_to_a_non_ascii_path_is_followed_percent_encoded(http_server):
    # The server sends the UTF-8 bytes of "é" in Location, as real servers do.
    http_server.add("/old.xml", status=301, headers={"Location": "/caf\xc3\xa9.xml"})
    http_server.add("/caf%C3%A9.xml", body=GOOD, headers=RSS)
    feed = Feed.objects.create(
        url=http_server.url("/old.xml"), source=source_for_url(url="https://wire.example/")
    )
    summary = feeds_ingest(feeds=[feed], force=True, fetch_pages=False)
    feed.refresh_from_db()
    assert summary.feeds_ok == 1, feed.last_error


def _page_feed(http_server, handler_or_route):
    """A feed of one story whose page is served by the given route."""
    story = http_server.url("/story.html")
    http_server.add("/feed.xml", body=rss({"title": "Leaders meet", "link": story}), headers=RSS)
    if callable(handler_or_route):
        http_server.add("/story.html", handler=handler_or_route)
    else:
        http_server.add("/story.html", **handler_or_route)
    return Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )


def test_a_page_that_fails_once_with_500_is_fetched_on_the_next_run(http_server, settings):
    settings.TRACKER_FETCH_PAGES = True
    settings.TRACKER_PAGE_RETRY_DELAYS = [0, 0]
    body = page("Leaders meet", "Leaders of Mexico and Canada met to discuss migration. " * 5)
    calls = []

    def flaky(handler):
        calls.append(1)
        status = 500 if len(calls) == 1 else 200
        payload = b"oops" if status == 500 else body
        handler.send_response(status)
        handler.send_header("Content-Type", HTML["Content-Type"])
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    feed = _page_feed(http_server, flaky)
    first = feeds_ingest(feeds=[feed], force=True)
    assert (first.pages_extracted, first.pages_retrying, first.pages_failed) == (0, 1, 0)
    article = Article.objects.get()
    assert article.extraction_status == "pending"
    assert article.page_attempts == 1
    assert "500 Internal Server Error" in article.extraction_error
    assert "will be tried again" in article.extraction_error
    second = feeds_ingest(feeds=[feed], force=True)
    assert (second.pages_extracted, second.pages_failed) == (1, 0)
    article.refresh_from_db()
    assert article.extraction_status == "extracted" and article.extraction_error == ""
    assert len(calls) == 2


def test_a_page_that_keeps_failing_is_marked_failed_after_the_last_attempt(http_server, settings):
    settings.TRACKER_FETCH_PAGES = True
    settings.TRACKER_PAGE_RETRY_DELAYS = [0, 0]
    feed = _page_feed(http_server, {"status": 503})
    for _ in range(4):
        feeds_ingest(feeds=[feed], force=True)
    article = Article.objects.get()
    assert article.extraction_status == "failed"
    assert article.page_attempts == 3
    assert "503 Service Unavailable" in article.extraction_error
    assert "after 3 attempts" in article.extraction_error
    page_requests = [path for path, _ in http_server.requests if path == "/story.html"]
    assert len(page_requests) == 3


def test_a_permanent_page_failure_is_not_retried(http_server, settings):
    settings.TRACKER_FETCH_PAGES = True
    settings.TRACKER_PAGE_RETRY_DELAYS = [0, 0]
    feed = _page_feed(http_server, {"status": 404})
    feeds_ingest(feeds=[feed], force=True)
    feeds_ingest(feeds=[feed], force=True)
    article = Article.objects.get()
    assert article.extraction_status == "failed"
    assert "404 Not Found" in article.extraction_error and "not retried" in article.extraction_error
    assert [path for path, _ in http_server.requests].count("/story.html") == 1


def test_a_retry_waits_for_its_backoff(http_server, settings):
    settings.TRACKER_FETCH_PAGES = True
    settings.TRACKER_PAGE_RETRY_DELAYS = [600, 3600]
    feed = _page_feed(http_server, {"status": 502})
    before = timezone.now()
    feeds_ingest(feeds=[feed], force=True)
    feeds_ingest(feeds=[feed], force=True)
    article = Article.objects.get()
    assert article.page_attempts == 1
    assert article.page_retry_at >= before + timedelta(seconds=600)
    assert [path for path, _ in http_server.requests].count("/story.html") == 1


def test_a_page_with_a_non_ascii_retry_after_does_not_stop_the_other_pages(http_server, settings):
    settings.TRACKER_FETCH_PAGES = True
    text = "Leaders of Mexico and Canada met to discuss migration. " * 5
    http_server.add("/bad.html", status=503, headers={"Retry-After": "\xb2"})
    http_server.add("/good.html", body=page("Good", text), headers=HTML)
    http_server.add(
        "/feed.xml", headers=RSS, body=rss(
            {"title": "Bad page", "link": http_server.url("/bad.html")},
            {"title": "Good page", "link": http_server.url("/good.html")},
        ),
    )  # fmt: skip
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    out = StringIO()
    call_command("ingest", "--feed", str(feed.pk), stdout=out, stderr=StringIO())
    assert "pages: 1 extracted" in out.getvalue()
    assert Article.objects.get(title="Good page").extraction_status == "extracted"
    assert "503" in Article.objects.get(title="Bad page").extraction_error


def test_add_feed_with_a_non_ascii_retry_after_is_one_plain_error(http_server):
    url = http_server.add("/feed.xml", status=429, headers={"Retry-After": "\xb2"})
    with pytest.raises(CommandError, match="asked too often"):
        call_command("add_feed", url)
