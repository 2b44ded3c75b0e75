"""Alias safety: what an editor is told before a new or changed alias is saved.

Each added alias is checked: does it already name another entity, is it a common word in
English, Spanish or French, is it shorter than four characters? And the change is tried on
the stored articles it could touch (those whose text has one of the names, and those tagged
with the entity now): how many would be newly tagged and untagged, with examples. The editor
confirms (a checkbox carrying a fingerprint of exactly this change) and saves again; the
re-tagging then runs in the background and its receipt is a RetagRun.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Model, Q

from articles.models import Article, Mention, RetagRun
from articles.reading.search import search_filter
from articles.tagging.kb import fold
from articles.tagging.kb_change import (
    ArticleChange,
    TagChanges,
    tagging_preview,
)
from articles.tagging.kb_change import (
    retag_run_create as _retag_run_create,
)
from articles.tagging.language import common_word_languages
from summits.models import Country, Official, OfficialAlias, Policy, PolicyAlias, Summit

MIN_ALIAS_LENGTH = 4
# The preview tags at most this many stored articles (the newest) before the editor saves;
# the background run re-tags them all.
PREVIEW_ARTICLES = 1000
PREVIEW_EXAMPLES = 5
# A re-tagging run takes at most this many articles, the newest first.
RUN_ARTICLES = 200_000
CONFIRM_FIELD = "confirm_aliases"
_LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French"}


def _all_names() -> list[tuple[str, Model]]:
    """Every name and alias in the knowledge base, with the entity it names."""
    names: list[tuple[str, Model]] = []
    for official in Official.objects.prefetch_related("aliases"):
        names += [(official.name, official), *((a.name, official) for a in official.aliases.all())]
    for policy in Policy.objects.prefetch_related("aliases"):
        names += [(policy.name, policy), *((a.name, policy) for a in policy.aliases.all())]
    for summit in Summit.objects.all():
        names += [(summit.title, summit), *((a, summit) for a in summit.aliases)]
    for country in Country.objects.all():
        for name in (country.name_en, country.name_es, country.name_fr, *country.aliases):
            names.append((name, country))
    return names


def alias_warnings(
    *, alias: str, entity: Model | None, names: list[tuple[str, Model]]
) -> list[str]:
    """Plain-words warnings about adding `alias` to `entity` (None while it is being added)."""
    warnings = []
    key = " ".join(fold(alias).split())
    owners = {
        other
        for name, other in names
        if " ".join(fold(name).split()) == key and not _same(other, entity)
    }
    for other in sorted(owners, key=str):
        kind = type(other)._meta.verbose_name
        warnings.append(f"“{alias}” already names another {kind}: {other}.")
    languages = common_word_languages(alias)
    if languages:
        spoken = ", ".join(_LANGUAGES[code] for code in languages)
        warnings.append(f"“{alias}” is a common word in {spoken}: it would match ordinary text.")
    if len(alias.strip()) < MIN_ALIAS_LENGTH:
        warnings.append(
            f"“{alias}” is shorter than {MIN_ALIAS_LENGTH} characters: short names match "
            "by accident."
        )
    return warnings


def _same(a: Model, b: Model | None) -> bool:
    return b is not None and type(a) is type(b) and a.pk == b.pk


def candidate_articles(*, names: Iterable[str], entity: Model | None, limit: int) -> list[int]:
    """Stored articles a change of these names could re-tag, newest first: those whose text
    has one of the names, and those tagged with the entity now."""
    match = Q(pk__in=[])
    for name in {n.strip() for n in names if n.strip()}:
        # The name as a phrase, accents and case aside. The tagger decides; this only
        # narrows what it reads.
        phrase = '"{}"'.format(name.replace('"', " "))
        match |= Q(pk__in=search_filter(Article.objects.all(), phrase, aliases=False).values("pk"))
    if entity is not None and entity.pk:
        kind = type(entity).__name__.lower()
        tagged = Mention.objects.filter(kind=kind, **{f"{kind}_id": entity.pk})
        match |= Q(pk__in=tagged.values("article_id"))
    return list(
        Article.objects.filter(match)
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass
class AliasReview:
    """What the editor sees before saving a change of names, and must confirm."""

    added: list[str]
    removed: list[str]
    warnings: list[str] = field(default_factory=list)
    preview: TagChanges | None = None
    candidates: int = 0
    fingerprint: str = ""

    @property
    def examples(self) -> list[ArticleChange]:
        return self.preview.changes[:PREVIEW_EXAMPLES] if self.preview else []

    @property
    def newly_tagged(self) -> int:
        return self.preview.added if self.preview else 0

    @property
    def untagged(self) -> int:
        return self.preview.removed if self.preview else 0

    @property
    def partial(self) -> bool:
        return self.candidates > PREVIEW_ARTICLES

    def confirmed(self, data: object) -> bool:
        getter = getattr(data, "get", None)
        return bool(getter and getter(CONFIRM_FIELD) == self.fingerprint)


def names_review(
    *,
    entity: Model | None,
    before: Iterable[str],
    after: Iterable[str],
    apply: Callable[[], None],
) -> AliasReview | None:
    """Review a change of an entity's names (before → after); None when nothing changed.

    `apply` writes the change to the knowledge base; the preview rolls it back.
    """
    old = {n.strip() for n in before if n.strip()}
    new = {n.strip() for n in after if n.strip()}
    if old == new:
        return None
    added, removed = sorted(new - old), sorted(old - new)
    names = _all_names()
    warnings = [
        w for alias in added for w in alias_warnings(alias=alias, entity=entity, names=names)
    ]
    changed = [*added, *removed]
    candidates = candidate_articles(names=changed, entity=entity, limit=PREVIEW_ARTICLES + 1)
    preview = tagging_preview(
        apply=apply, article_ids=candidates[:PREVIEW_ARTICLES], examples=PREVIEW_EXAMPLES
    )
    digest = hashlib.sha256(repr((sorted(old), sorted(new))).encode()).hexdigest()[:16]
    return AliasReview(
        added=added,
        removed=removed,
        warnings=warnings,
        preview=preview,
        candidates=len(candidates),
        fingerprint=digest,
    )


def retag_run_create(*, entity: Model, names: Iterable[str], reason: str, user: object) -> RetagRun:
    """A re-tagging run over the articles that these names (old and new) could touch."""
    ids = candidate_articles(names=names, entity=entity, limit=RUN_ARTICLES)
    return _retag_run_create(article_ids=ids, reason=reason, user=user)


def entity_names(entity: Model) -> list[str]:
    """The names the tagger knows an entity by, as stored now."""
    if isinstance(entity, Official | Policy):
        return [entity.name, *entity.aliases.values_list("name", flat=True)]
    if isinstance(entity, Summit):
        return [entity.title, *entity.aliases]
    if isinstance(entity, Country):
        return [entity.name_en, entity.name_es, entity.name_fr, *entity.aliases]
    return []


# The alias table of officials and policies, and its column naming the entity.
ALIAS_MODELS: dict[type[Model], tuple[type[Model], str]] = {
    Official: (OfficialAlias, "official"),
    Policy: (PolicyAlias, "policy"),
}
