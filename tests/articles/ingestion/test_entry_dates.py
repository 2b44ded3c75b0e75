"""Implausible entry dates become "date unknown": first-seen time, said so, never a crash."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.ingestion.dedupe import article_cluster
from articles.ingestion.parsing import feed_parse
from articles.ingestion.services import source_for_url
from articles.models import Article, Feed
from tests.articles.ingestion.feeds import RSS, rss
from tests.support import factories

pytestmark = pytest.mark.django_db

# Long enough (over 40 words) for dedupe's near-duplicate search, which reads a date window.
LONG = (
    "Ministers from Mexico, Canada and the United States met to talk about migration, "
    "asylum, seasonal work visas, shelters in the south, processing centres in Guatemala "
    "and Colombia, monthly figures on crossings, language training for new arrivals, "
    "funding for the communities people leave, and the next meeting in Ottawa this spring "
    "where they will report on the northern route."
)


def _ingest(*args: str) -> str:
    out = StringIO()
    call_command("ingest", *args, "--feeds-only", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_a_year_one_entry_is_stored_as_date_unknown_and_the_rest_of_the_feed_goes_on(
    http_server, client
):
    items = [
        {"title": "Talks open in Mexico City", "link": "https://wire.example/a",
         "published": datetime(2024, 3, 1, tzinfo=UTC), "summary": LONG + " One."},
        {"title": "A static-site post", "link": "https://wire.example/b",
         "pubdate": "Mon, 01 Jan 0001 00:00:00 +0000", "summary": LONG + " Two."},
        {"title": "Talks close in Ottawa", "link": "https://wire.example/c",
         "published": datetime(2024, 3, 2, tzinfo=UTC), "summary": LONG + " Three."},
    ]  # fmt: skip
    http_server.add("/feed.xml", body=rss(*items), headers=RSS)
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    before = timezone.now()
    first = _ingest("--feed", str(feed.pk))
    after = timezone.now()
    assert first.startswith("feeds: 1 ok, 0 failed; entries: 3 new, 0 updated"), first
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0 and feed.active
    undated = Article.objects.get(url="https://wire.example/b")
    assert undated.published_unknown
    assert before <= undated.published_at <= after
    assert "0001" in undated.published_given
    # Stored, clustered and tagged together like the others.
    assert Article.objects.filter(cluster__isnull=False, tagged_at__isnull=False).count() == 3
    dated = Article.objects.get(url="https://wire.example/a")
    assert not dated.published_unknown and dated.published_at == datetime(2024, 3, 1, tzinfo=UTC)

    again = _ingest("--feed", str(feed.pk))
    assert "entries: 0 new, 0 updated" in again, again
    assert Article.objects.get(pk=undated.pk).published_at == undated.published_at

    html = client.get(reverse("articles:article", args=[undated.pk])).content.decode()
    text = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    assert "date unknown" in text.lower()
    assert "first seen" in text.lower()


@pytest.mark.parametrize(
    ("written", "plausible"),
    [
        ("Mon, 01 Jan 0001 00:00:00 +0000", False),
        ("Fri, 31 Dec 9999 23:59:59 +0000", False),
        ("Sun, 31 Dec 1989 12:00:00 +0000", False),
        ("Tue, 02 Jan 1990 12:00:00 +0000", True),
        ("Wed, 02 Mar 2022 10:00:00 +0000", True),
    ],
)
def test_dates_outside_1990_to_two_days_ahead_are_not_taken(written, plausible):
    parsed = feed_parse(
        body=rss({"title": "T", "link": "https://wire.example/t", "pubdate": written}),
        url="https://wire.example/feed",
    )
    (entry,) = parsed.entries
    assert (entry.published is not None) == plausible
    assert entry.published_given == ("" if plausible else written)


def test_a_date_three_days_ahead_is_unknown_and_one_day_ahead_is_kept():
    now = timezone.now()
    body = rss(
        {"title": "Later", "link": "https://wire.example/l", "published": now + timedelta(days=3)},
        {"title": "Soon", "link": "https://wire.example/s", "published": now + timedelta(days=1)},
    )
    later, soon = feed_parse(body=body, url="https://wire.example/feed").entries
    assert later.published is None and later.published_given
    assert soon.published is not None


@pytest.mark.parametrize("year", [1, 9999])
def test_dedupe_window_arithmetic_never_overflows(year):
    # An editor can type any date in the admin; dedupe must still place the article.
    source = factories.source()
    factories.article(source=source, body=LONG, published_at=datetime(2024, 1, 1, tzinfo=UTC))
    extreme = datetime(year, 1, 1, tzinfo=UTC) if year == 1 else datetime.max.replace(tzinfo=UTC)
    article = factories.article(source=source, body=LONG + " again", published_at=extreme)
    cluster = article_cluster(article=article)
    assert cluster.pk is not None
