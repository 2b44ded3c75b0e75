"""After a knowledge-base change: preview what it would re-tag, and re-tag in the background.

The one path for every change an editor makes to the knowledge base: an alias, an official,
a policy, a summit or a recogniser.

- `tagging_preview` applies a proposed change inside a transaction it rolls back, and tags
  stored articles with the knowledge base before and after it: which articles would be newly
  tagged and untagged, with examples and their evidence.
- `articles_retag` re-tags stored articles with the knowledge base as it is now and says what
  changed; `retag_run_step` does it for a `RetagRun` (the editor's receipt), a batch at a time,
  from the background task.

Editors' decisions are final on both paths: an approved, rejected or editor-added tag is never
changed, and a preview leaves it out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import (
    VISIBLE_STATUSES,
    Article,
    Mention,
    MentionKind,
    MentionStatus,
    RetagRun,
    RetagStatus,
)
from articles.tagging.kb import KnowledgeBase, knowledge_base_compile, knowledge_base_reset
from articles.tagging.tagger import Found, article_mentions_write, tag_with
from summits.cues import cue_groups, word_forms
from summits.models import Country, Official, Policy, Summit

TagKey = tuple[str, int]  # (kind, entity id)

_ENTITY_MODELS = {
    MentionKind.COUNTRY: Country,
    MentionKind.OFFICIAL: Official,
    MentionKind.POLICY: Policy,
    MentionKind.SUMMIT: Summit,
}


@dataclass
class ArticleChange:
    """One article whose tags changed: "Official: Marcelo Ebrard" added or removed."""

    article_id: int
    title: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class TagExample:
    """One tag gained or lost, with the sentence it was read from."""

    article_id: int
    title: str
    kind: str
    name: str
    evidence: str


@dataclass
class TagChanges:
    """What a re-tag did, or a preview says it would do."""

    checked: int = 0
    changes: list[ArticleChange] = field(default_factory=list)
    examples_tagged: list[TagExample] = field(default_factory=list)
    examples_untagged: list[TagExample] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(len(c.added) for c in self.changes)

    @property
    def removed(self) -> int:
        return sum(len(c.removed) for c in self.changes)

    @property
    def changed(self) -> int:
        return len(self.changes)

    # The words the preview pages use.
    scanned = property(lambda self: self.checked)
    newly_tagged = added
    untagged = removed
    articles_changed = changed

    def summary(self) -> str:
        return (
            f"{self.checked} articles re-tagged, {self.changed} changed "
            f"({self.added} tags added, {self.removed} removed)"
        )


# --- which articles a change may touch -------------------------------------------------------


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _shared_start(words: set[str]) -> str:
    """The start that all the words share (the lowest and highest in order share it)."""
    if not words:
        return ""
    low, high = min(words), max(words)
    n = 0
    while n < len(low) and low[n] == high[n]:
        n += 1
    return low[:n]


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
        # Every group must occur: the one with the longest words filters best. A word is
        # looked for as written and by the start all its forms share ('solicitant' for
        # 'solicitante de asilo'), so that a text using another form the tagger reads
        # ('solicitantes de asilo') is re-tagged too.
        best = max(groups, key=lambda g: sum(len(w) for w in g) / len(g))
        for word in best:
            names |= {word.rstrip("*"), _shared_start(word_forms(word)[0])}
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


# --- re-tagging ------------------------------------------------------------------------------


def _stored_tags(article_ids: Sequence[int]) -> dict[int, dict[TagKey, str]]:
    """Every tag of these articles with its status."""
    rows = Mention.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "kind", "country_id", "official_id", "policy_id", "summit_id", "status"
    )
    out: dict[int, dict[TagKey, str]] = {pk: {} for pk in article_ids}
    for article_id, kind, *entities, status in rows:
        entity = next(e for e in entities if e is not None)
        out[article_id][(kind, entity)] = status
    return out


def _visible(tags: dict[TagKey, str]) -> set[TagKey]:
    return {t for t, status in tags.items() if status in VISIBLE_STATUSES}


def _labels(tags: Iterable[TagKey]) -> dict[TagKey, str]:
    wanted: dict[str, set[int]] = {}
    for kind, pk in tags:
        wanted.setdefault(kind, set()).add(pk)
    labels: dict[TagKey, str] = {}
    for kind, pks in wanted.items():
        model = _ENTITY_MODELS[MentionKind(kind)]
        label = MentionKind(kind).label
        for obj in model._default_manager.filter(pk__in=pks):
            labels[(kind, obj.pk)] = f"{label}: {obj}"
    return labels


def _changes(
    titles: dict[int, str], before: dict[int, set[TagKey]], after: dict[int, set[TagKey]]
) -> list[ArticleChange]:
    labels = _labels({t for pk in titles for t in before[pk] ^ after[pk]})
    out = []
    for pk, title in titles.items():
        added, removed = after[pk] - before[pk], before[pk] - after[pk]
        if added or removed:
            out.append(
                ArticleChange(
                    article_id=pk,
                    title=title,
                    added=sorted(labels.get(t, str(t)) for t in added),
                    removed=sorted(labels.get(t, str(t)) for t in removed),
                )
            )
    return out


RETAG_BATCH = 200


def articles_retag(
    *,
    article_ids: Sequence[int] | None = None,
    official: Official | None = None,
    policy: Policy | None = None,
    summit: Summit | None = None,
) -> TagChanges:
    """Re-tag these articles (or those a changed official, policy or summit may affect) with
    the knowledge base as it is now; say what changed. Editors' decisions stay final."""
    knowledge_base_reset()  # a rename of the same length would not show in the signature
    if article_ids is None:
        article_ids = list(
            affected_articles(official=official, policy=policy, summit=summit).values_list(
                "pk", flat=True
            )
        )
    result = TagChanges()
    for i in range(0, len(article_ids), RETAG_BATCH):
        batch = article_ids[i : i + RETAG_BATCH]
        before = {pk: _visible(tags) for pk, tags in _stored_tags(batch).items()}
        titles: dict[int, str] = {}
        for article in Article.objects.filter(pk__in=batch).order_by("pk"):
            article_mentions_write(article=article)
            titles[article.pk] = article.title
        after = {pk: _visible(tags) for pk, tags in _stored_tags(list(titles)).items()}
        result.checked += len(titles)
        result.changes += _changes(titles, before, after)
    return result


# --- preview ---------------------------------------------------------------------------------


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


def _examples(into: list[TagExample], article: Article, found: list[Found], limit: int) -> None:
    for f in found[: max(limit - len(into), 0)]:
        into.append(
            TagExample(
                article_id=article.pk,
                title=article.title,
                kind=f.kind,
                name=f.name,
                evidence=f.evidence,
            )
        )


def tagging_preview(
    *,
    apply: Callable[[], object],
    article_ids: Sequence[int] | None = None,
    limit: int = 2000,
    examples: int = 10,
) -> TagChanges:
    """What a proposed change (saved by `apply`, then rolled back) would newly tag and untag
    on these stored articles, by default the `limit` most recent ones. Nothing is kept, and
    the tagger's compiled knowledge base is left as it was."""
    with transaction.atomic():
        before_kb = knowledge_base_compile()
        point = transaction.savepoint()
        try:
            apply()
            after_kb = knowledge_base_compile()
        finally:
            transaction.savepoint_rollback(point)
    chosen = Article.objects.order_by("-published_at", "-pk")
    if article_ids is not None:
        chosen = chosen.filter(pk__in=list(article_ids))
    articles = list(chosen[:limit])
    stored = _stored_tags([a.pk for a in articles])
    preview = TagChanges()
    titles: dict[int, str] = {}
    before: dict[int, set[TagKey]] = {}
    after: dict[int, set[TagKey]] = {}
    for article in articles:
        old, new = _tags(before_kb, article), _tags(after_kb, article)
        # An editor's decision stands: a rejected tag stays away, a kept one stays.
        decided = {t for t, status in stored[article.pk].items() if status != MentionStatus.AUTO}
        gained = [new[k] for k in sorted(new.keys() - old.keys() - decided)]
        lost = [old[k] for k in sorted(old.keys() - new.keys() - decided)]
        titles[article.pk] = article.title
        before[article.pk] = {(f.kind, f.entity_id) for f in lost}
        after[article.pk] = {(f.kind, f.entity_id) for f in gained}
        _examples(preview.examples_tagged, article, gained, examples)
        _examples(preview.examples_untagged, article, lost, examples)
    preview.checked = len(articles)
    preview.changes = _changes(titles, before, after)
    return preview


# --- the background run ----------------------------------------------------------------------

# How many changed articles a run keeps as examples for the editor.
RUN_EXAMPLES = 10


def retag_run_create(*, article_ids: Sequence[int], reason: str, user: object) -> RetagRun:
    """The editor's receipt for a re-tag of these articles, to be run in the background."""
    return RetagRun.objects.create(
        reason=reason[:500],
        requested_by_id=getattr(user, "pk", None),
        article_ids=list(article_ids),
    )


def retag_run_step(*, run_id: int, max_articles: int = RETAG_BATCH) -> bool:
    """Re-tag the run's next articles; return whether some are left. Safe to run twice:
    the run's row is locked while it works and records how far it got."""
    with transaction.atomic():
        run = RetagRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (RetagStatus.DONE, RetagStatus.FAILED):
            return False
        if run.status == RetagStatus.QUEUED:
            run.status, run.started_at = RetagStatus.RUNNING, timezone.now()
        batch = run.article_ids[run.checked : run.checked + max_articles]
        result = articles_retag(article_ids=batch)
        run.checked += len(batch)
        run.articles_changed += len(result.changes)
        run.tags_added += result.added
        run.tags_removed += result.removed
        room = RUN_EXAMPLES - len(run.examples)
        run.examples = [
            *run.examples,
            *(
                {"id": c.article_id, "title": c.title, "added": c.added, "removed": c.removed}
                for c in result.changes[: max(room, 0)]
            ),
        ]
        more = run.checked < len(run.article_ids)
        if not more:
            run.status, run.finished_at = RetagStatus.DONE, timezone.now()
        run.save()
    return more


def retag_run_fail(*, run_id: int, error: str) -> None:
    """Record why a run stopped, in plain words, for the editor."""
    RetagRun.objects.filter(pk=run_id).exclude(status=RetagStatus.DONE).update(
        status=RetagStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
