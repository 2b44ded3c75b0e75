import json
from datetime import UTC, datetime

from articles.ingestion.parsing import feed_parse, html_sanitize, text_plain

FEED_URL = "https://news.example.org/feeds/migration.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Border &amp; Migration Desk</title><link>https://news.example.org/</link>
<language>es-MX</language><ttl>45</ttl>
<item>
  <title>Ministers meet in &lt;b&gt;Ottawa&lt;/b&gt;   on asylum</title>
  <link>/2024/05/ministers-meet?utm_source=rss</link>
  <guid isPermaLink="false">desk-1234</guid>
  <pubDate>Tue, 07 May 2024 09:30:00 -0500</pubDate>
  <author>desk@example.org (Ana Ruiz)</author>
  <description><![CDATA[<p style="color:red" onclick="x()">Talks
  <a href="javascript:alert(1)">here</a>
  and <a href="https://example.org/x">there</a><script>alert(1)</script></p>]]></description>
</item>
<item>
  <title>No guid, no link</title>
  <pubDate>Wed, 08 May 2024 10:00:00 GMT</pubDate>
  <description>Plain words</description>
</item>
<item>
  <title>Impossible date</title><link>https://news.example.org/a/3</link>
  <pubDate>Mon, 45 Foo 2024 99:99:99 GMT</pubDate>
</item>
</channel></rss>"""


def test_it_reads_rss_entries_with_aware_utc_dates_and_resolved_links() -> None:
    feed = feed_parse(body=RSS, url=FEED_URL, content_type="application/rss+xml")

    assert feed.is_feed and feed.bozo_message == ""
    assert feed.title == "Border & Migration Desk"
    assert feed.language == "es" and feed.ttl_minutes == 45
    first = feed.entries[0]
    assert first.guid == "desk-1234"
    assert first.link == "https://news.example.org/2024/05/ministers-meet?utm_source=rss"
    assert first.title == "Ministers meet in Ottawa on asylum"
    assert first.published == datetime(2024, 5, 7, 14, 30, tzinfo=UTC)
    assert first.authors == ["Ana Ruiz"]
    assert first.language == "es"


def test_it_sanitises_entry_html_before_anyone_stores_it() -> None:
    summary = feed_parse(body=RSS, url=FEED_URL).entries[0].summary_html

    assert "script" not in summary and "alert" not in summary
    assert "onclick" not in summary and "style" not in summary
    assert "javascript" not in summary
    assert 'href="https://example.org/x"' in summary
    assert 'rel="noopener noreferrer nofollow"' in summary


def test_it_makes_a_stable_guid_when_an_entry_has_neither_id_nor_link() -> None:
    once = feed_parse(body=RSS, url=FEED_URL).entries[1]
    again = feed_parse(body=RSS, url=FEED_URL).entries[1]

    assert once.guid.startswith("sha256:") and once.guid == again.guid
    assert once.link == ""


def test_it_gives_no_date_rather_than_crashing_on_an_impossible_one() -> None:
    entry = feed_parse(body=RSS, url=FEED_URL).entries[2]

    assert entry.title == "Impossible date" and entry.published is None


def test_it_escapes_text_plain_content_instead_of_interpreting_it() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><id>urn:x:1</id><title>a</title>
    <summary type="text">Use &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</summary>
    </entry></feed>"""

    entry = feed_parse(body=atom, url=FEED_URL).entries[0]

    assert entry.summary_html == "<p>Use &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"


def test_it_keeps_the_readable_entries_of_a_broken_feed() -> None:
    broken = RSS.replace(b"</channel></rss>", b"<item><title>cut off")

    feed = feed_parse(body=broken, url=FEED_URL)

    assert feed.is_feed
    assert "errors" in feed.bozo_message and "kept" not in feed.bozo_message
    assert "the entries that could be read were kept" in feed.warning
    assert [e.guid for e in feed.entries][:1] == ["desk-1234"]


def test_it_says_when_an_address_returned_a_web_page_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>"

    feed = feed_parse(body=page, url="https://news.example.org/", content_type="text/html")

    assert not feed.is_feed
    assert feed.bozo_message == "This address returned a web page, not a feed."
    assert feed.entries == []


def test_it_says_when_the_body_is_empty_or_garbage() -> None:
    assert feed_parse(body=b"", url=FEED_URL).bozo_message == "The response was empty."
    garbage = feed_parse(body=b"\x00\xff\xfe garbage \x89PNG", url=FEED_URL)
    assert not garbage.is_feed and garbage.bozo_message


def test_it_never_opens_a_local_file_named_by_the_body() -> None:
    feed = feed_parse(body=b"/etc/passwd", url=FEED_URL)

    assert not feed.is_feed and feed.entries == []


def test_it_reads_json_feed_one_point_one() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Wire <i>desk</i>",
            "home_page_url": "https://wire.example.net/",
            "language": "fr-CA",
            "items": [
                {
                    "id": 77,
                    "url": "/story/77",
                    "title": "Sommet à Mexico",
                    "content_html": '<p onmouseover="x()">Texte <img src=x onerror=y></p>',
                    "date_published": "2024-11-20T08:00:00-06:00",
                    "authors": [{"name": "Léa Tremblay"}],
                },
                {"id": "t", "title": "Text only", "content_text": "a < b", "date_published": "x"},
                "not an item",
            ],
        }
    ).encode()

    feed = feed_parse(body=body, url="https://wire.example.net/feed.json")

    assert feed.is_feed and feed.title == "Wire desk" and feed.language == "fr"
    first, second = feed.entries
    assert first.guid == "77" and first.link == "https://wire.example.net/story/77"
    assert first.summary_html == "<p>Texte </p>"
    assert first.published == datetime(2024, 11, 20, 14, 0, tzinfo=UTC)
    assert first.authors == ["Léa Tremblay"] and first.language == "fr"
    assert second.summary_html == "<p>a &lt; b</p>" and second.published is None
    assert "1 unreadable item" in feed.bozo_message


def test_it_reads_json_feed_version_one_with_a_single_author() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "Old",
            "items": [{"id": "1", "url": "https://a.example/1", "author": {"name": "Kim"}}],
        }
    ).encode()

    entry = feed_parse(body=body, url="https://a.example/feed.json").entries[0]

    assert entry.authors == ["Kim"] and entry.link == "https://a.example/1"


def test_it_rejects_json_that_is_not_a_json_feed() -> None:
    assert not feed_parse(body=b'{"hello": 1}', url=FEED_URL).is_feed
    assert "not valid JSON" in feed_parse(body=b"{nope", url=FEED_URL).bozo_message


def test_it_drops_links_that_are_not_http() -> None:
    rss = RSS.replace(b"/2024/05/ministers-meet?utm_source=rss", b"javascript:alert(1)")

    assert feed_parse(body=rss, url=FEED_URL).entries[0].link == ""


def test_html_sanitize_keeps_formatting_and_drops_data_urls() -> None:
    cleaned = html_sanitize(
        '<h2>Head</h2><ul><li><em>x</em></li></ul><a href="data:text/html,hi">d</a>'
        '<a href="mailto:desk@example.org">m</a><img src="https://t.example/p.gif">'
    )

    assert "<h2>Head</h2><ul><li><em>x</em></li></ul>" in cleaned
    assert "data:" not in cleaned and "<img" not in cleaned
    assert 'href="mailto:desk@example.org"' in cleaned


def test_text_plain_strips_markup_and_entities() -> None:
    assert text_plain(" <b>Trump</b> &amp;\n Sheinbaum&#39;s  call ") == "Trump & Sheinbaum's call"
