"""Story clusters: syndicated copies and light rewrites of one story, across outlets.

An article joins a cluster when another article has the same normalised text (content hash)
or a SimHash over word 4-shingles within `NEAR_DUPLICATE_BITS` of it, published within
`WINDOW` of it. An article near members of several clusters joins them into one (the one
with the most stored members keeps its id, as every article moved is a row rewritten with all
its indexes): nearness is not transitive, and without that the clusters of a story would
depend on the order its copies arrived in, which several workers make arbitrary. Candidates
are compared in Python over the window's simhashes, read once per batch and bit-counted all
at once as one packed integer: a few thousand articles a fortnight is cheap; beyond some
hundred thousand a window, use banded LSH columns.
"""

import hashlib
import html
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Func, Min, Value
from django.db.models.functions import Coalesce

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


class _CombiningMarks(dict[int, int | None]):
    """str.translate's table dropping combining marks, filled in as characters are met.

    Building it for all 1.1 million code points took a fifth of a second of a worker's first
    batch; news text meets a few hundred of them.
    """

    def __missing__(self, code: int) -> int | None:
        # None drops the character; the code point itself keeps it.
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_COMBINING = _CombiningMarks()


def _tokens(text: str) -> list[str]:
    folded = text.lower()
    if not folded.isascii():
        # Accents folded: decomposed, then every combining mark dropped.
        folded = unicodedata.normalize("NFKD", folded).translate(_COMBINING)
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
    # Column-wise bit counts over the shingles' 64-bit hashes: the hashes' n-th bytes side by
    # side (one slice), each bit of them mapped to 0 or 1 and counted, all at C speed.
    blake2b = hashlib.blake2b
    digests = b"".join(blake2b(gram.encode("utf-8"), digest_size=8).digest() for gram in grams)
    half = len(grams) / 2
    unsigned = 0
    for position in range(8):
        column = digests[position::8]
        for bit in _BITS:
            unsigned = unsigned << 1 | (column.translate(bit).count(1) > half)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


# For each bit of a byte, most significant first: a table mapping every byte to that bit.
_BITS = [bytes(value >> (7 - i) & 1 for value in range(256)) for i in range(8)]


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
    when: int  # published_at, else created_at, in microseconds (see _micros)


def articles_cluster(*, articles: Sequence[Article]) -> list[StoryCluster]:
    """Put each saved article in its story's cluster or a new one, in order; their clusters."""
    with transaction.atomic():
        clusters_recount(clusters_assign(articles=articles))
        clusters = StoryCluster.objects.in_bulk({a.cluster_id for a in articles})
    for article in articles:
        article.cluster = clusters[article.cluster_id]
    return [clusters[a.cluster_id] for a in articles]  # type: ignore[index]


def articles_fingerprint(*, articles: Sequence[Article]) -> list[int]:
    """Give each article its content hash and simhash where it has none; its word counts."""
    counts = []
    for article in articles:
        words = _tokens(article_text(article))
        if not article.content_hash:
            article.content_hash = _tokens_hash(words)
        if article.simhash is None:
            article.simhash = _tokens_simhash(words)
        counts.append(len(words))
    return counts


# Longer than most (about 70 lines), on purpose: one pass over the batch in order, where each
# article's match depends on the ones placed before it; split up, the pieces would pass
# five accumulators (placed, targets, fresh, shared, previous ids) back and forth.
def clusters_assign(
    *, articles: Sequence[Article], locked: bool = False, word_counts: list[int] | None = None
) -> set[int]:
    """Give each article, in order, its story's cluster or a new one; returns the clusters
    that existed before and gained or lost members, to recount once the articles are written.

    Articles not saved yet get their hashes and cluster on the instance, for their insert;
    saved ones are updated in one statement. The copies and the window's fingerprints are
    read in one query for the batch, and the batch's articles are candidates for the ones
    after them. Clustering takes a lock held until the transaction commits (see
    `clustering_lock`; `locked`: the caller took it in this transaction): write the batch
    right after, and commit. A caller holding the lock passes `word_counts` from
    `articles_fingerprint`, called before it took the lock: hashing needs no database, and
    every other worker's clustering waits while the lock is held.
    """
    if not articles:
        return set()
    if word_counts is None:
        word_counts = articles_fingerprint(articles=articles)
    if not locked:
        clustering_lock()
    saved = [a for a in articles if a.pk is not None]
    batch_ids = {a.pk for a in saved}
    if saved:
        # Read under the lock: another worker may have joined an article's cluster to
        # another since the caller read the article.
        now_in = dict(Article.objects.filter(pk__in=batch_ids).values_list("pk", "cluster_id"))
        for article in saved:
            article.cluster_id = now_in.get(article.pk, article.cluster_id)
    stored = _candidates(articles, word_counts, batch_ids)
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
    merged: dict[int, int] = {}  # a cluster joined to another: its id -> the other's
    for article, words in zip(articles, word_counts, strict=True):
        matches = _matches(article, words, stored, placed)
        clusters = list(dict.fromkeys(_root(merged, c) for c in matches))
        target = min(clusters, key=_seniority) if clusters else None
        # Nearness is not transitive: a copy near two clusters' members (written in another
        # order, or by another worker) joins them, so copies of one story end in one cluster
        # whatever order they came in.
        for other in clusters:
            if target is not None and other != target:
                merged[other] = target
        previous = article.cluster_id if article.pk is not None else None
        if (
            target is None
            and previous is not None
            and previous not in shared
            and previous not in merged
            and not any(f.cluster_id and _root(merged, f.cluster_id) == previous for f in placed)
        ):
            target = previous  # alone in its cluster: it keeps it
        if target is None:
            target = min([0, *targets, *merged]) - 1
        targets.append(target)
        placed.append(
            _Fingerprint(article.pk, target, article.content_hash, article.simhash,
                         _micros(_when(article)))
        )  # fmt: skip
    merged = _keepers(merged, batch_ids)
    targets = [_root(merged, t) for t in targets]
    # New clusters, one per new id still in use: size and date from their members here.
    fresh: dict[int, StoryCluster] = {}
    for article, target in zip(articles, targets, strict=True):
        if target < 0:
            cluster = fresh.setdefault(target, StoryCluster(size=0))
            first, when = cluster.first_published_at, _when(article)
            cluster.size += 1
            cluster.first_published_at = when if first is None else min(first, when)
    created = dict(zip(fresh, StoryCluster.objects.bulk_create(fresh.values()), strict=True))
    joined = {c for c in merged if c > 0}
    for survivor in {_root(merged, c) for c in joined}:
        # Members outside the batch of the clusters joined to it (batch members come below).
        Article.objects.filter(
            cluster_id__in=[c for c in joined if _root(merged, c) == survivor]
        ).update(cluster_id=survivor)
    moved = []
    for article, target in zip(articles, targets, strict=True):
        article.cluster_id = created[target].pk if target < 0 else target
        if article.pk is not None:
            moved.append(article)
    if moved:
        # One statement for the saved ones: hashes and cluster together.
        Article.objects.bulk_update(moved, ["content_hash", "simhash", "cluster_id"])
    # Clusters that were there before: joined, kept, left or emptied. New ones are right.
    return {t for t in targets if t > 0} | previous_ids | joined


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


class _Candidates:
    """The stored fingerprints a batch is compared with: its copies (same content hash, any
    date) and the clustered articles in the windows of its articles, sorted by date."""

    def __init__(
        self, clusters_by_hash: dict[str, list[int]], near: list[tuple[int, int, int]]
    ) -> None:
        near.sort(key=lambda row: row[0])
        self.clusters_by_hash = clusters_by_hash
        self.whens: list[int] = [row[0] for row in near]
        self.clusters: list[int] = [row[2] for row in near]
        # The simhashes side by side in one integer, 64 bits each, the first lowest.
        self.packed = int.from_bytes(
            b"".join((row[1] & _MASK).to_bytes(8, "little") for row in near), "little"
        )
        # The constants of the bit count below, in as many lanes as there are fingerprints.
        self.ones, self.m1, self.m2, self.m4 = (
            int.from_bytes(word.to_bytes(8, "little") * len(near), "little")
            for word in (1, 0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F)
        )

    def near(self, simhash: int, start: int, end: int) -> list[int]:
        """Clusters of the fingerprints dated from `start` to `end` (microseconds, see
        _micros) within NEAR_DUPLICATE_BITS of `simhash`.

        Bit counts of all of them at once, as arithmetic on one integer (a batch meets a
        few thousand fingerprints fifty times over: one XOR and bit count each in Python
        cost 0.3 ms an article)."""
        low, high = bisect_left(self.whens, start), bisect_right(self.whens, end)
        lanes = high - low
        if lanes <= 0:
            return []
        width = (1 << (64 * lanes)) - 1
        m1, m2, m4 = self.m1 & width, self.m2 & width, self.m4 & width
        x = (self.packed >> (64 * low)) & width
        x ^= (simhash & _MASK) * (self.ones & width)
        # Bits set per 64-bit lane, counted in place (SWAR): per 2 bits, 4, 8, then the eight
        # bytes added into the lowest. No step carries out of its field, so lanes never mix.
        x -= (x >> 1) & m1
        x = (x & m2) + ((x >> 2) & m2)
        x = (x + (x >> 4)) & m4
        x += x >> 8
        x += x >> 16
        x += x >> 32
        counts = x.to_bytes(8 * lanes, "little")[::8].translate(_NEAR_ENOUGH)
        found = []
        at = counts.find(1)
        while at >= 0:
            found.append(self.clusters[low + at])
            at = counts.find(1, at + 1)
        return found


# Bit counts (one byte each) to 1 when near enough, else 0.
_NEAR_ENOUGH = bytes(int(n <= NEAR_DUPLICATE_BITS) for n in range(256))


def _candidates(
    articles: Sequence[Article], word_counts: list[int], batch_ids: set[int]
) -> _Candidates:
    """The batch's stored copies and near-duplicate candidates, in one query."""
    hashes = {
        a.content_hash for a, n in zip(articles, word_counts, strict=True) if n >= MIN_TOKENS_EXACT
    }
    spans = sorted(
        _window(_when(a))
        for a, n in zip(articles, word_counts, strict=True)
        if n >= MIN_TOKENS_NEAR and a.simhash is not None
    )
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    if not hashes and not merged:
        return _Candidates({}, [])
    # One query in parts: the copies by their hash (any date), and each window's clustered
    # fingerprints, dated or else by when first seen, each part read from one index: the
    # window's from article_dedupe_window_idx alone on PostgreSQL, not from a thousand pages
    # of the table. Five small values a row, fetched at once (.iterator() meant a server-side
    # cursor on PostgreSQL, three round trips per article); one date a row, as an integer
    # (reading thousands of datetimes was a sixth of a worker's time).
    clustered = Article.objects.filter(cluster__isnull=False).exclude(pk__in=batch_ids).order_by()
    parts = [
        clustered.filter(content_hash__in=hashes).annotate(content=F("content_hash"))
    ] if hashes else []  # fmt: skip
    for span in merged:
        window = clustered.filter(simhash__isnull=False).annotate(content=Value(""))
        parts.append(window.filter(published_at__range=span))
        parts.append(window.filter(published_at__isnull=True, created_at__range=span))
    columns = ("cluster_id", "content", "simhash", "when")
    when = _Microseconds(Coalesce("published_at", "created_at"))
    first, *others = (part.annotate(when=when).values_list(*columns) for part in parts)
    rows = first.union(*others, all=True) if others else first
    copies: dict[str, list[int]] = {}
    near = []
    for cluster, content, simhash, when in rows:
        if content:
            copies.setdefault(content, []).append(cluster)
        else:
            near.append((when, simhash, cluster))
    return _Candidates(copies, near)


def _matches(
    article: Article, token_count: int, stored: _Candidates, placed: list[_Fingerprint]
) -> list[int]:
    """The clusters of the article's exact copies and of its near-duplicates in the window,
    stored ones and those of its batch placed before it."""
    if token_count < MIN_TOKENS_EXACT:
        return []
    found: list[int | None] = list(stored.clusters_by_hash.get(article.content_hash, ()))
    found += [f.cluster_id for f in placed if f.content_hash == article.content_hash]
    if token_count >= MIN_TOKENS_NEAR and article.simhash is not None:
        start, end = map(_micros, _window(_when(article)))
        found += stored.near(article.simhash, start, end)
        found += [
            other.cluster_id
            for other in placed
            if other.simhash is not None
            and start <= other.when <= end
            and hamming(article.simhash, other.simhash) <= NEAR_DUPLICATE_BITS
        ]
    return [c for c in found if c is not None]


def _root(merged: dict[int, int], cluster: int) -> int:
    """The cluster that `cluster` has been joined to in this batch, else itself."""
    while cluster in merged:
        cluster = merged[cluster]
    return cluster


def _keepers(merged: dict[int, int], batch_ids: set[int]) -> dict[int, int]:
    """The clusters joined in this batch, each group now joined to its stored cluster with
    the most members outside the batch (ties: the oldest): the others' members are moved,
    and moving a story of a thousand copies into one of three cost a fifth of a second."""
    groups: dict[int, set[int]] = {}
    for cluster in merged:
        root = _root(merged, cluster)
        groups.setdefault(root, {root}).add(cluster)
    contested = {c for group in groups.values() if sum(c > 0 for c in group) > 1 for c in group}
    stored = [c for c in contested if c > 0]
    if not stored:
        return merged
    counts = dict(
        Article.objects.filter(cluster_id__in=stored)
        .exclude(pk__in=batch_ids)
        .order_by()
        .values("cluster_id")
        .annotate(members=Count("pk"))
        .values_list("cluster_id", "members")
    )
    kept: dict[int, int] = {}
    for group in groups.values():
        keeper = min(group, key=lambda c: (c < 0, -counts.get(c, 0), abs(c)))
        kept.update((c, keeper) for c in group if c != keeper)
    return kept


def _seniority(cluster: int) -> tuple[bool, int]:
    """Which of several clusters joined keeps its id: the oldest stored one, else the first
    new one."""
    return cluster < 0, abs(cluster)


def _when(article: Article) -> datetime:
    return article.published_at or article.created_at


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(when: datetime) -> int:
    """A moment as whole microseconds since 1970 (UTC), as _Microseconds reads it."""
    return (when - _EPOCH) // _MICROSECOND


class _Microseconds(Func):
    """A date column as whole microseconds since 1970 (UTC), worked out by the database."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        # Django keeps a datetime as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: the whole
        # seconds (unixepoch would round a fraction towards zero, the wrong way before
        # 1970), then the six digits after the point (none written: zero).
        template = (
            "(unixepoch(substr(%(expressions)s, 1, 19)) * 1000000"
            " + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"
        )
        sql, params = self.as_sql(compiler, connection, template=template, **extra)
        return sql, (*params, *params)


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _window(when: datetime) -> tuple[datetime, datetime]:
    """`when` ± WINDOW, cut at the ends of the calendar (an editor may type year 1 or 9999)."""
    start = when - WINDOW if when - _EARLIEST > WINDOW else _EARLIEST
    end = when + WINDOW if _LATEST - when > WINDOW else _LATEST
    return start, end
