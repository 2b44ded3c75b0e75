"""Re-tag stored articles after the knowledge base changed, and preview what a change would do.

An adapter over the tagger's public functions (`text_tag`, `article_mentions_write`,
`knowledge_base_reset`) until the tagger offers re-tag and preview services of its own.
Editors' decisions are final here as in the tagger: approved, rejected and editor-added tags
are never changed; only automatic tags appear or go.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
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
from articles.tagging.tagger import article_mentions_write, knowledge_base_reset, text_tag
from summits.models import Country, Official, Policy, Summit

Tag = tuple[str, int]  # (kind, entity id)

_ENTITY_MODELS = {
    MentionKind.COUNTRY: Country,
    MentionKind.OFFICIAL: Official,
    MentionKind.POLICY: Policy,
    MentionKind.SUMMIT: Summit,
}


@dataclass
class ArticleChange:
    article_id: int
    title: str
    added: list[str] = field(default_factory=list)  # "Official: Marcelo Ebrard"
    removed: list[str] = field(default_factory=list)


@dataclass
class TagChanges:
    checked: int
    changes: list[ArticleChange]

    @property
    def added(self) -> int:
        return sum(len(c.added) for c in self.changes)

    @property
    def removed(self) -> int:
        return sum(len(c.removed) for c in self.changes)


def _stored_tags(article_ids: Sequence[int]) -> dict[int, dict[Tag, str]]:
    """Every tag of these articles with its status."""
    rows = Mention.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "kind", "country_id", "official_id", "policy_id", "summit_id", "status"
    )
    out: dict[int, dict[Tag, str]] = {pk: {} for pk in article_ids}
    for article_id, kind, *entities, status in rows:
        entity = next(e for e in entities if e is not None)
        out[article_id][(kind, entity)] = status
    return out


def _names(tags: Iterable[Tag]) -> dict[Tag, str]:
    wanted: dict[str, set[int]] = {}
    for kind, pk in tags:
        wanted.setdefault(kind, set()).add(pk)
    names: dict[Tag, str] = {}
    for kind, pks in wanted.items():
        model = _ENTITY_MODELS[MentionKind(kind)]
        label = MentionKind(kind).label
        for obj in model._default_manager.filter(pk__in=pks):
            names[(kind, obj.pk)] = f"{label}: {obj}"
    return names


def _changes(
    titles: dict[int, str], before: dict[int, set[Tag]], after: dict[int, set[Tag]]
) -> list[ArticleChange]:
    moved = {t for pk in titles for t in before[pk] ^ after[pk]}
    names = _names(moved)
    out = []
    for pk, title in titles.items():
        added, removed = after[pk] - before[pk], before[pk] - after[pk]
        if added or removed:
            out.append(
                ArticleChange(
                    article_id=pk,
                    title=title,
                    added=sorted(names.get(t, str(t)) for t in added),
                    removed=sorted(names.get(t, str(t)) for t in removed),
                )
            )
    return out


def _visible(tags: dict[Tag, str]) -> set[Tag]:
    return {t for t, status in tags.items() if status in VISIBLE_STATUSES}


def articles_retag(*, article_ids: Sequence[int]) -> TagChanges:
    """Re-tag these articles with the knowledge base as it is now; say what changed."""
    knowledge_base_reset()  # a rename of the same length would not show in the signature
    stored = _stored_tags(article_ids)
    before = {pk: _visible(tags) for pk, tags in stored.items()}
    titles: dict[int, str] = {}
    for article in Article.objects.filter(pk__in=article_ids).order_by("pk"):
        article_mentions_write(article=article)
        titles[article.pk] = article.title
    now = _stored_tags(list(titles))
    return TagChanges(
        checked=len(titles),
        changes=_changes(titles, before, {pk: _visible(tags) for pk, tags in now.items()}),
    )


def tags_preview(*, article_ids: Sequence[int], change: Callable[[], None]) -> TagChanges:
    """What re-tagging these articles would change if `change` (writes to the knowledge base)
    were saved. The writes are rolled back: nothing is kept."""
    stored = _stored_tags(article_ids)
    titles: dict[int, str] = {}
    after: dict[int, set[Tag]] = {}
    try:
        with transaction.atomic():
            change()
            knowledge_base_reset()
            for article in Article.objects.filter(pk__in=article_ids).order_by("pk"):
                on = timezone.localdate(article.published_at or timezone.now())
                found = {
                    (f.kind, f.entity_id)
                    for f in text_tag(
                        text=article.body or strip_tags(article.summary or ""),
                        title=article.title,
                        on=on,
                        authors=article.authors or [],
                    )
                }
                tags = stored[article.pk]
                # An editor's decision stands: a rejected tag stays away, a kept one stays.
                kept = {t for t, s in tags.items() if s != MentionStatus.AUTO}
                after[article.pk] = (found - kept) | _visible({t: tags[t] for t in kept})
                titles[article.pk] = article.title
            raise _RollBack
    except _RollBack:
        pass
    finally:
        knowledge_base_reset()  # never keep a base compiled from rows that were not saved
    before = {pk: _visible(stored[pk]) for pk in titles}
    return TagChanges(checked=len(titles), changes=_changes(titles, before, after))


class _RollBack(Exception):
    """Leaves the preview's transaction without keeping its writes."""


# How many changed articles a run keeps as examples for the editor.
RUN_EXAMPLES = 10


def retag_run_step(*, run_id: int, max_articles: int = 200) -> bool:
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
