"""Every file of feedparser's own test corpus through parsing and storage, and the sanitize
cases checked for anything that could run script or restyle the page."""

import html
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.template import engines

from articles.ingestion.parsing import feed_parse
from articles.ingestion.services import EntrySkippedError, article_upsert, feed_entries_store
from articles.models import Article, Feed, FeedEntryError, Source

pytestmark = pytest.mark.django_db

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "applet", "frame", "frameset",
                  "meta", "link", "base", "form", "svg", "math"}  # fmt: skip
DANGEROUS_SCHEMES = re.compile(r"^\s*(?:javascript|vbscript|data|livescript|mocha):", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "lowsrc", "dynsrc",
                  "poster", "xlink:href", "cite", "longdesc", "usemap", "data"}  # fmt: skip
RENDER = engines["django"].from_string("<div class='summary'>{{ summary|safe }}</div>")


def _problems(fragment: str) -> list[str]:
    """What in this HTML could run script or restyle the page, by a real HTML parser."""
    found = []
    soup = BeautifulSoup(fragment, "lxml")
    for element in soup.find_all(True):
        if element.name in DANGEROUS_TAGS:
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name.lower().startswith("on"):
                found.append(f"event handler {name}")
            if name.lower() == "style":
                found.append("style attribute")
            if name.lower() in URL_ATTRIBUTES and DANGEROUS_SCHEMES.match(html.unescape(value)):
                found.append(f"{name}={value[:40]}")
    # Entity-encoded tricks such as java&#x09;script: must not survive decoding either.
    decoded = re.sub(r"\s+", "", html.unescape(html.unescape(fragment))).lower()
    if "javascript:" in decoded or "vbscript:" in decoded:
        found.append("javascript: text")
    return found


def test_every_corpus_feed_parses_and_stores_without_an_unhandled_exception(
    corpora: Path,
) -> None:
    root = corpora / "feedparser-tests"
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".rdf"))
    assert len(files) >= 2000
    source = Source.objects.create(name="Corpus", domain="corpus.example")
    entries = stored = skipped = sanitize_stored = 0
    problems: dict[str, list[str]] = {}
    for path in files:
        relative = path.relative_to(root).as_posix()
        url = f"http://corpus.example/{relative}"
        parsed = feed_parse(body=path.read_bytes(), url=url)
        feed = Feed.objects.create(url=url, source=source)
        sanitize_case = relative.startswith("wellformed/sanitize/")
        for index, entry in enumerate(parsed.entries):
            entries += 1
            if sanitize_case:
                # Many cases share a link or guid, or have none: give each its own row so that
                # every sanitised summary is stored and rendered, not merged into another.
                own = f"http://corpus.example/{relative}/{index}"
                entry = replace(entry, link=own, guid=own)
                bad = _problems(entry.summary_html)
                if bad:
                    problems[relative] = bad
            try:
                article, _ = article_upsert(feed=feed, entry=entry)
            except EntrySkippedError:
                skipped += 1  # no usable link: reported to editors, not stored
                continue
            stored += 1
            if sanitize_case:
                sanitize_stored += 1
                article.refresh_from_db()
                assert article.summary == entry.summary_html
                rendered = RENDER.render({"summary": article.summary})
                bad = _problems(article.summary) + _problems(rendered)
                if bad:
                    problems[relative] = bad

    assert problems == {}
    assert entries > 500 and stored > 300
    assert sanitize_stored > 200
    assert Article.objects.count() >= sanitize_stored


def test_the_sanitize_cases_are_all_checked(corpora: Path) -> None:
    cases = sorted((corpora / "feedparser-tests/wellformed/sanitize").glob("*.xml"))
    assert len(cases) == 745
    # The checker itself finds what it is meant to find.
    assert _problems('<a href="java&#x09;script:alert(1)">x</a>')
    assert _problems('<p style="background:url(x)">x</p>')
    assert _problems('<img src="x" onerror="alert(1)">')
    assert _problems("<svg><script>alert(1)</script></svg>")
    assert _problems('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>')
    assert _problems("<p>Safe <a href='https://example.org/'>link</a></p>") == []


def test_every_corpus_feed_read_twice_changes_nothing_the_second_time(corpora: Path) -> None:
    root = corpora / "feedparser-tests"
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".rdf"))
    source = Source.objects.create(name="Corpus", domain="corpus.example")
    totals: Counter[str] = Counter()
    changed_again = []
    for path in files:
        url = f"http://corpus.example/{path.relative_to(root).as_posix()}"
        feed = Feed.objects.create(url=url, source=source)
        runs = [
            feed_entries_store(feed=feed, parsed=feed_parse(body=path.read_bytes(), url=url))
            for _ in range(2)
        ]
        for name, report in zip(("first", "second"), runs, strict=True):
            for key in ("new", "updated", "duplicate", "skipped", "failed"):
                totals[f"{name} {key}"] += getattr(report, key)
        if runs[1].new or runs[1].updated:
            changed_again.append(url)
    failures = list(FeedEntryError.objects.exclude(message__contains="no usable link")[:5])
    print(f"feedparser corpus, {len(files)} files, two runs: {dict(totals)}")
    assert failures == []
    assert totals["first failed"] == totals["second failed"] == 0
    assert changed_again == []
    assert totals["second new"] == totals["second updated"] == 0
    # Most corpus entries share a handful of example links or have none at all.
    assert totals["first new"] + totals["first duplicate"] + totals["first updated"] > 100
    assert totals["first skipped"] == totals["second skipped"]
