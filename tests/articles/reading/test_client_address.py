"""Which address a request comes from: the connection's, or a trusted proxy's header."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from articles.reading.filters import client_address

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def address(xff: str | None = None, **settings: object) -> str:
    meta = {"REMOTE_ADDR": PROXY}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    with override_settings(**settings):
        return client_address(RequestFactory().get("/", **meta))


def test_without_a_configured_header_the_connection_is_the_client_whatever_it_claims() -> None:
    assert address("198.51.100.7") == PROXY


@pytest.mark.parametrize(
    ("xff", "count", "expected"),
    [
        ("203.0.113.9", 1, "203.0.113.9"),  # one proxy wrote what it saw
        ("1.1.1.1, 203.0.113.9", 1, "203.0.113.9"),  # the client forged the first entry
        ("1.1.1.1, 203.0.113.9, 192.0.2.1", 2, "203.0.113.9"),  # two proxies in a row
        ("2001:db8::1", 1, "2001:db8::1"),
        ("", 1, PROXY),  # no header: the proxy's own address, never one the client chose
        ("203.0.113.9", 2, PROXY),  # fewer entries than proxies: not through them all
        ("not-an-address", 1, PROXY),
    ],
)
def test_behind_proxies_the_client_is_that_many_places_from_the_right(
    xff: str, count: int, expected: str
) -> None:
    got = address(
        xff, TRACKER_CLIENT_IP_HEADER="X-Forwarded-For", TRACKER_TRUSTED_PROXY_COUNT=count
    )
    assert got == expected


@override_settings(
    TRACKER_EXPORT_RATE_LIMIT=2,
    TRACKER_CLIENT_IP_HEADER="X-Forwarded-For",
    TRACKER_TRUSTED_PROXY_COUNT=1,
)
def test_behind_a_proxy_each_client_has_its_own_export_limit_and_cannot_forge_another() -> None:
    cache.clear()
    ana = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    ben = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    forger = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.9")

    assert [ana.get("/exports/countries.csv", secure=True).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert ben.get("/exports/countries.csv", secure=True).status_code == 200
    # The proxy appended ana's address after the forged entry: still ana's limit.
    assert forger.get("/exports/countries.csv", secure=True).status_code == 429
