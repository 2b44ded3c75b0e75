"""After a knowledge-base change: re-tag the articles an entity's change may affect, or preview it.

`articles_retag` is what admin runs in the background when an official, policy, summit, alias
or recogniser changed; editors' decisions (approved, rejected, added) stay as they are.
`tagging_preview` applies a proposed change inside a transaction it rolls back, and tags
stored articles with the knowledge base before and after it: what would be newly tagged and
what untagged, with examples.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article, Mention, MentionStatus
from articles.tagging.kb import KnowledgeBase, knowledge_base_compile, knowledge_base_reset
from articles.tagging.tagger import Found, article_mentions_write, tag_with
from summits.cues import cue_groups
from summits.models import Official, Policy, Summit

TagKey = tuple[str, int]


@dataclass
class RetagReport:
    scanned: int = 0
    changed: int = 0  # articles whose tags changed
    added: int = 0  # tags added
    removed: int = 0  # automatic tags removed

    def summary(self) -> str:
        return (
            f"{self.scanned} articles re-tagged, {self.changed} changed "
            f"({self.added} tags added, {self.removed} removed)"
        )


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names(*, official: Official | None, policy: Policy | None, summit: Summit | None) -> set[str]:
    """Words whose presence in a text may make the tagger find the entity (a prefilter)."""
    names: set[str] = set()
    if official is not None:
        names |= {official.name, *official.aliases.values_list("name", flat=True)}
        names |= {official.name.split()[-1]}
    if policy is not None:
        names |= {policy.name, *policy.aliases.values_list("name", flat=True)}
    if summit is not None:
        names |= {summit.title, *summit.aliases}
    for recogniser in [
        *(policy.recognisers.all() if policy else []),
        *(summit.recognisers.all() if summit else []),
    ]:
        try:
            groups = cue_groups(recogniser.cues)
        except ValueError:
            continue
        # Every group must occur: the one with the longest words filters best.
        best = max(groups, key=lambda g: sum(len(w) for w in g) / len(g))
        names |= {w.rstrip("*") for w in best}
    names = {n.strip() for n in names if len(n.strip()) >= 3}
    return names | {_plain(n) for n in names}


def affected_articles(
    *, official: Official | None = None, policy: Policy | None = None, summit: Summit | None = None
) -> QuerySet[Article]:
    """Articles tagged with the entity, or whose text contains one of its names or cues."""
    tagged = Q()
    if official is not None:
        tagged |= Q(mentions__official=official)
    if policy is not None:
        tagged |= Q(mentions__policy=policy)
    if summit is not None:
        tagged |= Q(mentions__summit=summit)
    text = Q()
    for name in _names(official=official, policy=policy, summit=summit):
        text |= Q(title__icontains=name) | Q(body__icontains=name) | Q(summary__icontains=name)
    ids = Article.objects.filter(tagged | text).values("pk")
    return Article.objects.filter(pk__in=ids).order_by("pk")


def _tag_keys(mentions: QuerySet[Mention]) -> set[TagKey]:
    rows = mentions.values_list("kind", "country_id", "official_id", "policy_id", "summit_id")
    return {(kind, next(i for i in ids if i is not None)) for kind, *ids in rows}


def _visible(article: Article) -> set[TagKey]:
    return _tag_keys(article.mentions.exclude(status=MentionStatus.REJECTED))


def articles_retag(
    *,
    official: Official | None = None,
    policy: Policy | None = None,
    summit: Summit | None = None,
    articles: Iterable[Article] | None = None,
) -> RetagReport:
    """Re-tag the articles a changed official, policy or summit (or its aliases and
    recognisers) may affect; return how many changed. Editors' decisions stay final."""
    knowledge_base_reset()
    if articles is None:
        articles = affected_articles(official=official, policy=policy, summit=summit).iterator(
            chunk_size=200
        )
    report = RetagReport()
    for article in articles:
        before = _visible(article)
        article_mentions_write(article=article)
        after = _visible(article)
        report.scanned += 1
        if before != after:
            report.changed += 1
            report.added += len(after - before)
            report.removed += len(before - after)
    return report


# --- preview ---------------------------------------------------------------------------------


@dataclass
class PreviewChange:
    article_id: int
    title: str
    kind: str
    name: str
    evidence: str


@dataclass
class TaggingPreview:
    scanned: int = 0
    newly_tagged: int = 0
    untagged: int = 0
    articles_changed: int = 0
    examples_tagged: list[PreviewChange] = field(default_factory=list)
    examples_untagged: list[PreviewChange] = field(default_factory=list)


def _tags(kb: KnowledgeBase, article: Article) -> dict[TagKey, Found]:
    when = article.published_at or article.created_at or timezone.now()
    found = tag_with(
        kb,
        text=article.body or strip_tags(article.summary or ""),
        title=article.title,
        on=timezone.localdate(when),
        authors=article.authors or [],
        language=article.language,
    )
    return {(f.kind, f.entity_id): f for f in found}


def tagging_preview(
    *,
    apply: Callable[[], object],
    articles: Iterable[Article] | None = None,
    limit: int = 2000,
    examples: int = 10,
) -> TaggingPreview:
    """What a proposed change (saved by `apply`, then rolled back) would newly tag and untag
    on stored articles: by default the `limit` most recent ones."""
    with transaction.atomic():
        before_kb = knowledge_base_compile()
        point = transaction.savepoint()
        try:
            apply()
            after_kb = knowledge_base_compile()
        finally:
            transaction.savepoint_rollback(point)
    if articles is None:
        articles = Article.objects.order_by("-published_at", "-pk")[:limit]
    preview = TaggingPreview()
    for article in articles:
        before, after = _tags(before_kb, article), _tags(after_kb, article)
        rejected = _rejected(article)
        gained = [after[k] for k in after.keys() - before.keys() if k not in rejected]
        lost = [before[k] for k in before.keys() - after.keys() if k not in rejected]
        preview.scanned += 1
        preview.newly_tagged += len(gained)
        preview.untagged += len(lost)
        preview.articles_changed += bool(gained or lost)
        _examples(preview.examples_tagged, article, gained, examples)
        _examples(preview.examples_untagged, article, lost, examples)
    knowledge_base_reset()
    return preview


def _rejected(article: Article) -> set[TagKey]:
    return _tag_keys(article.mentions.filter(status=MentionStatus.REJECTED))


def _examples(into: list[PreviewChange], article: Article, found: list[Found], limit: int) -> None:
    for f in found:
        if len(into) >= limit:
            return
        into.append(
            PreviewChange(
                article_id=article.pk,
                title=article.title,
                kind=f.kind,
                name=f.name,
                evidence=f.evidence,
            )
        )
