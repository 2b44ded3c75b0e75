"""add_feed refusals say what happened, in one line, without contradicting themselves."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Feed

pytestmark = pytest.mark.django_db


def test_a_refused_feed_does_not_claim_that_entries_were_kept(http_server):
    url = http_server.add(
        "/feed.xml", body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>broken", headers={"Content-Type": "application/rss+xml"},
    )  # fmt: skip
    with pytest.raises(CommandError) as refused:
        call_command("add_feed", url)
    message = str(refused.value)
    assert "could not be read as a feed" in message
    assert "kept" not in message
    assert "\n" not in message
    assert not Feed.objects.exists()


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://localhost.:8000/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://0/", "0.0.0.0"),
        ("http://[::1]:8000/", "::1"),
        ("http://[::ffff:169.254.169.254]/", "169.254.169.254"),
    ],
)
def test_private_hosts_in_any_spelling_are_refused_as_private(settings, url, address):
    settings.TRACKER_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(CommandError) as refused:
        call_command("add_feed", url)
    message = str(refused.value)
    assert "not a web address" not in message
    assert address in message and "only public internet addresses" in message


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "http://exa mple.com/", "http:///feed", "http://[::1/"]
)
def test_what_is_not_a_web_address_is_still_said_so(url):
    with pytest.raises(CommandError, match="not a web address"):
        call_command("add_feed", url)
