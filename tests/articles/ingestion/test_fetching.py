import gzip
import ipaddress
import socket
import time

import pytest

from articles.ingestion import fetching
from articles.ingestion.fetching import FetchError, address_block_reason, fetch
from tests.support.httpserver import slow_stream


@pytest.fixture
def guard_on(settings):
    settings.TRACKER_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def short_timeouts(settings):
    settings.TRACKER_CONNECT_TIMEOUT = 0.5
    settings.TRACKER_READ_TIMEOUT = 0.5
    settings.TRACKER_TOTAL_TIMEOUT = 1.0


def test_it_fetches_a_body_with_an_identifying_user_agent(http_server, settings):
    url = http_server.add("/feed.xml", body=b"<rss/>", headers={"Content-Type": "text/xml"})
    result = fetch(url)
    assert result.status == 200
    assert result.body == b"<rss/>"
    assert result.headers["content-type"] == "text/xml"
    assert http_server.requests[0][1]["User-Agent"] == settings.TRACKER_USER_AGENT


def test_it_sends_etag_and_last_modified_and_takes_304_as_success(http_server):
    url = http_server.add("/feed.xml", status=304, headers={"ETag": '"v1"'})
    result = fetch(url, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.not_modified
    assert result.body == b""
    sent = http_server.requests[0][1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"


def test_it_decompresses_gzip_bodies(http_server):
    url = http_server.add(
        "/z", body=gzip.compress(b"hello " * 100), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(url).body == b"hello " * 100


def test_it_follows_redirects_and_reports_the_final_address(http_server):
    http_server.add("/old", status=301, headers={"Location": "/new"})
    final = http_server.add("/new", body=b"moved")
    result = fetch(http_server.url("/old"))
    assert result.url == final
    assert result.body == b"moved"


def test_it_stops_a_redirect_loop(http_server):
    http_server.add("/a", status=302, headers={"Location": "/b"})
    http_server.add("/b", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(http_server.url("/a"))


def test_it_stops_after_the_redirect_limit(http_server, settings):
    settings.TRACKER_MAX_REDIRECTS = 2
    for hop in range(5):
        http_server.add(f"/r{hop}", status=307, headers={"Location": f"/r{hop + 1}"})
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(http_server.url("/r0"))


def test_it_ends_a_gzip_bomb_as_an_error_after_decompression(http_server, settings):
    settings.TRACKER_MAX_BODY_BYTES = 1024 * 1024
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    url = http_server.add("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than 1 MB after decompression"):
        fetch(url)


def test_it_ends_an_endless_body_at_the_size_cap(http_server, settings):
    settings.TRACKER_MAX_BODY_BYTES = 256 * 1024
    url = http_server.add("/endless", stream=slow_stream(100_000, 16 * 1024, 0))
    with pytest.raises(FetchError, match=r"larger than 0\.25 MB"):
        fetch(url)


def test_it_refuses_a_body_announced_larger_than_the_cap(http_server, settings):
    settings.TRACKER_MAX_BODY_BYTES = 1000
    url = http_server.add("/big", body=b"x" * 5000)
    with pytest.raises(FetchError, match="larger than"):
        fetch(url)


def test_it_gives_up_on_a_tarpit_that_never_answers(http_server, short_timeouts):
    url = http_server.add("/tarpit", delay=30)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"did not answer within 0\.5 seconds"):
        fetch(url)
    assert time.monotonic() - started < 3


def test_it_gives_up_on_a_body_that_drips_forever(http_server, short_timeouts):
    url = http_server.add("/drip", stream=slow_stream(1000, 10, 0.1))
    started = time.monotonic()
    with pytest.raises(FetchError, match="still sending after 1 seconds"):
        fetch(url)
    assert time.monotonic() - started < 3


def test_a_429_carries_the_retry_after_delay(http_server):
    url = http_server.add("/busy", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.status == 429
    assert caught.value.retry_after == 120
    assert "wait 120 seconds" in caught.value.message


def test_a_410_is_permanent(http_server):
    url = http_server.add("/gone", status=410)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.permanent
    assert "gone for good" in caught.value.message


def test_a_500_is_a_plain_error(http_server):
    url = http_server.add("/broken", status=500)
    with pytest.raises(FetchError, match="500 Internal Server Error") as caught:
        fetch(url)
    assert not caught.value.permanent


def test_it_refuses_addresses_that_are_not_http(db):
    with pytest.raises(FetchError, match="only http and https") as caught:
        fetch("file:///etc/passwd")
    assert caught.value.permanent


def test_it_reports_a_server_that_is_not_listening(settings):
    settings.TRACKER_CONNECT_TIMEOUT = 0.5
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="could not connect"):
        fetch(f"http://127.0.0.1:{port}/")


# The private-network guard ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("::ffff:100.100.1.1", "carrier-grade NAT"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_the_guard_names_why_an_address_is_refused(address, reason):
    assert reason in address_block_reason(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_the_guard_lets_public_addresses_through(address):
    assert address_block_reason(ipaddress.ip_address(address)) == ""


def test_the_guard_refuses_loopback_when_on(http_server, guard_on):
    url = http_server.add("/feed.xml", body=b"secret")
    with pytest.raises(FetchError, match=r"refused to connect to 127\.0\.0\.1.*loopback"):
        fetch(url)
    assert http_server.requests == []


def test_the_guard_rechecks_a_redirect_to_cloud_metadata(http_server, guard_on, settings):
    http_server.add(
        "/feed.xml", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    settings.TRACKER_FETCH_ALLOW_ADDRESSES = [f"127.0.0.1:{http_server.port}"]
    with pytest.raises(FetchError, match=r"169\.254\.169\.254 \(a link-local address\)"):
        fetch(http_server.url("/feed.xml"))
    assert [path for path, _ in http_server.requests] == ["/feed.xml"]


def test_the_guard_rechecks_a_redirect_to_another_loopback_port(http_server, guard_on, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        other = probe.getsockname()[1]
    http_server.add("/feed.xml", status=301, headers={"Location": f"http://127.0.0.1:{other}/"})
    settings.TRACKER_FETCH_ALLOW_ADDRESSES = [f"127.0.0.1:{http_server.port}"]
    with pytest.raises(FetchError, match="loopback"):
        fetch(http_server.url("/feed.xml"))


def test_the_guard_checks_the_address_a_name_resolves_to(
    http_server, guard_on, monkeypatch, settings
):
    # The name looks public; DNS says 10.0.0.1. The check runs on the resolved address.
    def resolve(host, port):
        if host == "news.internal-looking.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)

    monkeypatch.setattr(fetching, "resolve", resolve)
    http_server.add(
        "/feed.xml", status=302, headers={"Location": "http://news.internal-looking.example/rss"}
    )
    settings.TRACKER_FETCH_ALLOW_ADDRESSES = [f"127.0.0.1:{http_server.port}"]
    with pytest.raises(FetchError, match=r"news\.internal-looking\.example.*10\.0\.0\.1"):
        fetch(http_server.url("/feed.xml"))
    with pytest.raises(FetchError, match=r"10\.0\.0\.1 \(a private network address\)"):
        fetch("http://news.internal-looking.example/rss")


def test_the_setting_lets_private_addresses_through_for_tests_and_the_demo(http_server, settings):
    settings.TRACKER_ALLOW_PRIVATE_NETWORKS = True
    url = http_server.add("/feed.xml", body=b"ok")
    assert fetch(url).body == b"ok"
