"""A worker that reads feeds loads no page extraction: trafilatura, lxml and BeautifulSoup
are a seventh of its memory, and only page fetches need them."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGE_ONLY = ("trafilatura", "bs4", "htmldate", "justext")

PROBE = f"""
import json, sys
import django
django.setup()
import articles.ingestion.tasks
from articles.ingestion.services import feed_entries_store
before = [m for m in {PAGE_ONLY!r} if m in sys.modules]
from articles.ingestion.services import _feed_links
_feed_links(b'<link rel="alternate" type="application/rss+xml" href="/feed">', "https://a.example/")
print(json.dumps({{"before": before, "after": [m for m in {PAGE_ONLY!r} if m in sys.modules]}}))
"""


def test_a_feed_worker_does_not_load_page_extraction_until_it_needs_it() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "DJANGO_DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded["before"] == []
    # Reading a home page for its feed link does load the HTML parser.
    assert "bs4" in loaded["after"]
