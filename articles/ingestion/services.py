"""Writes of the ingestion pipeline: adding feeds, fetching them, storing their entries as
articles, fetching and processing article pages, and keeping the raw bytes of all of it.

Every function here is safe to run twice: identity is held by unique constraints, and a
feed is claimed with a conditional UPDATE before it is fetched.
"""

import gzip
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from articles.ingestion import scheduling
from articles.ingestion.canonical import url_canonicalize, url_domain, url_hash
from articles.ingestion.fetching import FetchError, FetchResult, fetch
from articles.ingestion.parsing import ParsedEntry, ParsedFeed, feed_parse
from articles.models import (
    Article,
    ArticleFeed,
    ExtractionStatus,
    Feed,
    FeedState,
    RawDocument,
    RawKind,
    Source,
)

logger = logging.getLogger(__name__)

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


@dataclass
class FeedAddResult:
    feed: Feed
    created: bool
    entries_found: int
    title: str
    message: str


@dataclass
class FeedFetchReport:
    feed_id: int
    claimed: bool = True
    ok: bool = False
    not_modified: bool = False
    error: str = ""
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    skipped: int = 0
    pages_extracted: int = 0
    pages_failed: int = 0
    pending_article_ids: list[int] = field(default_factory=list)


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
    cap = int(getattr(settings, "TRACKER_RAW_MAX_BYTES", settings.TRACKER_MAX_BODY_BYTES))
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
        headers={k: v[:500] for k, v in result.headers.items()},
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
    source, _ = Source.objects.get_or_create(
        domain=domain[:253], defaults={"name": (name or domain)[:200]}
    )
    if name and source.name == source.domain:
        source.name = name[:200]
        source.save(update_fields=["name"])
    return source


def _validate_url(url: str) -> str:
    url = url.strip()
    if url and "://" not in url:
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise FeedAddError(f"{url!r} is not a web address (expected http:// or https://)") from exc
    return url


def _feed_links(html: bytes, base: str) -> list[str]:
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
    if parsed.language and not source.language:
        source.language = parsed.language[:10]
        source.save(update_fields=["language"])
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
    note = f" (warning: {parsed.bozo_message})" if parsed.bozo_message else ""
    verb = "Added" if created else "Already following"
    return FeedAddResult(
        feed=feed,
        created=created,
        entries_found=found,
        title=parsed.title,
        message=f"{verb} feed {feed.pk}: {parsed.title or url} — {found} entries found{note}.",
    )


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
    """Claim, fetch, keep the bytes, parse, upsert entries and schedule the next fetch.

    Never raises for a bad feed: the failure goes to feed.last_error in plain words.
    """
    report = FeedFetchReport(feed_id=feed.pk)
    if not scheduling.feed_claim(feed_id=feed.pk, token=token, force=force):
        report.claimed = False
        return report
    feed.refresh_from_db()
    try:
        _feed_fetch_claimed(feed, report)
    except Exception as exc:
        # A bug or a database hiccup must not leave the feed claimed for good.
        logger.exception("feed %s: unexpected error", feed.pk)
        report.ok = False
        report.error = f"internal error while reading the feed ({type(exc).__name__}: {exc})"
        _feed_failed(feed, message=report.error, status=None, retry_after=None, permanent=False)
    _feed_save(feed)
    if fetch_pages and settings.TRACKER_FETCH_PAGES:
        for article in Article.objects.filter(pk__in=report.pending_article_ids):
            if article_fetch_page(article=article):
                report.pages_extracted += 1
            else:
                report.pages_failed += 1
    return report


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
    from articles.tagging.kb import knowledge_base_pinned

    # The tagger checks its knowledge base for changes once per feed, not once per entry.
    with knowledge_base_pinned():
        for entry in parsed.entries:
            try:
                article, outcome = article_upsert(feed=feed, entry=entry)
            except EntrySkippedError:
                report.skipped += 1
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            if article.extraction_status == ExtractionStatus.PENDING:
                report.pending_article_ids.append(article.pk)
    report.ok = True
    _feed_succeeded(feed, result=result, parsed=parsed, now=now)
    if parsed.bozo_message:
        # Readable despite flaws: say so, without counting it as a failure.
        feed.last_error = f"read with problems: {parsed.bozo_message}"
        feed.last_error_at = now


def _feed_succeeded(
    feed: Feed, *, result: FetchResult, parsed: ParsedFeed | None, now: datetime
) -> None:
    published = [e.published for e in parsed.entries if e.published] if parsed else []
    recent = [
        published_at
        for published_at in ArticleFeed.objects.filter(
            feed=feed, article__published_at__isnull=False
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
    feed.etag = result.headers.get("etag", feed.etag)[:500]
    feed.last_modified = result.headers.get("last-modified", feed.last_modified)[:100]
    if parsed and parsed.title and not feed.title:
        feed.title = parsed.title[:300]


# Articles ---------------------------------------------------------------------------------


def _article_find(*, url_key: str, link: str, source: Source, guid: str) -> Article | None:
    # The feed's link also counts: after a page fetch the page's own canonical URL may have
    # become the identity, and other feeds still give the old link.
    match = Q(url_hash=url_key) | Q(url=link)
    if guid:
        # Spelling out the unique constraint's condition (guid not empty) lets SQLite use its
        # partial index instead of scanning every article of the source.
        match |= Q(source=source, guid=guid) & ~Q(guid="")
    return Article.objects.filter(match).order_by("pk").first()


def _link_feed(article: Article, feed: Feed, guid: str) -> bool:
    try:
        with transaction.atomic():
            _, created = ArticleFeed.objects.get_or_create(
                article=article, feed=feed, defaults={"entry_guid": guid[:1000]}
            )
    except IntegrityError:
        created = False
    return created


def article_upsert(*, feed: Feed, entry: ParsedEntry) -> tuple[Article, str]:
    """One Article per canonical URL or guid; returns it and "new", "updated" or "duplicate"."""
    link = entry.link.strip()
    if not link or urlsplit(link).scheme not in ("http", "https") or len(link) > 2000:
        raise EntrySkippedError(f"entry {entry.guid or entry.title!r} has no usable link")
    canonical = url_canonicalize(link)
    url_key = url_hash(link)
    guid = entry.guid[:1000]
    title = (entry.title or "").strip()[:1000] or link[:1000]
    article = _article_find(url_key=url_key, link=link, source=feed.source, guid=guid)
    if article is None:
        article = Article(
            url=link,
            canonical_url=canonical,
            url_hash=url_key,
            guid=guid,
            source=feed.source,
            title=title,
            summary=entry.summary_html,
            authors=entry.authors[:20],
            language=(entry.language or feed.source.language)[:10],
            published_at=entry.published,
        )
        try:
            with transaction.atomic():
                article.save()
                ArticleFeed.objects.create(article=article, feed=feed, entry_guid=guid)
        except IntegrityError:
            # Another worker stored the same story a moment ago: continue with theirs.
            found = _article_find(url_key=url_key, link=link, source=feed.source, guid=guid)
            if found is None:
                raise
            article = found
        else:
            article_analyze(article=article, new=True)
            return article, "new"
    _link_feed(article, feed, guid)
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
    if entry.published and article.published_at is None:
        article.published_at = entry.published
        changed.append("published_at")
    if changed:
        article.save(update_fields=[*changed, "updated_at"])
        if "title" in changed or "summary" in changed:
            article_analyze(article=article)
        return article, "updated"
    # A second feed carrying a known story, or the same entry seen again: nothing new.
    return article, "duplicate"


def article_analyze(*, article: Article, new: bool = False) -> None:
    """Dedupe and tag the article from the text it has now (page text, else feed summary)."""
    from articles.ingestion.dedupe import article_cluster
    from articles.tagging.tagger import article_mentions_write

    # A new article has no mentions yet: the tagger need not read them first. Tagging comes
    # first so that clustering can find the same story in another language by its entities.
    article_mentions_write(article=article, new=new)
    article_cluster(article=article)


def article_fetch_page(*, article: Article) -> bool:
    """Fetch the article's page through the one HTTP module, keep it, and process it."""
    try:
        result = fetch(article.url, accept=PAGE_ACCEPT)
    except FetchError as exc:
        Article.objects.filter(pk=article.pk).update(
            extraction_status=ExtractionStatus.FAILED,
            extraction_error=f"The page could not be fetched: {exc.message}",
        )
        article.extraction_status = ExtractionStatus.FAILED
        return False
    raw_store(kind=RawKind.PAGE, result=result, url=article.url, article=article)
    Article.objects.filter(pk=article.pk).update(fetched_at=timezone.now())
    article.refresh_from_db()
    article_process(article=article)
    return article.extraction_status == ExtractionStatus.EXTRACTED


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


def article_process(*, article: Article) -> None:
    """Extract, dedupe and tag the article from its newest stored page; no network."""
    from articles.ingestion.extraction import page_extract

    document = (
        RawDocument.objects.filter(article=article, kind=RawKind.PAGE)
        .order_by("-fetched_at", "-pk")
        .first()
    )
    if document is None:
        article_analyze(article=article)
        return
    try:
        extracted = page_extract(html=raw_bytes(document), url=document.final_url or article.url)
    except Exception as exc:
        logger.exception("article %s: extraction failed", article.pk)
        article.extraction_status = ExtractionStatus.FAILED
        article.extraction_error = f"The page could not be read: {type(exc).__name__}: {exc}"
        article.save(update_fields=["extraction_status", "extraction_error", "updated_at"])
        article_analyze(article=article)
        return
    if extracted.text.strip():
        article.body = extracted.text
        article.extraction_status = ExtractionStatus.EXTRACTED
        article.extraction_error = ""
    else:
        article.extraction_status = ExtractionStatus.FAILED
        article.extraction_error = "No article text was found on the page."
    if not article.title and extracted.title:
        article.title = extracted.title[:1000]
    article.published_at = article.published_at or extracted.published
    article.authors = article.authors or extracted.authors[:20]
    article.site_name = (extracted.site_name or article.site_name)[:200]
    article.language = (extracted.language or article.language)[:10]
    original = (extracted.original_source or "").strip()
    origin = _original_source(original)
    own = {article.source.name.lower(), article.source.domain.lower(), article.site_name.lower()}
    if origin == article.source or original.lower().removeprefix("www.") in own:
        # The page names its own outlet: not a republication.
        original, origin = "", None
    article.original_source_name = original[:200]
    article.original_source = origin
    _adopt_canonical(article, extracted.canonical_url)
    # The text changed: let dedupe work it out again from the new text.
    article.content_hash = ""
    article.simhash = None
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        # Another row took that canonical URL meanwhile: keep the address we had.
        stored = Article.objects.values("canonical_url", "url_hash").get(pk=article.pk)
        article.canonical_url, article.url_hash = stored["canonical_url"], stored["url_hash"]
        article.save()
    article_analyze(article=article)


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
    canonical = url_canonicalize(page_canonical)[:2000]
    key = url_hash(page_canonical)
    if key == article.url_hash:
        return
    if Article.objects.filter(url_hash=key).exclude(pk=article.pk).exists():
        return
    article.canonical_url = canonical
    article.url_hash = key


def articles_pending(*, feed_ids: Iterable[int] | None = None, limit: int = 500) -> list[int]:
    """Ids of articles whose page has not been fetched yet, oldest first."""
    query = Article.objects.filter(extraction_status=ExtractionStatus.PENDING)
    if feed_ids is not None:
        query = query.filter(feed_links__feed_id__in=list(feed_ids))
    return list(query.order_by("pk").values_list("pk", flat=True).distinct()[:limit])


# Synchronous runs (the ingest and load_demo commands) ---------------------------------------


@dataclass
class IngestSummary:
    feeds_ok: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    pages_extracted: int = 0
    pages_failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        skipped = f" ({self.feeds_skipped} busy elsewhere)" if self.feeds_skipped else ""
        return (
            f"feeds: {self.feeds_ok} ok, {self.feeds_failed} failed{skipped}; "
            f"entries: {self.new} new, {self.updated} updated, {self.duplicate} duplicate; "
            f"pages: {self.pages_extracted} extracted, {self.pages_failed} failed"
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
        summary.new += report.new
        summary.updated += report.updated
        summary.duplicate += report.duplicate
    if fetch_pages and settings.TRACKER_FETCH_PAGES:
        pending = articles_pending(feed_ids=[feed.pk for feed in feeds])
        for number, article in enumerate(
            Article.objects.filter(pk__in=pending).select_related("source").order_by("pk"),
            start=1,
        ):
            if progress:
                progress(number, len(pending), f"page {article.pk}")
            if article_fetch_page(article=article):
                summary.pages_extracted += 1
            else:
                summary.pages_failed += 1
    return summary
