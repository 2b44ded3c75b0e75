"""One story told in several languages: articles linked by date, shared entities and figures.

Syndicated copies and light rewrites share words, and dedupe finds them by SimHash; a story
written in English, Spanish and French shares no words, but it shares what the tagger found
(the same summit, policy, officials) and the figures it quotes ("10,000 troops", "25 %"),
on the same day. A card holds those; two cards in different languages that overlap enough (a
weighted Jaccard over entities and figures) tell one story, and a story holds one article
per language: the one that matches it best when it arrives.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import TypeVar

from django.db.models import Q
from django.utils import timezone

from articles.models import VISIBLE_STATUSES, Article, Mention, MentionKind, StoryCluster
from articles.tagging.kb import fold
from articles.tagging.language import LANGUAGES, common_words
from articles.tagging.tagger import Found
from articles.timezones import source_time_zone

# One story in several languages comes out on one day, each outlet's day in its own time zone
# (the day its pages show). The day after brings machine-translated republications,
# reactions and follow-ups that share every entity with the first report but are not the
# same story; on the yardstick's dev half both links a day apart were wrong.
# How much sharing one item says about being one story: a summit or policy is specific, a
# country (the three core ones are in almost every article) much less so.
WEIGHTS = {
    MentionKind.SUMMIT: 3.0,
    MentionKind.POLICY: 2.0,
    MentionKind.OFFICIAL: 1.5,
    MentionKind.COUNTRY: 0.5,
    "figure": 1.5,
}
SIMILAR = 0.4
# Titles that share a word of what happened ("Title 42", "Título 42", "Titre 42"; "visas",
# "visa") say it is the same story even when the articles quote different people: on the
# dev half, four same-story pairs with that cue scored 0.22-0.37, and one other pair.
SIMILAR_WITH_TITLE_CUE = 0.2
MIN_CONFIDENCE = 0.7  # entities below this are too uncertain to link stories by
MAX_CANDIDATES = 300

# 10,000 · 10.000 · 10 000 · 25% · 3.5 — not years, not single digits.
_FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d{2,}(?:[.,]\d+)?)(?![\w])")
_YEAR = re.compile(r"(?:19|20)\d\d")


def figures(text: str) -> frozenset[str]:
    """The figures a text quotes, written one way: '10,000' and '10 000' are '10000'."""
    found = set()
    for m in _FIGURE.finditer(text):
        raw = m.group(1)
        if re.fullmatch(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+", raw):
            value = re.sub(r"\D", "", raw)
        else:
            value = raw.replace(",", ".")
        if _YEAR.fullmatch(value) or value in {"10", "12", "24", "30"}:
            continue  # years, hours and common round counts say nothing
        found.add(value)
    return frozenset(found)


_TITLE_WORD = re.compile(r"[^\W_]+")


@cache
def _common_words() -> frozenset[str]:
    return frozenset().union(*(common_words(language) for language in LANGUAGES))


def title_cues(title: str) -> frozenset[str]:
    """The words of a title that say what happened, written so that English, Spanish and French
    meet: lower-case words (names, countries and the first word are capitalised, and the
    cards already share those as entities) that are not common words, plural -s dropped, cut
    to five letters ('visas', 'visa' -> 'visa'; 'olympique' -> 'olymp'), and figures of two or
    more digits that are not years ('Title 42' -> '42')."""
    common = _common_words()
    cues = set()
    for word in _TITLE_WORD.findall(title):
        if word.isdigit():
            if len(word) >= 2 and not _YEAR.fullmatch(word):
                cues.add(word)
            continue
        folded = fold(word)
        if not word.islower() or len(folded) < 4 or folded in common:
            continue
        cues.add(folded.removesuffix("s")[:5])
    return frozenset(cues)


@dataclass(frozen=True)
class StoryCard:
    language: str
    on: date
    items: frozenset[tuple[str, int | str]]  # (kind, entity id) and ("figure", value)
    cues: frozenset[str] = frozenset()  # see title_cues

    @classmethod
    def of(
        cls,
        *,
        language: str,
        on: date,
        title: str,
        text: str,
        entities: Iterable[tuple[str, int, float]],
    ) -> StoryCard:
        """A card from the tagger's findings (kind, entity id, confidence) and the text."""
        items: set[tuple[str, int | str]] = {
            (kind, entity) for kind, entity, confidence in entities if confidence >= MIN_CONFIDENCE
        }
        items |= {("figure", f) for f in figures(f"{title}\n{text}")}
        return cls(language=language or "", on=on, items=frozenset(items), cues=title_cues(title))

    @property
    def specific(self) -> frozenset[tuple[str, int | str]]:
        return frozenset(i for i in self.items if i[0] != MentionKind.COUNTRY)


def _weight(items: Iterable[tuple[str, int | str]]) -> float:
    return sum(WEIGHTS[kind] for kind, _ in items)


def story_similarity(a: StoryCard, b: StoryCard) -> float:
    """Weighted Jaccard of two cards' items; 0 when they are not of the same day or share
    nothing more specific than countries."""
    if a.on != b.on or not a.specific & b.specific:
        return 0.0
    union = _weight(a.items | b.items)
    return _weight(a.items & b.items) / union if union else 0.0


def _linkable(a: StoryCard, b: StoryCard) -> float:
    """The two cards' similarity when it is enough to call them one story, else 0."""
    similarity = story_similarity(a, b)
    enough = SIMILAR_WITH_TITLE_CUE if a.cues & b.cues else SIMILAR
    return similarity if similarity >= enough else 0.0


def stories_match(a: StoryCard, b: StoryCard) -> bool:
    """Whether two articles in different languages report the same story."""
    return a.language != b.language and _linkable(a, b) > 0.0


Story = TypeVar("Story", bound=Hashable)


def story_choose(card: StoryCard, stories: Mapping[Story, Sequence[StoryCard]]) -> Story | None:
    """The story an article joins: the one holding the card it matches best, if it matches;
    never one that has an article in its language already (on a tie, the first given)."""
    best, best_similarity = None, 0.0
    for story, cards in stories.items():
        if any(c.language == card.language for c in cards):
            continue
        similarity = max((_linkable(card, c) for c in cards), default=0.0)
        if similarity > best_similarity:
            best, best_similarity = story, similarity
    return best if card.language else None


# --- articles in the database ----------------------------------------------------------------


def _day(article: Article) -> date:
    when: datetime = article.published_at or article.created_at or timezone.now()
    return timezone.localdate(when, source_time_zone(article.source))


def _cards(articles: list[Article]) -> dict[int, StoryCard]:
    entities: dict[int, list[tuple[str, int, float]]] = {a.pk: [] for a in articles}
    rows = Mention.objects.filter(
        article__in=[a.pk for a in articles], status__in=VISIBLE_STATUSES
    ).values_list("article_id", "kind", "country_id", "official_id", "policy_id", "summit_id",
                  "confidence", "status")  # fmt: skip
    for article_id, kind, *ids, confidence, status in rows:
        entity = next(i for i in ids if i is not None)
        # An editor's decision is certain whatever the tagger's confidence was.
        certain = 1.0 if status != "auto" else confidence
        entities[article_id].append((kind, entity, certain))
    return {
        a.pk: StoryCard.of(
            language=a.language,
            on=_day(a),
            title=a.title,
            text=a.body or a.summary,
            entities=entities[a.pk],
        )
        for a in articles
    }


def story_across_languages(*, article: Article) -> StoryCluster | None:
    """The cluster of the same story in another language, for an article already tagged."""
    if not article.language:
        return None
    own = _cards([article])[article.pk]
    specific = [(kind, entity) for kind, entity in own.specific if kind != "figure"]
    if not specific:
        return None
    day = own.on
    shared = Q()
    for kind, entity in specific:
        shared |= Q(kind=kind, **{f"{kind}_id": entity})
    # A day either way in UTC holds every outlet's same local day.
    low = timezone.make_aware(datetime.combine(day - timedelta(days=1), datetime.min.time()))
    high = timezone.make_aware(datetime.combine(day + timedelta(days=2), datetime.min.time()))
    candidate_ids = (
        Mention.objects.filter(shared, status__in=VISIBLE_STATUSES, published_at__range=(low, high))
        .exclude(article_id=article.pk)
        .values_list("article_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    fields = ("language", "published_at", "created_at", "title", "body", "summary", "cluster",
              "source__country__iso2")  # fmt: skip
    candidates = list(
        Article.objects.filter(pk__in=list(candidate_ids), cluster__isnull=False)
        .exclude(language=article.language)
        .exclude(language="")
        .select_related("source__country")
        .only(*fields)
        .order_by("pk")
    )
    # A story with coverage in this language already is not joined: a copy in the article's
    # own words would have been found by dedupe, so this is another story or another angle.
    covered = set(
        Article.objects.filter(
            cluster__in={c.cluster_id for c in candidates}, language=article.language
        ).values_list("cluster_id", flat=True)
    )
    candidates = [c for c in candidates if c.cluster_id not in covered]
    if not candidates:
        return None
    cards = _cards(candidates)
    stories: dict[int, list[StoryCard]] = {}
    for c in candidates:
        assert c.cluster_id is not None
        stories.setdefault(c.cluster_id, []).append(cards[c.pk])
    story = story_choose(own, stories)
    return None if story is None else StoryCluster.objects.get(pk=story)


def articles_link_across_languages(
    *, articles: Sequence[Article], found: Sequence[Sequence[Found]]
) -> set[int]:
    """Move each tagged article that is alone in its cluster into the same story in another
    language; return the clusters to recount (the one it left is then deleted).

    `found`: what the tagger found in each article; one without a summit, policy or official
    it is sure of cannot be linked, and costs no query.
    """
    touched: set[int] = set()
    for article, tags in zip(articles, found, strict=True):
        if article.pk is None or article.cluster_id is None or not article.language:
            continue
        if not any(f.kind != MentionKind.COUNTRY and f.confidence >= MIN_CONFIDENCE for f in tags):
            continue
        if Article.objects.filter(cluster_id=article.cluster_id).exclude(pk=article.pk).exists():
            continue  # it has copies in its own words: dedupe placed it
        story = story_across_languages(article=article)
        if story is None or story.pk == article.cluster_id:
            continue
        touched |= {article.cluster_id, story.pk}
        Article.objects.filter(pk=article.pk).update(cluster=story)
        article.cluster = story
    return touched
