"""Writes of the ingestion pipeline: adding feeds, fetching them, storing their entries as
articles, fetching and processing article pages, and keeping the raw bytes of all of it.

Every function here is safe to run twice: identity is held by unique constraints, and a
feed is claimed with a conditional UPDATE before it is fetched.
"""

import enum
import gzip
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.ingestion import scheduling
from articles.ingestion.canonical import (
    canonical_hash,
    url_canonicalize,
    url_domain,
    url_fragment,
)
from articles.ingestion.dedupe import (
    articles_fingerprint,
    clustering_lock,
    clusters_assign,
    clusters_recount,
)
from articles.ingestion.fetching import FetchError, FetchResult, fetch
from articles.ingestion.headers import (
    RETRY_AFTER_CEILING,
    ascii_url,
    etag_value,
    last_modified_value,
)
from articles.ingestion.parsing import (
    EARLIEST_DATE,
    FUTURE_SLACK,
    ParsedEntry,
    ParsedFeed,
    feed_parse,
)
from articles.ingestion.sources import source_guess_store
from articles.models import (
    Article,
    ArticleFeed,
    ExtractionStatus,
    Feed,
    FeedEntryError,
    FeedState,
    RawDocument,
    RawKind,
    Source,
)
from articles.tagging.kb import knowledge_base_pinned
from articles.tagging.stories import articles_link_across_languages
from articles.tagging.tagger import (
    Found,
    article_stamp,
    articles_mentions_write,
    articles_tags,
)

if TYPE_CHECKING:
    from articles.ingestion.extraction import Extracted

logger = logging.getLogger(__name__)

# Entries stored per transaction: large enough that a feed's new entries cost a few queries,
# small enough that a failing entry's batch is split in a few steps.
ENTRY_BATCH = 100
# Entries looked up at once among those a feed gave before (SQLite takes 32,766 parameters).
SEEN_CHUNK = 2000

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
FEED_LINK_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
}


class FeedAddError(Exception):
    """The address could not be added as a feed; the message says why in plain words."""


class EntrySkippedError(ValueError):
    """A feed entry that cannot become an article (no usable link)."""


class UpsertOutcome(enum.Enum):
    """What storing one feed entry did to its article."""

    NEW = "new"
    UPDATED = "updated"
    DUPLICATE = "duplicate"


class PageOutcome(enum.Enum):
    """What fetching an article's page came to."""

    EXTRACTED = "extracted"
    RETRYING = "retrying"  # failed for a reason that may pass; tried again later
    FAILED = "failed"


@dataclass
class FeedAddResult:
    feed: Feed
    created: bool
    entries_found: int
    title: str
    message: str


@dataclass
class PageCounts:
    pages_extracted: int = 0
    pages_retrying: int = 0
    pages_failed: int = 0

    def count_page(self, outcome: PageOutcome) -> None:
        if outcome is PageOutcome.EXTRACTED:
            self.pages_extracted += 1
        elif outcome is PageOutcome.RETRYING:
            self.pages_retrying += 1
        else:
            self.pages_failed += 1


@dataclass
class FeedFetchReport(PageCounts):
    feed_id: int = 0
    claimed: bool = True
    ok: bool = False
    not_modified: bool = False
    error: str = ""
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    skipped: int = 0  # no usable link: recorded as entry errors
    failed: int = 0  # stopped by an error: recorded as entry errors, the rest went on
    left: int = 0  # unseen entries beyond TRACKER_FEED_MAX_ENTRIES, for the next fetches
    pending_article_ids: list[int] = field(default_factory=list)

    def count_entry(self, outcome: UpsertOutcome) -> None:
        if outcome is UpsertOutcome.NEW:
            self.new += 1
        elif outcome is UpsertOutcome.UPDATED:
            self.updated += 1
        else:
            self.duplicate += 1

    @property
    def handled(self) -> int:
        return self.new + self.updated + self.duplicate + self.skipped + self.failed


# Raw bytes -------------------------------------------------------------------------------


def raw_store(
    *,
    kind: str,
    result: FetchResult,
    url: str,
    feed: Feed | None = None,
    article: Article | None = None,
) -> RawDocument:
    """Keep the fetched bytes, gzip-compressed and capped; the same bytes are kept once."""
    cap = settings.TRACKER_RAW_MAX_BYTES
    body = result.body[:cap]
    digest = hashlib.sha256(body).hexdigest()
    now = timezone.now()
    lookup = {"kind": kind, "feed": feed, "article": article, "sha256": digest}
    existing = RawDocument.objects.filter(**lookup).first()
    if existing is not None:
        # Same bytes again: only note when they were last seen.
        RawDocument.objects.filter(pk=existing.pk).update(fetched_at=now)
        existing.fetched_at = now
        return existing
    document = RawDocument(
        **lookup,
        url=url[:2000],
        final_url=result.url[:2000],
        fetched_at=now,
        status_code=result.status,
        content_type=result.headers.get("content-type", "")[:200],
        # PostgreSQL's JSON refuses NUL; header values are kept for reading, not replaying.
        headers={
            k.replace("\x00", ""): v.replace("\x00", "")[:500] for k, v in result.headers.items()
        },
        size=len(body),
        truncated=result.truncated or len(result.body) > cap,
        body_gz=gzip.compress(body, compresslevel=6),
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Another worker stored the same bytes a moment ago.
        return RawDocument.objects.get(**lookup)
    return document


def raw_bytes(document: RawDocument) -> bytes:
    return gzip.decompress(bytes(document.body_gz))


# Sources and feeds ------------------------------------------------------------------------


def source_for_url(*, url: str, name: str = "") -> Source:
    """The Source for the site of `url` (one per domain), created when new."""
    domain = url_domain(url) or "unknown"
    source, created = Source.objects.get_or_create(
        domain=domain[:253], defaults={"name": (name or domain)[:200]}
    )
    if created:
        source_guess_store(source=source)
    if name and source.name == source.domain:
        source.name = name[:200]
        source.save(update_fields=["name"])
    return source


_HOST = re.compile(r"[\w.-]+|\[[0-9A-Fa-f:.]+\]")


def _url_problem(url: str) -> str:
    """Why `url` is not a web address, or "". Whether its host is public is the fetcher's
    guard's to say, after resolving it: "localhost." and "2130706433" are web addresses."""
    if not url.isprintable() or any(ch.isspace() for ch in url):
        return "it contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port checks it
    except ValueError:
        return "it cannot be read as an address"
    if parts.scheme.lower() not in ("http", "https"):
        return "expected http:// or https://"
    host = parts.netloc.rpartition("@")[2]
    if not host.endswith("]"):
        host = host.rpartition(":")[0] if ":" in host else host
    if not parts.hostname or not _HOST.fullmatch(host):
        return "it has no valid host name"
    return ""


def _validate_url(url: str) -> str:
    url = url.strip()
    if url and "://" not in url:
        url = "https://" + url
    if problem := _url_problem(url):
        raise FeedAddError(f"{url!r} is not a web address ({problem})")
    return ascii_url(url)


def _feed_links(html: bytes, base: str) -> list[str]:
    # Imported here, as is page extraction below: a worker that reads feeds never needs
    # either, and they are a seventh of its memory.
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    links: list[str] = []
    for tag in soup.find_all("link", href=True):
        rel: str | list[str] = tag.get("rel") or []
        rels = {r.lower() for r in (rel if isinstance(rel, list) else [rel])}
        kind = str(tag.get("type", "")).split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_LINK_TYPES:
            links.append(urljoin(base, str(tag["href"])))
    return list(dict.fromkeys(links))


def _fetch_and_parse(url: str) -> tuple[FetchResult, ParsedFeed]:
    result = fetch(url, accept=FEED_ACCEPT)
    parsed = feed_parse(
        body=result.body, url=result.url, content_type=result.headers.get("content-type", "")
    )
    return result, parsed


@transaction.atomic
def _feed_create(*, url: str, parsed: ParsedFeed, source_name: str) -> tuple[Feed, bool]:
    existing = Feed.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    source = source_for_url(url=parsed.link or url, name=source_name or parsed.title)
    if parsed.language:
        source_guess_store(source=source, language=parsed.language)
    feed = Feed(url=url, source=source, title=parsed.title[:300], next_fetch_at=timezone.now())
    feed.full_clean()
    feed.save()
    return feed, True


def _already_following(url: str, *, where: str = "") -> FeedAddResult | None:
    existing = Feed.objects.filter(url=url).first()
    if existing is None:
        return None
    return FeedAddResult(
        feed=existing,
        created=False,
        entries_found=existing.article_links.count(),
        title=existing.title,
        message=f"Already following {url} (feed {existing.pk}){where}.",
    )


def feed_add(*, url: str, source_name: str = "") -> FeedAddResult:
    """Validate, find the feed (from a site's home page if need be), test-fetch and store it."""
    url = _validate_url(url)
    if already := _already_following(url):
        return already
    try:
        result, parsed = _fetch_and_parse(url)
    except FetchError as exc:
        raise FeedAddError(f"Could not fetch {url}: {exc.message}") from exc
    if not parsed.is_feed:
        candidates = _feed_links(result.body, result.url)
        if not candidates:
            raise FeedAddError(
                f"{url} is not a feed, and its page does not link to one "
                f"({parsed.bozo_message or 'no RSS, Atom or JSON Feed found'})"
            )
        url = candidates[0]
        if already := _already_following(url, where=", found on that page"):
            return already
        try:
            result, parsed = _fetch_and_parse(url)
        except FetchError as exc:
            raise FeedAddError(
                f"Found the feed {url} but could not fetch it: {exc.message}"
            ) from exc
        if not parsed.is_feed:
            raise FeedAddError(f"The page links to {url}, but that is not a readable feed either.")
    if not parsed.entries and parsed.bozo_message:
        raise FeedAddError(f"{url} could not be read as a feed: {parsed.bozo_message}")
    feed, created = _feed_create(url=url, parsed=parsed, source_name=source_name)
    found = len(parsed.entries)
    note = f" (warning: {parsed.warning})" if parsed.warning else ""
    verb = "Added" if created else "Already following"
    return FeedAddResult(
        feed=feed,
        created=created,
        entries_found=found,
        title=parsed.title,
        message=f"{verb} feed {feed.pk}: {parsed.title or url} — {found} entries found{note}.",
    )


@transaction.atomic
def feed_register(*, url: str, title: str = "", source_name: str = "") -> tuple[Feed, bool]:
    """Store a feed without fetching it now: its first scheduled fetch checks it, and a
    failure shows in feed health like any other. Returns the feed and whether it is new."""
    url = _validate_url(url)
    existing = Feed.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    source = source_for_url(url=url, name=source_name or title)
    feed = Feed(url=url, source=source, title=title[:300], next_fetch_at=timezone.now())
    feed.full_clean()
    feed.save()
    return feed, True


def feeds_reenable(*, feeds: Iterable[Feed]) -> int:
    """Turn disabled feeds back on, due now, with their failure count cleared."""
    ids = [feed.pk for feed in feeds]
    return Feed.objects.filter(pk__in=ids).update(
        active=True,
        disabled_reason="",
        consecutive_failures=0,
        state=FeedState.IDLE,
        claimed_at=None,
        claimed_by="",
        next_fetch_at=timezone.now(),
    )


# Fetching a feed --------------------------------------------------------------------------


def _feed_failed(
    feed: Feed, *, message: str, status: int | None, retry_after: float | None, permanent: bool
) -> None:
    now = timezone.now()
    feed.consecutive_failures += 1
    feed.last_error = message
    feed.last_error_at = now
    feed.last_status = status
    delay = scheduling.failure_delay(
        failures=feed.consecutive_failures, interval=feed.interval_seconds, retry_after=retry_after
    )
    scheduling.feed_release(feed=feed, now=now, interval=feed.interval_seconds)
    feed.next_fetch_at = now + timedelta(seconds=delay)
    limit = scheduling.max_failures()
    if permanent:
        feed.active = False
        feed.disabled_reason = f"Stopped on {now:%Y-%m-%d}: {message}. Re-enable it to try again."
    elif feed.consecutive_failures >= limit:
        feed.active = False
        feed.disabled_reason = (
            f"Stopped on {now:%Y-%m-%d} after {feed.consecutive_failures} failed fetches in a "
            f"row. The last one: {message}. Re-enable it to try again."
        )


def _feed_save(feed: Feed) -> None:
    feed.save(
        update_fields=[
            "state",
            "claimed_at",
            "claimed_by",
            "next_fetch_at",
            "interval_seconds",
            "last_fetched_at",
            "last_success_at",
            "last_error",
            "last_error_at",
            "consecutive_failures",
            "etag",
            "last_modified",
            "last_status",
            "title",
            "active",
            "disabled_reason",
        ]
    )


def feed_fetch(
    *, feed: Feed, fetch_pages: bool = True, force: bool = False, token: str = ""
) -> FeedFetchReport:
    """Claim, fetch, keep the bytes, parse, store entries and schedule the next fetch.

    Never raises for a bad feed: the failure goes to feed.last_error in plain words. A task's
    soft time limit is the one exception let through, after the feed is handed back.
    """
    report = FeedFetchReport(feed_id=feed.pk)
    if not scheduling.feed_claim(feed_id=feed.pk, token=token, force=force):
        report.claimed = False
        return report
    feed.refresh_from_db()
    try:
        _feed_fetch_claimed(feed, report)
    except SoftTimeLimitExceeded:
        _feed_stopped(feed, report)
        raise
    except Exception as exc:
        # A bug or a database hiccup must not leave the feed claimed for good.
        logger.exception("feed %s: unexpected error", feed.pk)
        _connection_check()
        report.ok = False
        report.error = f"internal error while reading the feed ({type(exc).__name__}: {exc})"
        _feed_failed(feed, message=report.error, status=None, retry_after=None, permanent=False)
    _feed_save(feed)
    if fetch_pages and settings.TRACKER_FETCH_PAGES:
        for article in Article.objects.filter(pk__in=report.pending_article_ids):
            report.count_page(article_fetch_page(article=article))
    return report


def _connection_check() -> None:
    """Close the database connection if an interrupted query left it unusable; Django opens
    a new one on the next query. Inside a transaction (tests) it is left to its owner."""
    if connection.connection is None or connection.in_atomic_block:
        return
    if not connection.is_usable():
        connection.close()


def _feed_stopped(feed: Feed, report: FeedFetchReport) -> None:
    """Hand back a feed whose fetch the task's soft time limit stopped.

    Each batch of entries was committed on its own, so the next run goes on from the entries
    not yet stored: soon if this run got somewhere, after the usual backoff if it did not.
    """
    if not connection.in_atomic_block:
        # The limit may have struck mid-query, or between Django turning autocommit off and
        # noting the transaction: only a new connection is sure to be clean. Its server
        # session rolls back whatever the interrupted entry had begun.
        connection.close()
    now = timezone.now()
    message = (
        f"stopped by the task's time limit after {report.handled} entries; "
        "the next fetch goes on from there"
    )
    logger.warning("feed %s: %s", feed.pk, message)
    failures = feed.consecutive_failures + (0 if report.handled else 1)
    delay = (
        scheduling.min_interval()
        if report.handled
        else scheduling.failure_delay(failures=failures, interval=feed.interval_seconds)
    )
    Feed.objects.filter(pk=feed.pk).update(
        state=FeedState.IDLE,
        claimed_at=None,
        claimed_by="",
        next_fetch_at=now + timedelta(seconds=delay),
        last_fetched_at=now,
        last_error=message,
        last_error_at=now,
        consecutive_failures=failures,
    )


def _feed_fetch_claimed(feed: Feed, report: FeedFetchReport) -> None:
    now = timezone.now()
    feed.last_fetched_at = now
    try:
        result = fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT
        )
    except FetchError as exc:
        report.error = exc.message
        _feed_failed(
            feed,
            message=exc.message,
            status=exc.status,
            retry_after=exc.retry_after,
            permanent=exc.permanent,
        )
        return
    feed.last_status = result.status
    if result.not_modified:
        report.ok = report.not_modified = True
        _feed_succeeded(feed, result=result, parsed=None, now=now)
        return
    raw_store(kind=RawKind.FEED, result=result, url=feed.url, feed=feed)
    if not result.body.strip():
        report.error = "the server sent an empty response instead of a feed"
        _feed_failed(feed, message=report.error, status=result.status, retry_after=None,
                     permanent=False)  # fmt: skip
        return
    parsed = feed_parse(
        body=result.body, url=result.url, content_type=result.headers.get("content-type", "")
    )
    if not parsed.is_feed or (not parsed.entries and parsed.bozo_message):
        report.error = parsed.bozo_message or "the response is not a feed"
        if parsed.is_feed:
            report.error = f"the feed could not be read: {parsed.bozo_message}"
        _feed_failed(feed, message=report.error, status=result.status, retry_after=None,
                     permanent=False)  # fmt: skip
        return
    feed_entries_store(feed=feed, parsed=parsed, report=report)
    report.ok = True
    _feed_succeeded(feed, result=result, parsed=parsed, now=now, left=report.left)
    # Readable despite flaws, or with entries that failed: say so, without counting it as a
    # failure of the feed.
    notes = [f"read with problems: {parsed.warning}"] if parsed.warning else []
    if report.failed:
        notes.append(f"{_entries(report.failed)} could not be stored (see the feed's entry errors)")
    if notes:
        feed.last_error = "; ".join(notes)
        feed.last_error_at = now


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _feed_succeeded(
    feed: Feed, *, result: FetchResult, parsed: ParsedFeed | None, now: datetime, left: int = 0
) -> None:
    published = [e.published for e in parsed.entries if e.published] if parsed else []
    recent = [
        published_at
        for published_at in ArticleFeed.objects.filter(
            feed=feed, article__published_at__isnull=False, article__published_unknown=False
        )
        .order_by("-article__published_at")
        .values_list("article__published_at", flat=True)[:20]
        # Never None (the filter above); the check tells the type checker so.
        if published_at is not None
    ]
    interval = scheduling.success_interval(
        published=published + recent,
        current=feed.interval_seconds,
        ttl_minutes=parsed.ttl_minutes if parsed else None,
        headers=result.headers,
    )
    scheduling.feed_release(feed=feed, now=now, interval=interval)
    feed.last_success_at = now
    feed.consecutive_failures = 0
    feed.last_error = ""
    if left:
        # Entries wait for the next fetch: it must get the whole feed again (no 304), soon.
        feed.etag = feed.last_modified = ""
        feed.next_fetch_at = now + timedelta(seconds=scheduling.min_interval())
    else:
        feed.etag = etag_value(result.headers.get("etag", "")) or feed.etag
        feed.last_modified = (
            last_modified_value(result.headers.get("last-modified", "")) or feed.last_modified
        )
    if parsed and parsed.title and not feed.title:
        feed.title = parsed.title[:300]


# Entries ----------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A parsed entry with the identity it is stored under."""

    parsed: ParsedEntry
    url_key: str  # url_hash of the link, with its fragment when that names a story
    own_fragment: bool  # one of several stories on a shared page (see README)
    order: int  # position in the feed
    canonical: str  # the canonical URL url_key is the hash of ("" without a link)


def _entries_identified(entries: list[ParsedEntry]) -> list[_Entry]:
    """Each entry's identity: a page that several entries of this feed name by different
    #fragments holds several stories, one per fragment; any other fragment is noise."""
    # Each link is canonicalised once: its canonical form is both its identity's hash and
    # the article's canonical_url.
    pages = [url_canonicalize(entry.link) if entry.link else "" for entry in entries]
    named = [url_fragment(entry.link) if entry.link else "" for entry in entries]
    fragments: dict[str, set[str]] = {}
    for page, fragment in zip(pages, named, strict=True):
        if fragment:
            fragments.setdefault(page, set()).add(fragment)
    shared = {page for page, names in fragments.items() if len(names) > 1}
    identified = []
    for order, (entry, page, fragment) in enumerate(zip(entries, pages, named, strict=True)):
        own = page in shared and bool(fragment)
        canonical = url_canonicalize(entry.link, keep_fragment=True) if own else page
        key = canonical_hash(canonical) if entry.link else ""
        identified.append(_Entry(entry, key, own, order, canonical))
    return identified


def _newest_first(entries: list[_Entry]) -> list[_Entry]:
    """Dated entries newest first, then undated ones in feed order."""
    dated = [e for e in entries if e.parsed.published is not None]
    undated = [e for e in entries if e.parsed.published is None]
    dated.sort(key=lambda e: (e.parsed.published, -e.order), reverse=True)
    return dated + undated


def _entries_seen(feed: Feed, entries: list[_Entry]) -> tuple[set[str], set[str]]:
    """The guids and identities among `entries` that this feed has given before: one query
    for a feed of usual size, one per SEEN_CHUNK entries for a huge one."""
    seen_guids: set[str] = set()
    seen_keys: set[str] = set()
    for start in range(0, len(entries), SEEN_CHUNK):
        chunk = entries[start : start + SEEN_CHUNK]
        guids = {e.parsed.guid[:1000] for e in chunk if e.parsed.guid}
        keys = {e.url_key for e in chunk if e.url_key}
        links = ArticleFeed.objects.filter(feed=feed).filter(
            Q(entry_guid__in=guids) | Q(article__guid__in=guids) | Q(article__url_hash__in=keys)
        )
        for entry_guid, article_guid, key in links.values_list(
            "entry_guid", "article__guid", "article__url_hash"
        ):
            seen_guids.update(g for g in (entry_guid, article_guid) if g)
            seen_keys.add(key)
    return seen_guids, seen_keys


def feed_entries_store(
    *, feed: Feed, parsed: ParsedFeed, report: FeedFetchReport | None = None
) -> FeedFetchReport:
    """Store a parsed feed's entries as articles, ENTRY_BATCH at a time, each batch in one
    transaction; when a batch fails, its halves are tried on their own, down to the entry
    that fails, which is recorded against that entry while the others are stored.

    At most TRACKER_FEED_MAX_ENTRIES a call: entries not seen before first, newest first,
    then known ones (for edited headlines); unseen entries beyond the cap are counted in
    `left` and come first next time. When several entries name one article, the first
    handled speaks for it and the others are duplicates, so the same bytes again change
    nothing.
    """
    report = report or FeedFetchReport(feed_id=feed.pk)
    entries = _newest_first(_entries_identified(parsed.entries))
    guids, keys = _entries_seen(feed, entries)
    fresh: list[_Entry] = []
    known: list[_Entry] = []
    for entry in entries:
        seen = entry.parsed.guid in guids or entry.url_key in keys
        (known if seen else fresh).append(entry)
    cap = max(settings.TRACKER_FEED_MAX_ENTRIES, 0)
    report.left = max(len(fresh) - cap, 0)
    errors = dict(FeedEntryError.objects.filter(feed=feed).values_list("entry_guid", "message"))
    handled: set[int] = set()
    todo = (fresh + known)[:cap]
    # The tagger checks its knowledge base for changes once per feed, not once per entry.
    with knowledge_base_pinned():
        for start in range(0, len(todo), ENTRY_BATCH):
            _entries_store(
                feed, todo[start : start + ENTRY_BATCH], report=report, handled=handled,
                errors=errors,
            )  # fmt: skip
    return report


def _entries_store(
    feed: Feed,
    entries: list[_Entry],
    *,
    report: FeedFetchReport,
    handled: set[int],
    errors: dict[str, str],
    retried: bool = False,
) -> None:
    """One batch in one transaction: articles, clusters and tags written together or not at
    all. If it fails, each half again on its own, so a bad entry costs only itself."""
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost:
                _commit_without_waiting()
            stored = _entries_write(feed, entries, handled=set(handled))
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        _connection_check()
        if len(entries) > 1:
            half = len(entries) // 2
            for part in (entries[:half], entries[half:]):
                _entries_store(feed, part, report=report, handled=handled, errors=errors)
            return
        if isinstance(exc, IntegrityError) and not retried:
            # Another worker stored the same story a moment ago: this time it is found.
            _entries_store(feed, entries, report=report, handled=handled, errors=errors,
                           retried=True)  # fmt: skip
            return
        logger.exception("feed %s: entry %r could not be stored", feed.pk, entries[0].parsed.guid)
        report.failed += 1
        _entry_error_record(feed, entries[0].parsed, f"{type(exc).__name__}: {exc}", errors)
        return
    cleared = []
    for result in stored:
        guid = result.entry.parsed.guid[:1000]
        if result.skipped:
            report.skipped += 1
            _entry_error_record(feed, result.entry.parsed, result.skipped, errors)
            continue
        article = result.article
        assert article is not None and result.outcome is not None
        report.count_entry(result.outcome)
        handled.add(article.pk)
        if guid in errors:
            cleared.append(guid)
            del errors[guid]
        due = article.extraction_status == ExtractionStatus.PENDING and not article.page_retry_at
        if due and article.pk not in report.pending_article_ids:
            report.pending_article_ids.append(article.pk)
    if cleared:
        FeedEntryError.objects.filter(feed=feed, entry_guid__in=cleared).delete()


def _commit_without_waiting() -> None:
    """Let this transaction's commit return before the disk has its WAL (PostgreSQL).

    Waiting for the disk was 3 to 5 ms a batch on this machine. A crash of the database
    server may lose the batches committed in the last moment before it, whole, never in part:
    as if that fetch had stopped there. The feed's own state is written after its batches
    with a commit that waits, and so makes them durable too; until then the feed is claimed,
    its fetch (a task acknowledged only when done) runs again, and stores them again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _entry_error_record(feed: Feed, entry: ParsedEntry, message: str, errors: dict) -> None:
    """Keep why an entry was not stored, for editors; written only when it is news."""
    guid = entry.guid[:1000]
    message = message.replace("\x00", "")[:2000]
    if errors.get(guid) == message:
        return
    FeedEntryError.objects.update_or_create(
        feed=feed,
        entry_guid=guid,
        defaults={
            "entry_link": entry.link[:2000],
            "entry_title": entry.title.replace("\x00", "")[:1000],
            "message": message,
        },
    )
    errors[guid] = message


# Articles ---------------------------------------------------------------------------------


@dataclass
class _Stored:
    """What one entry of a batch came to."""

    entry: _Entry
    article: Article | None = None
    outcome: UpsertOutcome | None = None
    skipped: str = ""  # why the entry cannot become an article


@dataclass
class _Known:
    """The articles a batch's entries may name, found in one query, and the batch's new ones."""

    by_key: dict[str, Article] = field(default_factory=dict)
    by_link: dict[str, Article] = field(default_factory=dict)
    by_guid: dict[str, Article] = field(default_factory=dict)

    def add(self, article: Article, *, key: str, link: str, guid: str) -> None:
        for index, value in ((self.by_key, key), (self.by_link, link), (self.by_guid, guid)):
            if value and (value not in index or _earlier(article, index[value])):
                index[value] = article

    def find(self, *, key: str, link: str, guid: str) -> Article | None:
        found = [
            article
            for index, value in ((self.by_key, key), (self.by_link, link), (self.by_guid, guid))
            if value and (article := index.get(value)) is not None
        ]
        # The oldest row wins, as one query ordered by pk would have it; new ones come last.
        return min(found, key=lambda a: (a.pk is None, a.pk or 0)) if found else None


def _earlier(a: Article, b: Article) -> bool:
    return a.pk is not None and (b.pk is None or a.pk < b.pk)


def _articles_known(feed: Feed, entries: list[_Entry]) -> _Known:
    """The stored articles the entries name: by identity, by the feed's link (after a page
    fetch the page's canonical URL may have become the identity) or by guid in the source."""
    keys = {e.url_key for e in entries if e.url_key}
    links = {e.parsed.link.strip() for e in entries if e.parsed.link.strip()}
    guids = {e.parsed.guid[:1000] for e in entries if e.parsed.guid}
    match = Q(url_hash__in=keys) | Q(url__in=links)
    if guids:
        # Spelling out the unique constraint's condition (guid not empty) lets SQLite use its
        # partial index instead of scanning every article of the source.
        match |= Q(source=feed.source, guid__in=guids) & ~Q(guid="")
    known = _Known()
    for article in Article.objects.filter(match).defer("body").order_by("pk"):
        guid = article.guid if article.source_id == feed.source_id else ""
        known.add(article, key=article.url_hash, link=article.url, guid=guid)
    return known


def _usable_link(entry: ParsedEntry) -> str:
    link = entry.link.strip()
    if not link or urlsplit(link).scheme not in ("http", "https") or len(link) > 2000:
        return ""
    return link


def _entries_write(feed: Feed, entries: list[_Entry], *, handled: set[int]) -> list[_Stored]:
    """Store a batch of entries: one lookup, one insert of new articles, one of feed links,
    the changed ones saved, then the new and changed ones tagged and clustered together."""
    known = _articles_known(feed, entries)
    now = timezone.now()
    results: list[_Stored] = []
    new: list[Article] = []
    changed_text: list[Article] = []
    edits: list[tuple[Article, list[str]]] = []
    for entry in entries:
        link = _usable_link(entry.parsed)
        if not link:
            results.append(_Stored(entry, skipped=(
                f"entry {entry.parsed.guid or entry.parsed.title!r} has no usable link to an "
                "article page"
            )))  # fmt: skip
            continue
        guid = entry.parsed.guid[:1000]
        title = (entry.parsed.title or "").strip()[:1000] or link[:1000]
        article = known.find(key=entry.url_key, link=link, guid=guid)
        if article is None:
            article = _article_new(feed, entry, link=link, guid=guid, title=title, now=now)
            known.add(article, key=entry.url_key, link=link, guid=guid)
            new.append(article)
            results.append(_Stored(entry, article, UpsertOutcome.NEW))
            continue
        if article.pk is None or article.pk in handled:
            results.append(_Stored(entry, article, UpsertOutcome.DUPLICATE))
            continue
        handled.add(article.pk)
        changed = _article_changes(article, entry.parsed, feed=feed, title=title, link=link)
        if changed:
            edits.append((article, changed))
            if "title" in changed or "summary" in changed:
                # The feed's text may be what dedupe compares: work it out again.
                article.content_hash, article.simhash = "", None
                changed_text.append(article)
        outcome = UpsertOutcome.UPDATED if changed else UpsertOutcome.DUPLICATE
        results.append(_Stored(entry, article, outcome))
    # Tags and fingerprints are found first, without the database; clustering takes its lock
    # (held until the batch commits, while other workers' batches wait) and gives the new
    # articles their cluster before their one insert. Rows are written only under the lock,
    # the order every clustering writer takes them in.
    analyzed = new + changed_text
    found = articles_tags(articles=analyzed)
    word_counts = articles_fingerprint(articles=analyzed)
    clustering_lock()
    for article, changed in edits:
        article.save(update_fields=[*changed, "updated_at"])
    recount = clusters_assign(articles=analyzed, locked=True, word_counts=word_counts)
    for article in new:
        article_stamp(article)
    if new:
        Article.objects.bulk_create(new)
    links = {
        r.article.pk: ArticleFeed(
            article=r.article, feed=feed, entry_guid=r.entry.parsed.guid[:1000]
        )
        for r in results
        if r.article is not None
    }
    # A second feed carrying a known story adds its link; a link already there stays as it is.
    ArticleFeed.objects.bulk_create(list(links.values()), ignore_conflicts=True)
    articles_mentions_write(articles=new, new=True, found=found[: len(new)], stamped=True)
    articles_mentions_write(articles=changed_text, found=found[len(new) :])
    # Tagged now: a story with no copy in its own words may have one in another language.
    recount |= articles_link_across_languages(articles=analyzed, found=found)
    clusters_recount(recount)
    return results


def _article_new(
    feed: Feed, entry: _Entry, *, link: str, guid: str, title: str, now: datetime
) -> Article:
    parsed = entry.parsed
    return Article(
        url=link,
        canonical_url=entry.canonical[:2000],
        url_hash=entry.url_key,
        guid=guid,
        source=feed.source,
        title=title,
        summary=parsed.summary_html,
        authors=parsed.authors[:20],
        language=(parsed.language or feed.source.language)[:10],
        # No plausible date: when it was first seen, and said so.
        published_at=parsed.published or now,
        published_unknown=parsed.published is None,
        published_given=parsed.published_given[:100],
        extraction_status=(
            ExtractionStatus.SKIPPED if entry.own_fragment else ExtractionStatus.PENDING
        ),
    )


def article_upsert(
    *,
    feed: Feed,
    entry: ParsedEntry,
    own_fragment: bool = False,
    handled: set[int] | None = None,
) -> tuple[Article, UpsertOutcome]:
    """One Article per canonical URL or guid; returns it and what storing the entry did.

    A batch of one through the path feeds take. `own_fragment`: the entry is one of several
    stories on a shared page, told apart by its #fragment; it keeps its feed text and its
    page is not fetched. `handled`: articles that an earlier entry of this fetch already
    spoke for; another entry for one is a duplicate.
    """
    usable = bool(_usable_link(entry))
    canonical = url_canonicalize(entry.link, keep_fragment=own_fragment) if usable else ""
    key = canonical_hash(canonical) if usable else ""
    with transaction.atomic():
        (stored,) = _entries_write(
            feed, [_Entry(entry, key, own_fragment, 0, canonical)], handled=set(handled or ())
        )
    if stored.skipped:
        raise EntrySkippedError(stored.skipped)
    assert stored.article is not None and stored.outcome is not None
    return stored.article, stored.outcome


def _article_changes(
    article: Article, entry: ParsedEntry, *, feed: Feed, title: str, link: str
) -> list[str]:
    """Apply what the entry says that the article does not yet; the names of changed fields."""
    changed = []
    if entry.title and title != article.title and title != link:
        if article.title not in article.earlier_titles:
            article.earlier_titles = [*article.earlier_titles, article.title]
        article.title = title
        changed += ["title", "earlier_titles"]
    if (
        entry.summary_html
        and entry.summary_html != article.summary
        and article.source_id == feed.source_id
    ):
        article.summary = entry.summary_html
        changed.append("summary")
    if entry.published and (article.published_at is None or article.published_unknown):
        article.published_at = entry.published
        article.published_unknown = False
        article.published_given = ""
        changed += ["published_at", "published_unknown", "published_given"]
    return changed


def article_analyze(*, article: Article, new: bool = False) -> None:
    """Dedupe and tag the article from the text it has now (page text, else feed summary)."""
    articles_analyze(articles=[article], new=new)


def articles_analyze(*, articles: list[Article], new: bool = False) -> None:
    """Tag and cluster saved articles from the text they have now."""
    if not articles:
        return
    found = articles_tags(articles=articles)
    with transaction.atomic():
        _articles_analyzed(articles=articles, found=found, new=new)


def _articles_analyzed(*, articles: list[Article], found: list[list[Found]], new: bool) -> None:
    """Cluster the tagged articles and write their mentions, in the caller's transaction."""
    recount = clusters_assign(articles=articles)
    # New articles have no mentions yet: the tagger need not read them first.
    articles_mentions_write(articles=articles, new=new, found=found)
    recount |= articles_link_across_languages(articles=articles, found=found)
    clusters_recount(recount)


def article_fetch_page(*, article: Article) -> PageOutcome:
    """Fetch the article's page through the one HTTP module, keep it, and process it.

    A failure that may pass is tried again later, TRACKER_PAGE_RETRY_DELAYS apart; after the
    last try, or at once for a failure that would only repeat, the article is marked failed.
    """
    attempts = article.page_attempts + 1
    try:
        result = fetch(article.url, accept=PAGE_ACCEPT)
    except FetchError as exc:
        return _page_failed(article, exc, attempts=attempts)
    raw_store(kind=RawKind.PAGE, result=result, url=article.url, article=article)
    Article.objects.filter(pk=article.pk).update(
        fetched_at=timezone.now(), page_attempts=attempts, page_retry_at=None
    )
    article.refresh_from_db()
    article_process(article=article)
    if article.extraction_status == ExtractionStatus.EXTRACTED:
        return PageOutcome.EXTRACTED
    return PageOutcome.FAILED


def _page_failed(article: Article, exc: FetchError, *, attempts: int) -> PageOutcome:
    delays = settings.TRACKER_PAGE_RETRY_DELAYS
    now = timezone.now()
    retry_at = None
    if not exc.transient:
        status = ExtractionStatus.FAILED
        error = (
            f"The page could not be fetched: {exc.message} (not retried: asking again would "
            "get the same answer)."
        )
    elif attempts > len(delays):
        status = ExtractionStatus.FAILED
        error = (
            f"The page could not be fetched after {attempts} attempts; the last one: {exc.message}."
        )
    else:
        status = ExtractionStatus.PENDING
        wait = max(delays[attempts - 1], min(exc.retry_after or 0, RETRY_AFTER_CEILING))
        retry_at = now + timedelta(seconds=wait)
        error = (
            f"The page could not be fetched (attempt {attempts} of {len(delays) + 1}): "
            f"{exc.message}. It will be tried again after {retry_at:%Y-%m-%d %H:%M} UTC."
        )
    Article.objects.filter(pk=article.pk).update(
        extraction_status=status,
        extraction_error=error,
        page_attempts=attempts,
        page_retry_at=retry_at,
    )
    article.extraction_status, article.extraction_error = status, error
    article.page_attempts, article.page_retry_at = attempts, retry_at
    return PageOutcome.RETRYING if status == ExtractionStatus.PENDING else PageOutcome.FAILED


def articles_refetch(*, articles: Iterable[Article]) -> list[int]:
    """Make the articles' pages due for fetching again, as if new (editors' request).

    Returns their ids; the caller queues the fetches. The pages of articles whose feed text
    is all there is (stories sharing one page) are not fetched.
    """
    ids = [a.pk for a in articles]
    pending = Article.objects.filter(pk__in=ids).exclude(extraction_status=ExtractionStatus.SKIPPED)
    ids = list(pending.values_list("pk", flat=True))
    pending.update(
        extraction_status=ExtractionStatus.PENDING,
        extraction_error="",
        page_attempts=0,
        page_retry_at=None,
    )
    return ids


def pages_lease_end() -> datetime:
    """Until when a queued page fetch is left to its task before it is queued again."""
    return timezone.now() + scheduling.claim_stale_after()


def _same_site(a: str, b: str) -> bool:
    return bool(a) and url_domain(a) == url_domain(b)


def _original_source(name: str) -> Source | None:
    name = name.strip()
    if not name:
        return None
    if "." in name and " " not in name:
        domain = url_domain(name if "://" in name else f"https://{name}")
        return Source.objects.filter(domain=domain).first()
    return Source.objects.filter(Q(name__iexact=name) | Q(domain__iexact=name)).first()


def _page_adopt(article: Article, extracted: "Extracted") -> None:
    """Take what the page says over what the feed said: text, title, date, byline, origin."""
    if extracted.text.strip():
        article.body = extracted.text
        article.extraction_status = ExtractionStatus.EXTRACTED
        article.extraction_error = ""
    else:
        article.extraction_status = ExtractionStatus.FAILED
        article.extraction_error = "No article text was found on the page."
    if not article.title and extracted.title:
        article.title = extracted.title[:1000]
    undated = article.published_at is None or article.published_unknown
    if undated and extracted.published and _plausible(extracted.published):
        # The page's own date replaces "first seen".
        article.published_at = extracted.published
        article.published_unknown = False
        article.published_given = ""
    # The page's own byline (meta, JSON-LD) is better than the feed's author field.
    article.authors = extracted.authors[:20] or article.authors
    article.site_name = (extracted.site_name or article.site_name)[:200]
    article.language = (extracted.language or article.language)[:10]
    if article.language and not article.source.language:
        source_guess_store(source=article.source, language=article.language)
    original = (extracted.original_source or "").strip()
    origin = _original_source(original)
    own = {article.source.name.lower(), article.source.domain.lower(), article.site_name.lower()}
    if origin == article.source or original.lower().removeprefix("www.") in own:
        # The page names its own outlet: not a republication.
        original, origin = "", None
    article.original_source_name = original[:200]
    article.original_source = origin


def article_process(*, article: Article) -> None:
    """Extract, dedupe and tag the article from its newest stored page; no network."""
    document = (
        RawDocument.objects.filter(article=article, kind=RawKind.PAGE)
        .order_by("-fetched_at", "-pk")
        .first()
    )
    if document is None:
        article_analyze(article=article)
        return
    from articles.ingestion.extraction import page_extract

    try:
        extracted = page_extract(html=raw_bytes(document), url=document.final_url or article.url)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        logger.exception("article %s: extraction failed", article.pk)
        article.extraction_status = ExtractionStatus.FAILED
        article.extraction_error = f"The page could not be read: {type(exc).__name__}: {exc}"
        article.save(update_fields=["extraction_status", "extraction_error", "updated_at"])
        article_analyze(article=article)
        return
    _page_adopt(article, extracted)
    _adopt_canonical(article, extracted.canonical_url)
    # The text changed: let dedupe work it out again from the new text.
    article.content_hash = ""
    article.simhash = None
    found = articles_tags(articles=[article])
    # The new text and its clustering are written together, under the clustering lock taken
    # before the row (the order every clustering writer takes them in): no other worker
    # ever sees the article without its fingerprint, which would let it start a second
    # cluster for the story.
    with transaction.atomic():
        clustering_lock()
        try:
            with transaction.atomic():
                article.save(update_fields=_PROCESSED_FIELDS)
        except IntegrityError:
            # Another row took that canonical URL meanwhile: keep the address we had.
            stored = Article.objects.values("canonical_url", "url_hash").get(pk=article.pk)
            article.canonical_url, article.url_hash = stored["canonical_url"], stored["url_hash"]
            article.save(update_fields=_PROCESSED_FIELDS)
        _articles_analyzed(articles=[article], found=found, new=False)


# What processing a page may change; the cluster is clustering's to write, under its lock.
_PROCESSED_FIELDS = [
    "body", "extraction_status", "extraction_error", "title", "published_at",
    "published_unknown", "published_given", "authors", "site_name", "language",
    "original_source_name", "original_source", "canonical_url", "url_hash", "content_hash",
    "simhash", "updated_at",
]  # fmt: skip


def _adopt_canonical(article: Article, page_canonical: str) -> None:
    """Take the page's own canonical URL as identity when it is on the article's site.

    A canonical on another domain means republication (recorded as original_source), not a
    new address for this copy. If another article already holds that URL, both rows stay:
    merging would move editors' work between rows, and dedupe already puts both copies in
    one story cluster because their text is the same.
    """
    if not page_canonical or urlsplit(page_canonical).scheme not in ("http", "https"):
        return
    if not (
        _same_site(page_canonical, article.url)
        or _same_site(page_canonical, f"https://{article.source.domain}/")
    ):
        return
    full = url_canonicalize(page_canonical)
    canonical, key = full[:2000], canonical_hash(full)
    if key == article.url_hash:
        return
    if Article.objects.filter(url_hash=key).exclude(pk=article.pk).exists():
        return
    article.canonical_url = canonical
    article.url_hash = key


def _plausible(when: datetime) -> bool:
    return EARLIEST_DATE <= when <= timezone.now() + FUTURE_SLACK


def articles_pending(*, feed_ids: Iterable[int] | None = None, limit: int = 500) -> list[int]:
    """Ids of articles whose page is due to be fetched (first time or again), oldest first."""
    query = Article.objects.filter(
        Q(page_retry_at__isnull=True) | Q(page_retry_at__lte=timezone.now()),
        extraction_status=ExtractionStatus.PENDING,
    )
    if feed_ids is not None:
        query = query.filter(feed_links__feed_id__in=list(feed_ids))
    return list(query.order_by("pk").values_list("pk", flat=True).distinct()[:limit])


# Synchronous runs (the ingest and load_demo commands) ---------------------------------------


@dataclass
class IngestSummary(PageCounts):
    feeds_ok: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    entries_skipped: int = 0
    entries_failed: int = 0
    entries_left: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, report: FeedFetchReport) -> None:
        self.new += report.new
        self.updated += report.updated
        self.duplicate += report.duplicate
        self.entries_skipped += report.skipped
        self.entries_failed += report.failed
        self.entries_left += report.left

    def line(self) -> str:
        busy = f" ({self.feeds_skipped} busy elsewhere)" if self.feeds_skipped else ""
        entries = "".join(
            f", {text}"
            for n, text in [
                (self.entries_skipped, f"{self.entries_skipped} without a link"),
                (self.entries_failed, f"{_entries(self.entries_failed)} failed"),
                (self.entries_left, f"{_entries(self.entries_left)} left for the next run"),
            ]
            if n
        )
        retrying = f", {self.pages_retrying} to retry" if self.pages_retrying else ""
        return (
            f"feeds: {self.feeds_ok} ok, {self.feeds_failed} failed{busy}; "
            f"entries: {self.new} new, {self.updated} updated, {self.duplicate} duplicate"
            f"{entries}; pages: {self.pages_extracted} extracted, {self.pages_failed} failed"
            f"{retrying}"
        )


def feeds_ingest(
    *,
    feeds: Iterable[Feed],
    force: bool = False,
    fetch_pages: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> IngestSummary:
    """Fetch the feeds one by one, then the pages still waiting; one failure stops nothing."""
    feeds = list(feeds)
    summary = IngestSummary()
    for number, feed in enumerate(feeds, start=1):
        if progress:
            progress(number, len(feeds), f"feed {feed.pk}")
        report = feed_fetch(feed=feed, fetch_pages=False, force=force)
        if not report.claimed:
            summary.feeds_skipped += 1
            continue
        if report.ok:
            summary.feeds_ok += 1
        else:
            summary.feeds_failed += 1
            summary.errors.append(f"feed {feed.pk} ({feed.url}): {report.error}")
        summary.add(report)
    if fetch_pages and settings.TRACKER_FETCH_PAGES:
        pending = articles_pending(feed_ids=[feed.pk for feed in feeds])
        for number, article in enumerate(
            Article.objects.filter(pk__in=pending).select_related("source").order_by("pk"),
            start=1,
        ):
            if progress:
                progress(number, len(pending), f"page {article.pk}")
            summary.count_page(article_fetch_page(article=article))
    return summary
