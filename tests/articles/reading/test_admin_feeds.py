"""Feeds in the admin: adding through the same checks as `add_feed`, and the editor's actions."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleFeed, Feed
from tests.support import factories as f
from tests.support.admin import client_for, staff_user
from tests.support.httpserver import LocalServer

pytestmark = pytest.mark.django_db

FEEDS = reverse("admin:articles_feed_changelist")
ADD = reverse("admin:articles_feed_add")

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Frontera Hoy</title><link>http://127.0.0.1/</link><description>News</description>
<item><title>Ebrard meets Blinken on migration</title><link>http://127.0.0.1/a1</link>
<guid>a1</guid><pubDate>Mon, 02 Jan 2023 10:00:00 GMT</pubDate>
<description>Talks in Mexico City.</description></item>
<item><title>Leaders' summit opens</title><link>http://127.0.0.1/a2</link>
<guid>a2</guid><pubDate>Mon, 09 Jan 2023 10:00:00 GMT</pubDate>
<description>The North American Leaders' Summit opens.</description></item>
</channel></rss>"""


@pytest.fixture
def editor():
    return client_for(staff_user("Editor"))


def serve_feed(http_server: LocalServer) -> str:
    return http_server.add("/feed.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})


def test_adding_a_feed_test_fetches_it_and_says_what_was_found(editor, http_server):
    url = serve_feed(http_server)

    response = editor.post(ADD, {"url": url, "source_name": "Frontera Hoy"}, follow=True)

    feed = Feed.objects.get(url=url)
    assert response.redirect_chain[-1][0] == reverse("admin:articles_feed_change", args=[feed.pk])
    page = response.content.decode()
    assert "2 entries found" in page
    assert feed.source.name == "Frontera Hoy"
    entry = LogEntry.objects.get(object_id=str(feed.pk), content_type__model="feed")
    assert entry.action_flag == ADDITION and entry.user.username == "editor"


def test_adding_a_sites_home_page_finds_its_feed(editor, http_server):
    feed_url = serve_feed(http_server)
    home = http_server.add(
        "/",
        body=f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_url}">'
        "</head><body>Home</body></html>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )

    response = editor.post(ADD, {"url": home, "source_name": ""})

    assert response.status_code == 302
    assert Feed.objects.filter(url=feed_url).exists()


def test_adding_an_address_that_is_no_feed_explains_why_and_saves_nothing(editor, http_server):
    page = http_server.add(
        "/plain", body=b"<html><body>no feed</body></html>", headers={"Content-Type": "text/html"}
    )
    missing = http_server.url("/gone")

    not_feed = editor.post(ADD, {"url": page})
    gone = editor.post(ADD, {"url": missing})
    nonsense = editor.post(ADD, {"url": "not a url at all"})

    for response in (not_feed, gone, nonsense):
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    assert "does not link to one" in not_feed.content.decode()
    assert not Feed.objects.exists()


def test_adding_a_feed_twice_keeps_one_and_says_so(editor, http_server):
    url = serve_feed(http_server)
    editor.post(ADD, {"url": url})

    again = editor.post(ADD, {"url": url}, follow=True)

    assert Feed.objects.count() == 1
    assert "already" in again.content.decode().lower()


def test_fetch_now_fetches_the_feed_and_records_who_asked(
    editor, http_server, django_capture_on_commit_callbacks, settings
):
    settings.TRACKER_FETCH_PAGES = False
    url = serve_feed(http_server)
    feed = Feed.objects.create(url=url, source=f.source(name="Frontera Hoy"))

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(FEEDS, {"action": "fetch_now", "_selected_action": [feed.pk]})

    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.last_success_at is not None
    assert ArticleFeed.objects.filter(feed=feed).count() == 2
    assert LogEntry.objects.filter(
        object_id=str(feed.pk), change_message="Fetch requested by an editor."
    ).exists()


def test_reenable_clears_failures_and_makes_the_feed_due(editor):
    feed = Feed.objects.create(
        url="https://gone.example/feed",
        source=f.source(),
        active=False,
        disabled_reason="Answered 410 Gone five times.",
        consecutive_failures=5,
        next_fetch_at=timezone.now() + timedelta(days=3),
    )

    editor.post(FEEDS, {"action": "reenable", "_selected_action": [feed.pk]})

    feed.refresh_from_db()
    assert feed.active and feed.consecutive_failures == 0 and feed.disabled_reason == ""
    assert feed.next_fetch_at <= timezone.now()


def test_reprocess_queues_every_article_of_the_feed_once(
    editor, django_capture_on_commit_callbacks
):
    feed = Feed.objects.create(url="https://outlet.example/feed", source=f.source())
    for _ in range(3):
        ArticleFeed.objects.create(article=f.article(source=feed.source), feed=feed)
    f.article()  # another feed's

    with django_capture_on_commit_callbacks() as callbacks:
        response = editor.post(FEEDS, {"action": "reprocess", "_selected_action": [feed.pk]})

    assert response.status_code == 302
    assert len(callbacks) == 3
    assert LogEntry.objects.filter(
        object_id=str(feed.pk), change_message__contains="Reprocessing of 3 article(s)"
    ).exists()
