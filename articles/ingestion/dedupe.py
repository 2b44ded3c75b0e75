"""Story clusters: syndicated copies and light rewrites of one story, across outlets.

An article joins a cluster when another article has the same normalised text (content hash)
or a SimHash over word 4-shingles within `NEAR_DUPLICATE_BITS` of it, published within
`WINDOW` of it. Candidates are compared in Python over the window's simhashes: a few thousand
articles a fortnight is cheap; beyond some hundred thousand a window, use banded LSH columns.
"""

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q

from articles.models import Article, StoryCluster
from articles.tagging.stories import story_across_languages

# Measured on the paragraphs in tests/articles/test_dedupe.py: a syndicated copy with a
# dateline and a trailer differs by 8 bits, a light rewrite by 12, a different story on the
# same topic by 27 (unrelated texts: 32 on average, and 14 or fewer about once in 300,000).
NEAR_DUPLICATE_BITS = 14
WINDOW = timedelta(days=7)
MIN_TOKENS_EXACT = 8  # below this, equal text ("Live updates") says nothing about the story
MIN_TOKENS_NEAR = 40  # below this, a simhash is too noisy to trust
SHINGLE = 4

_WORD = re.compile(r"\w+", re.UNICODE)
_TAGS = re.compile(r"<[^>]+>")
_MASK = (1 << 64) - 1


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
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
    summary = _TAGS.sub(" ", article.summary or "")
    return f"{article.title}\n{summary}"


def article_cluster(*, article: Article) -> StoryCluster:
    """Put the article in its story's cluster (found by hash or near-duplicate) or a new one."""
    tokens = _tokens(article_text(article))
    token_count = len(tokens)
    updates: dict[str, object] = {}
    if not article.content_hash:
        article.content_hash = updates["content_hash"] = _tokens_hash(tokens)
    if article.simhash is None:
        article.simhash = updates["simhash"] = _tokens_simhash(tokens)

    with transaction.atomic():
        # No copy in its own words: the same story in another language (after tagging).
        match = _cluster_match(article=article, token_count=token_count) or (
            story_across_languages(article=article)
        )
        previous_id = article.cluster_id
        if match is None and previous_id is not None:
            alone = (
                not Article.objects.filter(cluster_id=previous_id).exclude(pk=article.pk).exists()
            )
            if alone:
                match = StoryCluster.objects.get(pk=previous_id)
        created = match is None
        if match is None:
            # Its only member is this article: size 1 and its date, nothing to recount.
            match = StoryCluster.objects.create(
                first_published_at=article.published_at or article.created_at, size=1
            )
        if match.pk != previous_id:
            updates["cluster"] = match
        if updates:
            # The hashes go in the same write as the cluster: one UPDATE per article.
            Article.objects.filter(pk=article.pk).update(**updates)
        if match.pk != previous_id:
            article.cluster = match
            if previous_id is not None:
                _cluster_refresh(StoryCluster.objects.filter(pk=previous_id).first())
        if not created:
            _cluster_refresh(match)
    return match


def _when(article: Article) -> datetime:
    return article.published_at or article.created_at


def _cluster_match(*, article: Article, token_count: int) -> StoryCluster | None:
    if token_count < MIN_TOKENS_EXACT:
        return None
    others = Article.objects.exclude(pk=article.pk).filter(cluster__isnull=False)
    same = (
        others.filter(content_hash=article.content_hash)
        .order_by("published_at", "pk")
        .values_list("cluster_id", flat=True)
        .first()
    )
    if same is not None:
        # Only the cluster's id above: reading whole rows (page text and all) cost more.
        return StoryCluster.objects.filter(pk=same).first()
    if token_count < MIN_TOKENS_NEAR or article.simhash is None:
        return None
    when = _when(article)
    window = Q(published_at__range=(when - WINDOW, when + WINDOW)) | Q(
        published_at__isnull=True, created_at__range=(when - WINDOW, when + WINDOW)
    )
    simhash: int = article.simhash
    best: tuple[int, int] | None = None
    # Two integers a row, a fortnight of articles: fetched at once. (.iterator() meant a
    # server-side cursor on PostgreSQL, three round trips per article.)
    for cluster_id, other_hash in others.filter(window, simhash__isnull=False).values_list(
        "cluster_id", "simhash"
    ):
        distance = hamming(simhash, other_hash or 0)  # never None: filtered above
        if distance <= NEAR_DUPLICATE_BITS and (best is None or distance < best[0]):
            best = (distance, cluster_id)
    return StoryCluster.objects.filter(pk=best[1]).first() if best else None


def _cluster_refresh(cluster: StoryCluster | None) -> None:
    """Size and earliest publication from the members; an emptied cluster is deleted."""
    if cluster is None:
        return
    stats = Article.objects.filter(cluster=cluster).aggregate(
        first=Min("published_at"), created=Min("created_at"), size=Count("pk")
    )
    size = stats["size"]
    if size == 0:
        cluster.delete()
        return
    first = stats["first"] or stats["created"]
    if cluster.size != size or cluster.first_published_at != first:
        cluster.size = size
        cluster.first_published_at = first
        cluster.save(update_fields=["size", "first_published_at"])
