"""Celery time limits come from settings alone, and a task stopped by its soft limit leaves
a usable database connection and a feed the next run can finish."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection

from articles.ingestion.services import feed_fetch, source_for_url
from articles.models import Article, Feed, FeedState
from tests.articles.ingestion.feeds import RSS, rss

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from tracker.celery import app
from articles.ingestion import scheduling, tasks
limits = {}
for name in ("feed_fetch_task", "article_fetch_page_task", "article_reprocess_task",
             "feeds_queue_due_task"):
    task = getattr(tasks, name)
    # What the worker applies: the task's own limit, else the app's configured one.
    limits[name] = [task.soft_time_limit or app.conf.task_soft_time_limit,
                    task.time_limit or app.conf.task_time_limit]
print(json.dumps({"tasks": limits, "stale": scheduling.claim_stale_after().total_seconds()}))
"""


def test_the_task_limits_follow_the_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "CELERY_TASK_SOFT_TIME_LIMIT": "7",
        "CELERY_TASK_TIME_LIMIT": "11",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True, timeout=120,
    ).stdout  # fmt: skip
    seen = json.loads(out.strip().splitlines()[-1])
    assert set(map(tuple, seen["tasks"].values())) == {(7, 11)}
    assert seen["stale"] == 11 + 60


def test_a_soft_time_limit_mid_feed_leaves_the_connection_usable_and_the_feed_finishable(
    transactional_db, http_server, settings
):
    # Committed as a worker commits (no test transaction around it): an interrupted query can
    # leave the connection mid-command, and only then may it be closed and opened again.
    settings.TRACKER_FETCH_PAGES = False
    settings.TRACKER_FEED_MAX_ENTRIES = 10_000
    items = [
        {"title": f"Mexico and Canada on migration, story {n}",
         "link": f"https://wire.example/{n}", "guid": f"g{n}"}
        for n in range(2000)
    ]  # fmt: skip
    http_server.add("/feed.xml", body=rss(*items), headers=RSS)
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )

    def soft_limit(signum, frame):
        # What billiard's pool does when a task passes its soft time limit; raised at the
        # first tick after some entries were stored, however busy the machine is.
        while frame is not None and frame.f_code.co_name != "feed_entries_store":
            frame = frame.f_back
        report = frame.f_locals.get("report") if frame is not None else None
        if report is not None and report.handled:
            signal.setitimer(signal.ITIMER_REAL, 0)
            raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, soft_limit)
    signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            feed_fetch(feed=feed, force=True, fetch_pages=False)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    with connection.cursor() as cursor:  # still usable
        cursor.execute("SELECT 1")
    stored = Article.objects.count()
    assert 0 < stored < 2000
    feed.refresh_from_db()
    assert feed.state == FeedState.IDLE
    assert "time limit" in feed.last_error
    # The next run finishes the feed, storing each entry once.
    report = feed_fetch(feed=feed, force=True, fetch_pages=False)
    assert report.ok and report.new == 2000 - stored
    assert Article.objects.count() == 2000
