"""Story clusters: syndicated copies and light rewrites of one story, across outlets.

An article joins a cluster when another article has the same normalised text (content hash)
or a SimHash over word 4-shingles within `NEAR_DUPLICATE_BITS` of it, published within
`WINDOW` of it. Candidates are compared in Python over the window's simhashes: a few thousand
articles a fortnight is cheap; beyond some hundred thousand a window, use banded LSH columns.
"""

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Min, Q

from articles.models import Article, StoryCluster

# Measured on the paragraphs in tests/articles/test_dedupe.py: a syndicated copy with a
# dateline and a trailer differs by 8 bits, a light rewrite by 12, a different story on the
# same topic by 27 (unrelated texts: 32 on average, and 14 or fewer about once in 300,000).
NEAR_DUPLICATE_BITS = 14
WINDOW = timedelta(days=7)
MIN_TOKENS_EXACT = 8  # below this, equal text ("Live updates") says nothing about the story
MIN_TOKENS_NEAR = 40  # below this, a simhash is too noisy to trust
SHINGLE = 4
# pg_advisory_xact_lock key of story clustering: "STORYCLU" in ASCII.
CLUSTERING_LOCK = 0x53544F5259434C55

_WORD = re.compile(r"\w+", re.UNICODE)
_TAGS = re.compile(r"<[^>]+>")
_MASK = (1 << 64) - 1


@functools.cache
def _combining() -> re.Pattern[str]:
    """Every code point that unicodedata.combining() calls combining, as one class."""
    marks = "".join(re.escape(chr(c)) for c in range(0x110000) if unicodedata.combining(chr(c)))
    return re.compile(f"[{marks}]")


def _tokens(text: str) -> list[str]:
    folded = text.lower()
    if not folded.isascii():
        # Accents folded: decomposed, then every combining mark dropped.
        folded = _combining().sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded.replace("_", " "))


def content_hash(text: str) -> str:
    """SHA-256 of the text lower-cased, accents folded, punctuation and spacing collapsed."""
    return _tokens_hash(_tokens(text))


def _tokens_hash(tokens: list[str]) -> str:
    return hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest()


def text_simhash(text: str) -> int:
    """64-bit SimHash over word 4-shingles, as a signed integer (fits a BigIntegerField)."""
    return _tokens_simhash(_tokens(text))


def _tokens_simhash(tokens: list[str]) -> int:
    if len(tokens) < SHINGLE:
        grams = [" ".join(tokens)] if tokens else []
    else:
        grams = [" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)]
    if not grams:
        return 0
    # Column-wise bit counts over the shingles' 64-bit hashes, done by str.count in C.
    rows = [
        format(int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest()), "064b")
        for g in grams
    ]
    half = len(rows) / 2
    bits = "".join(
        "1" if "".join(col).count("1") > half else "0" for col in zip(*rows, strict=True)
    )
    unsigned = int(bits, 2)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK).bit_count()


def article_text(article: Article) -> str:
    """The text dedupe compares: the page's text, else the feed's title and summary."""
    if article.body.strip():
        return article.body
    summary = html.unescape(_TAGS.sub(" ", article.summary or ""))
    return f"{article.title}\n{summary}"


def article_cluster(*, article: Article) -> StoryCluster:
    """Put the article in its story's cluster (found by hash or near-duplicate) or a new one."""
    return articles_cluster(articles=[article])[0]


@dataclass
class _Fingerprint:
    """What clustering compares of one article, already in the database or of this batch."""

    pk: int | None  # None: new in this batch
    cluster_id: int | None
    content_hash: str
    simhash: int | None
    when: datetime  # published_at, else created_at


def articles_cluster(*, articles: Sequence[Article]) -> list[StoryCluster]:
    """Put each saved article in its story's cluster or a new one, in order; their clusters."""
    with transaction.atomic():
        clusters_recount(clusters_assign(articles=articles))
        clusters = StoryCluster.objects.in_bulk({a.cluster_id for a in articles})
    for article in articles:
        article.cluster = clusters[article.cluster_id]
    return [clusters[a.cluster_id] for a in articles]  # type: ignore[index]


# Longer than most (about 70 lines), on purpose: one pass over the batch in order, where each
# article's match depends on the ones placed before it; split up, the pieces would pass
# five accumulators (placed, targets, fresh, shared, previous ids) back and forth.
def clusters_assign(*, articles: Sequence[Article]) -> set[int]:
    """Give each article, in order, its story's cluster or a new one; returns the clusters
    that existed before and gained or lost members, to recount once the articles are written.

    Articles not saved yet get their hashes and cluster on the instance, for their insert;
    saved ones are updated in one statement. The window's fingerprints are read in one query
    for the batch, and the batch's articles are candidates for the ones after them. Clustering
    takes a lock held until the transaction commits (see `clustering_lock`): write the batch
    right after, and commit.
    """
    if not articles:
        return set()
    tokens = [_tokens(article_text(article)) for article in articles]
    for article, words in zip(articles, tokens, strict=True):
        if not article.content_hash:
            article.content_hash = _tokens_hash(words)
        if article.simhash is None:
            article.simhash = _tokens_simhash(words)
    clustering_lock()
    saved = [a for a in articles if a.pk is not None]
    batch_ids = {a.pk for a in saved}
    exact = _exact_candidates(articles, tokens, batch_ids)
    near = _near_candidates(articles, tokens, batch_ids)
    previous_ids = {a.cluster_id for a in saved if a.cluster_id is not None}
    # Earlier clusters that have members outside this batch stay theirs.
    shared = (
        set(
            Article.objects.filter(cluster_id__in=previous_ids)
            .exclude(pk__in=batch_ids)
            .values_list("cluster_id", flat=True)
            .distinct()
        )
        if previous_ids
        else set()
    )
    placed: list[_Fingerprint] = []  # this batch's articles, once they have a cluster
    targets: list[int] = []  # each article's cluster id; -n for the n-th new cluster
    fresh: list[StoryCluster] = []
    for article, words in zip(articles, tokens, strict=True):
        target = _match(article, len(words), exact + placed, near + placed)
        previous = article.cluster_id if article.pk is not None else None
        if (
            target is None
            and previous is not None
            and previous not in shared
            and not any(f.cluster_id == previous for f in placed)
        ):
            target = previous  # alone in its cluster: it keeps it
        if target is None:
            fresh.append(StoryCluster(first_published_at=_when(article), size=0))
            target = -len(fresh)
        if target < 0:
            # A cluster new in this batch: its size and date are known here.
            cluster, when = fresh[-target - 1], _when(article)
            first = cluster.first_published_at
            cluster.size += 1
            cluster.first_published_at = when if first is None else min(first, when)
        targets.append(target)
        placed.append(
            _Fingerprint(article.pk, target, article.content_hash, article.simhash,
                         _when(article))
        )  # fmt: skip
    created = {-(n + 1): c.pk for n, c in enumerate(StoryCluster.objects.bulk_create(fresh))}
    moved = []
    for article, target in zip(articles, targets, strict=True):
        article.cluster_id = created.get(target, target)
        if article.pk is not None:
            moved.append(article)
    if moved:
        # One statement for the saved ones: hashes and cluster together.
        Article.objects.bulk_update(moved, ["content_hash", "simhash", "cluster_id"])
    # Clusters that were there before: joined, kept or left. New ones are already right.
    return {t for t in targets if t > 0} | previous_ids


def clusters_recount(ids: set[int]) -> None:
    """Size and earliest publication of each cluster from its members; emptied ones deleted."""
    if not ids:
        return
    stats = {
        row["cluster_id"]: row
        for row in Article.objects.filter(cluster_id__in=ids)
        .values("cluster_id")
        .annotate(first=Min("published_at"), created=Min("created_at"), size=Count("pk"))
    }
    empty = ids - stats.keys()
    if empty:
        StoryCluster.objects.filter(pk__in=empty).delete()
    changed = []
    for cluster in StoryCluster.objects.filter(pk__in=stats.keys()):
        row = stats[cluster.pk]
        first = row["first"] or row["created"]
        if cluster.size != row["size"] or cluster.first_published_at != first:
            cluster.size, cluster.first_published_at = row["size"], first
            changed.append(cluster)
    if changed:
        StoryCluster.objects.bulk_update(changed, ["size", "first_published_at"])


def clustering_lock() -> None:
    """Take the story-clustering lock for the rest of the transaction (PostgreSQL).

    Two workers clustering copies of one story at once would each see no cluster and create
    one apiece. The lock makes the second wait until the first has committed, and then see
    its cluster. It is one lock for all clustering: copies of a story fall anywhere in a
    fortnight's window, and a news day's articles all share one, so finer buckets would buy
    nothing. SQLite takes one writer at a time and runs the tasks in-process; it needs none.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLUSTERING_LOCK])


def _exact_candidates(
    articles: Sequence[Article], tokens: list[list[str]], batch_ids: set[int]
) -> list[_Fingerprint]:
    hashes = {
        a.content_hash for a, w in zip(articles, tokens, strict=True) if len(w) >= MIN_TOKENS_EXACT
    }
    if not hashes:
        return []
    rows = (
        Article.objects.filter(content_hash__in=hashes, cluster__isnull=False)
        .exclude(pk__in=batch_ids)
        .values_list("pk", "cluster_id", "content_hash", "published_at", "created_at")
    )
    return [_Fingerprint(pk, c, h, None, p or made) for pk, c, h, p, made in rows]


def _near_candidates(
    articles: Sequence[Article], tokens: list[list[str]], batch_ids: set[int]
) -> list[_Fingerprint]:
    """Fingerprints of the clustered articles in the windows of the batch, in one query."""
    spans = sorted(
        _window(_when(a))
        for a, w in zip(articles, tokens, strict=True)
        if len(w) >= MIN_TOKENS_NEAR and a.simhash is not None
    )
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    if not merged:
        return []
    window = Q()
    for span in merged:
        window |= Q(published_at__range=span) | Q(published_at__isnull=True, created_at__range=span)
    # Five small values a row, a fortnight of articles: fetched at once. (.iterator() meant a
    # server-side cursor on PostgreSQL, three round trips per article.)
    rows = (
        Article.objects.filter(window, cluster__isnull=False, simhash__isnull=False)
        .exclude(pk__in=batch_ids)
        .values_list("pk", "cluster_id", "simhash", "published_at", "created_at")
    )
    return [_Fingerprint(pk, c, "", h, p or made) for pk, c, h, p, made in rows]


def _match(
    article: Article, token_count: int, exact: list[_Fingerprint], near: list[_Fingerprint]
) -> int | None:
    """The cluster of the earliest exact copy, else of the nearest near-duplicate in the window."""
    if token_count < MIN_TOKENS_EXACT:
        return None
    copies = [f for f in exact if f.content_hash == article.content_hash]
    if copies:
        return min(copies, key=lambda f: (f.when, f.pk)).cluster_id
    if token_count < MIN_TOKENS_NEAR or article.simhash is None:
        return None
    start, end = _window(_when(article))
    simhash: int = article.simhash
    best: tuple[int, int | None] | None = None
    for other in near:
        if other.simhash is None or not start <= other.when <= end:
            continue
        distance = hamming(simhash, other.simhash)
        if distance <= NEAR_DUPLICATE_BITS and (best is None or distance < best[0]):
            best = (distance, other.cluster_id)
    return best[1] if best else None


def _when(article: Article) -> datetime:
    return article.published_at or article.created_at


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _window(when: datetime) -> tuple[datetime, datetime]:
    """`when` ± WINDOW, cut at the ends of the calendar (an editor may type year 1 or 9999)."""
    start = when - WINDOW if when - _EARLIEST > WINDOW else _EARLIEST
    end = when + WINDOW if _LATEST - when > WINDOW else _LATEST
    return start, end
