"""Feed entries generated rather than picked (dates, links, guids, titles, summaries) through
parse -> store -> dedupe -> tag: no entry fails, nothing is stored twice, and a second run of
the same bytes changes nothing."""

import html
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import count

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from articles.ingestion.canonical import url_hash
from articles.ingestion.parsing import feed_parse
from articles.ingestion.services import feed_entries_store, source_for_url
from articles.models import Article, ArticleFeed, Feed, FeedEntryError, Mention, StoryCluster

pytestmark = pytest.mark.django_db

WORDS = ["Mexico", "Canada", "United States", "Marcelo Ebrard", "Justin Trudeau", "México",
         "Canadá", "asylum", "Title 42", "summit", "migration", "border", "&", "<b>", "</p>",
         "&amp;", "&lt;script&gt;", "\u202e", "\U0001f600", "\x00", "\ud800", "Ⅻ", "²"]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
)
HOSTS = ["wire.example", "WIRE.example", "news.example:8443", "xn--mxico-bsa.example",
         "méxico.example", "127.0.0.1", "[::1]"]  # fmt: skip
PATH = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
LINKS = st.one_of(
    st.builds(
        lambda scheme, host, path, query, fragment: f"{scheme}://{host}/{path}{query}{fragment}",
        st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript"]),
        st.sampled_from(HOSTS),
        PATH,
        st.sampled_from(["", "?utm_source=rss", "?id=1&utm_medium=x", "?b=2&a=1"]),
        st.sampled_from(["", "#a", "#b", "#comments"]),
    ),
    st.sampled_from(["", "/relative/path", "#only-a-fragment", "//wire.example/x", "not a url"]),
    st.text(max_size=30),
)
GUIDS = st.one_of(st.none(), st.sampled_from(["g1", "g2", "g1 "]), st.text(max_size=40),
                  st.text(min_size=400, max_size=600))  # fmt: skip
DATES = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(
        [
            "Mon, 01 Jan 0001 00:00:00 +0000",
            "Fri, 31 Dec 9999 23:59:59 -0100",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-05:00",
            "yesterday",
            "",
            "2024-02-30T10:00:00Z",
            "Tue, 05 Mar 2024 12:00:00 -0600",
        ]
    ),
)
ENTRY = st.fixed_dictionaries(
    {"title": TEXT, "link": LINKS, "guid": GUIDS, "date": DATES, "summary": TEXT}
)
FEEDS = st.tuples(st.sampled_from(["rss", "atom", "json"]), st.lists(ENTRY, max_size=8))


def _xml(value: str) -> str:
    return html.escape(value, quote=True)


def _date_text(value, kind: str) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    return format_datetime(value) if kind == "rss" else value.isoformat()


def _body(kind: str, entries: list[dict]) -> bytes:
    if kind == "json":
        items = [
            {
                k: v
                for k, v in {
                    "id": e["guid"],
                    "url": e["link"],
                    "title": e["title"],
                    "content_html": e["summary"],
                    "date_published": _date_text(e["date"], kind) or None,
                }.items()
                if v is not None
            }
            for e in entries
        ]
        feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Gen", "items": items}
        return json.dumps(feed).encode("utf-8", "surrogatepass")
    parts = []
    for e in entries:
        when = _date_text(e["date"], kind)
        if kind == "rss":
            parts.append(
                f"<item><title>{_xml(e['title'])}</title><link>{_xml(e['link'])}</link>"
                + (f"<guid>{_xml(e['guid'])}</guid>" if e["guid"] is not None else "")
                + (f"<pubDate>{_xml(when)}</pubDate>" if when else "")
                + f"<description>{_xml(e['summary'])}</description></item>"
            )
        else:
            parts.append(
                f'<entry><title>{_xml(e["title"])}</title><link href="{_xml(e["link"])}"/>'
                + (f"<id>{_xml(e['guid'])}</id>" if e["guid"] is not None else "")
                + (f"<updated>{_xml(when)}</updated>" if when else "")
                + f'<summary type="html">{_xml(e["summary"])}</summary></entry>'
            )
    if kind == "rss":
        text = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Gen</title><link>https://wire.example/</link>{''.join(parts)}"
                "</channel></rss>")  # fmt: skip
    else:
        text = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Gen</title>{''.join(parts)}</feed>")  # fmt: skip
    return text.encode("utf-8", "surrogatepass")


def _state(source):
    articles = Article.objects.filter(source=source)
    return (
        sorted(articles.values_list("pk", "url_hash", "guid", "title", "summary",
                                    "published_at", "updated_at", "tagged_at", "cluster_id")),
        sorted(Mention.objects.filter(article__source=source).values_list("pk", "updated_at")),
        sorted(StoryCluster.objects.values_list("pk", "size", "first_published_at")),
        ArticleFeed.objects.filter(article__source=source).count(),
    )  # fmt: skip


_numbers = count()


@given(FEEDS)
def test_generated_entries_never_fail_never_duplicate_and_rerun_to_nothing(reference, feed):
    kind, entries = feed
    body = _body(kind, entries)
    n = next(_numbers)
    with transaction.atomic():
        source = source_for_url(url=f"https://gen{n}.example/")
        feed_row = Feed.objects.create(url=f"https://wire.example/feed{n}", source=source)
        now = datetime.now(UTC)
        parsed = feed_parse(body=body, url=feed_row.url, content_type=f"application/{kind}")
        first = feed_entries_store(feed=feed_row, parsed=parsed)

        errors = list(
            FeedEntryError.objects.filter(feed=feed_row).values_list("message", flat=True)
        )
        assert first.failed == 0, errors
        assert first.new + first.updated + first.duplicate + first.skipped == len(parsed.entries)
        stored = Article.objects.filter(feed_links__feed=feed_row)
        assert stored.count() == first.new
        # Dates: plausible, or "unknown" with the first-seen time.
        for article in stored:
            assert article.published_at is not None
            if article.published_unknown:
                assert article.published_at >= now - timedelta(seconds=5)
            else:
                assert datetime(1990, 1, 1, tzinfo=UTC) <= article.published_at
                assert article.published_at <= now + timedelta(days=2, seconds=5)
            assert article.cluster_id is not None and article.tagged_at is not None
        # Every entry with a usable link found its one article.
        for entry in parsed.entries:
            if entry.link:
                assert Article.objects.filter(url_hash=url_hash(entry.link)).count() <= 1

        before = _state(source)
        again = feed_entries_store(
            feed=feed_row,
            parsed=feed_parse(body=body, url=feed_row.url, content_type=f"application/{kind}"),
        )
        assert (again.new, again.updated, again.failed) == (0, 0, 0)
        assert _state(source) == before
        transaction.set_rollback(True)
