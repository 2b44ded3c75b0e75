"""Every header value the fetcher reads, generated rather than picked: parsing never raises
and gives a value in range or nothing; a real server sending such values ends each fetch in a
result or a plain FetchError, and each feed fetch in a report, never an internal error."""

import socket
from datetime import UTC, datetime
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.ingestion import fetching, headers
from articles.ingestion.fetching import FetchError, FetchResult, fetch
from articles.ingestion.services import feed_fetch, source_for_url
from articles.models import Feed
from tests.articles.ingestion.feeds import rss

# What a header value can be once http.client has read its bytes as Latin-1: anything but
# CR, LF and NUL. Plus digits of other scripts, huge numbers and dates, on purpose.
LATIN1 = st.text(st.characters(min_codepoint=1, max_codepoint=255, exclude_characters="\r\n"))
TRICKY = st.sampled_from([
    "\xb2", "1\xb2", "\xd9\xa3", "9" * 400, "-1", "+5", " 7 ", "\t60\t", "0x10", "1e9", "",
    "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Sun, 06 Nov 1994",
    "max-age=\xb2", "max-age=99999999999999999999", "s-maxage=5, max-age=7", "no-cache",
    'W/"\xe9tag"', '"ok"', "/caf\xc3\xa9", "//other.example/x", "http://[::1", "12, 13",
])  # fmt: skip
VALUES = st.one_of(LATIN1, TRICKY, st.integers().map(str))


@given(VALUES)
def test_numbers_are_ascii_digits_within_their_bounds(value):
    number = headers.header_int(value, maximum=1000)
    assert number is None or (0 <= number <= 1000 and value.strip(" \t").isascii())
    length = headers.content_length(value)
    assert length is None or 0 <= length <= 10**15
    age = headers.cache_max_age(value)
    assert age is None or age >= 0


@given(VALUES)
def test_retry_after_is_absent_or_between_now_and_a_week(value):
    seconds = headers.retry_after_seconds(value, now=datetime(2024, 1, 1, tzinfo=UTC))
    assert seconds is None or 0 <= seconds <= headers.RETRY_AFTER_CEILING


@given(VALUES)
def test_dates_are_aware_utc_or_absent(value):
    when = headers.http_date(value)
    assert when is None or when.utcoffset().total_seconds() == 0


@given(VALUES)
def test_validators_kept_are_printable_ascii_and_dates_readable(value):
    etag = headers.etag_value(value)
    assert etag == "" or (etag.isascii() and etag.isprintable())
    modified = headers.last_modified_value(value)
    assert modified == "" or headers.http_date(modified) is not None


@given(VALUES, st.sampled_from(["http://127.0.0.1:8000/a/b", "https://news.example/x?y=1"]))
def test_locations_become_ascii_addresses(value, base):
    location = headers.location_url(value, base=base)
    assert location == "" or location.isascii()


HEADER_NAMES = ["Retry-After", "Content-Length", "Cache-Control", "ETag", "Last-Modified",
                "Content-Type", "Content-Encoding", "Location", "Transfer-Encoding"]  # fmt: skip
STATUSES = [200, 200, 301, 302, 304, 429, 503]
_feed_numbers = count()


@pytest.fixture
def only_the_local_server(http_server, settings, monkeypatch):
    """The guard on, and every name but 127.0.0.1 unresolvable: a generated Location never
    sends a request anywhere but the test's own server."""
    settings.TRACKER_ALLOW_PRIVATE_NETWORKS = False
    settings.TRACKER_FETCH_ALLOW_ADDRESSES = [f"127.0.0.1:{http_server.port}"]
    settings.TRACKER_READ_TIMEOUT = 1.0
    settings.TRACKER_TOTAL_TIMEOUT = 2.0
    settings.TRACKER_FETCH_PAGES = False

    def resolve(host, port):
        if host != "127.0.0.1":
            raise socket.gaierror(f"{host} is not resolved in this test")
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)

    monkeypatch.setattr(fetching, "resolve", resolve)
    return http_server


def _raw_route(status: int, name: str, value: str):
    body = rss({"title": "Talks", "link": "https://wire.example/t"})

    def handler(request):
        request.wfile.write(f"HTTP/1.1 {status} X\r\n".encode())
        request.wfile.write(f"{name}: ".encode() + value.encode("latin-1") + b"\r\n")
        request.wfile.write(b"Content-Type: application/rss+xml\r\nConnection: close\r\n\r\n")
        if status == 200:
            request.wfile.write(body)
        request.close_connection = True

    return handler


@pytest.mark.django_db
@given(st.sampled_from(STATUSES), st.sampled_from(HEADER_NAMES), VALUES)
def test_a_server_sending_any_header_value_gets_a_result_or_a_plain_error(
    only_the_local_server, status, name, value
):
    server = only_the_local_server
    url = server.add(f"/feed{next(_feed_numbers)}.xml", handler=_raw_route(status, name, value))
    try:
        result = fetch(url)
    except FetchError as exc:
        assert exc.message
    else:
        assert isinstance(result, FetchResult)
    feed = Feed.objects.create(url=url, source=source_for_url(url="https://wire.example/"))
    report = feed_fetch(feed=feed, force=True, fetch_pages=False)
    assert report.ok or report.error
    assert "internal error" not in report.error
    feed.refresh_from_db()
    assert feed.state == "idle"
    assert feed.etag == "" or feed.etag.isprintable()
