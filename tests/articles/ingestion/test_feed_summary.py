"""A feed summary reads on the article page exactly as the feed meant it: once escaped."""

from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from articles.ingestion.parsing import feed_parse
from articles.ingestion.services import feed_entries_store, source_for_url
from articles.models import Article, Feed

ATOM_TEXT = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><id>urn:1</id><title>Cartoon diplomacy</title><link href="https://wire.example/1"/>
<summary type="text">Tom &amp; Jerry &lt;3 talks
Second line</summary></entry>
</feed>"""
RSS_HTML = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Cartoon diplomacy 2</title><link>https://wire.example/2</link>
<description>&lt;p&gt;Tom &amp;amp; Jerry at the &lt;em&gt;summit&lt;/em&gt;&lt;/p&gt;</description>
</item></channel></rss>"""


def _store(body: bytes) -> Article:
    source = source_for_url(url="https://wire.example/")
    feed, _ = Feed.objects.get_or_create(url="https://wire.example/feed", source=source)
    parsed = feed_parse(body=body, url=feed.url)
    feed_entries_store(feed=feed, parsed=parsed)
    return Article.objects.order_by("-pk").first()


def _page_text(client: Any, article: Article) -> str:
    html = client.get(reverse("articles:article", args=[article.pk])).content.decode()
    assert "&amp;amp;" not in html
    body = BeautifulSoup(html, "html.parser").select_one(".body-text")
    return " ".join(body.get_text(" ").split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "shown"),
    [(ATOM_TEXT, "Tom & Jerry <3 talks Second line"), (RSS_HTML, "Tom & Jerry at the summit")],
)
def test_a_summary_is_shown_once_escaped(client, body, shown):
    article = _store(body)
    assert _page_text(client, article) == shown


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_shows_the_ampersand(page: Any, live_server: Any, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False
    article = _store(ATOM_TEXT)
    page.goto(live_server.url + reverse("articles:article", args=[article.pk]))
    text = page.locator(".body-text").inner_text()
    assert "Tom & Jerry <3 talks" in text
    assert "&amp;" not in text
