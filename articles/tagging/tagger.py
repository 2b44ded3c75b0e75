"""Tag articles with the countries, officials, policies and summits they are about.

One automaton pass over folded text finds every known name (passage.py); the steps below
then decide what counts, each in its own module: officials (names in context, roles, mangled
names), policies, meetings. Editors' decisions on mentions are final.
"""

# Word lists read best as text.
# ruff: noqa: SIM905

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article, Mention, MentionKind, MentionStatus
from articles.tagging.kb import (
    COUNTRY,
    MONTHS,
    STOPWORDS,
    TITLE_WORDS,
    KnowledgeBase,
    fold,
    knowledge_base_get,
    knowledge_base_is_pinned,
)
from articles.tagging.kb import knowledge_base_reset as _kb_reset
from articles.tagging.meetings import summits
from articles.tagging.officials import (
    officials_by_counterpart,
    officials_by_fuzzy_name,
    officials_by_name,
    officials_by_role,
)
from articles.tagging.passage import Match, Passage, Place
from articles.tagging.policies import policies_by_name, policies_translated
from articles.tagging.recognisers import by_recognisers
from articles.tagging.review import review_sampled, review_threshold
from summits.models import Country, Official, Policy, Summit

TAGGER_VERSION = "2025.1"

MIN_CONFIDENCE = 0.5


@dataclass
class Found:
    kind: str
    entity_id: int
    name: str
    confidence: float
    method: str
    evidence: str
    date: date | None = None  # summits: start date


def knowledge_base_reset() -> None:
    """Drop the compiled knowledge base, e.g. after reference data changed."""
    _kb_reset()


def text_tag(
    *,
    text: str,
    title: str = "",
    on: date,
    authors: Sequence[str] = (),
    language: str = "",
) -> list[Found]:
    """Countries, officials, policies and summits a text is about, one Found per entity.

    `language` (en, es, fr) is guessed from the text when not given.
    """
    kb = knowledge_base_get(max_unchecked_seconds=1.0)
    return tag_with(kb, text=text, title=title, on=on, authors=authors, language=language)


def tag_with(
    kb: KnowledgeBase,
    *,
    text: str,
    title: str,
    on: date,
    authors: Sequence[str],
    language: str = "",
) -> list[Found]:
    """text_tag with a given compiled knowledge base (previews compare two)."""
    p = Passage.read(kb, text=text, title=title, on=on, authors=authors, language=language)
    countries(p)
    officials_by_name(p)
    officials_by_role(p)
    officials_by_fuzzy_name(p)
    officials_by_counterpart(p)
    policies_by_name(p)
    policies_translated(p)
    by_recognisers(p)
    summits(p)
    return _founds(p)


# Words that continue a place's name into an institution's or a city's, not a person's.
_PLACE_NOUNS = set(
    """
city ciudad ville state estado etat border frontera frontiere army ejercito armee navy
senate senado senat congress congreso embassy embajada ambassade government gobierno
gouvernement airport aeropuerto aeroport bay island islands province provincia street road
agency agencia agence police policia guard guardia garde ministry bank banco banque post
times news today herald tribune daily journal radio tv television televisa customs aduanas
immigration monday tuesday wednesday thursday friday saturday sunday
""".split()
)
_NEXT_WORD = re.compile(r" ([A-ZÀ-Þ][a-zà-ÿ'\u2019\-]{2,})(?: ([A-ZÀ-Þ])?)?")
_ARTICLE_BEFORE = re.compile(
    r"(?:^|[^\w])(?:in|to|from|of|the|and|for|with|en|de|a|el|la|y|con|desde|para|por|le|au|"
    r"du|et|avec|pour|vers|des|los|les) $"
)


def _first_name(p: Passage, m: Match) -> bool:
    """Whether a one-word place name is a person's first name: 'Salvador Cienfuegos' said.

    It is when a capitalised word that names no place, title or institution follows it and
    ends the capitalised run, and no article or preposition comes before it."""
    if " " in p.folded[m.start : m.end]:
        return False
    after = _NEXT_WORD.match(p.doc, m.end)
    if after is None or after.group(2):  # nothing capitalised after, or a Title-Case run
        return False
    word = fold(after.group(1))
    if (
        word in _PLACE_NOUNS
        or word in TITLE_WORDS
        or word in STOPWORDS
        or word in p.kb.known_words
        or word in MONTHS
    ):
        return False
    return not _ARTICLE_BEFORE.search(p.folded, max(0, m.start - 12), m.start)


def countries(p: Passage) -> None:
    """Countries by name or demonym; those in bylines still place a role ('Mexico's ...')."""
    for m in p.longest([COUNTRY]):
        if p.blocks.covers(m.start, m.end) or _first_name(p, m):
            continue
        p.places.append(Place(m.start, m.end, m.key.entity))
        if not p.excluded.covers(m.start, m.end):
            p.record(
                kind=MentionKind.COUNTRY,
                entity=m.key.entity,
                confidence=m.key.confidence,
                method=m.key.method,
                at=m.start,
            )


_ORDER: dict[str, int] = {
    MentionKind.COUNTRY: 0,
    MentionKind.OFFICIAL: 1,
    MentionKind.POLICY: 2,
    MentionKind.SUMMIT: 3,
}


def _founds(p: Passage) -> list[Found]:
    found = []
    sentence = p.sentences.sentence
    for (kind, entity), (confidence, method, at) in p.results.items():
        if confidence < MIN_CONFIDENCE:
            continue
        name, day = _entity_name(p.kb, kind, entity)
        found.append(Found(kind, entity, name, confidence, method, sentence(at), day))
    found.sort(key=lambda f: (_ORDER[f.kind], -f.confidence, f.name))
    return found


def _entity_name(kb: KnowledgeBase, kind: str, entity: int) -> tuple[str, date | None]:
    if kind == MentionKind.COUNTRY:
        return kb.countries[entity], None
    if kind == MentionKind.OFFICIAL:
        return kb.officials[entity].name, None
    if kind == MentionKind.POLICY:
        return kb.policies[entity], None
    summit = kb.summits[entity]
    return summit.title, summit.start


# --- writing mentions ------------------------------------------------------------------------

_FK: dict[str, str] = {
    MentionKind.COUNTRY: "country_id",
    MentionKind.OFFICIAL: "official_id",
    MentionKind.POLICY: "policy_id",
    MentionKind.SUMMIT: "summit_id",
}
_ENTITY_MODEL: dict[str, type[Country | Official | Policy | Summit]] = {
    MentionKind.COUNTRY: Country,
    MentionKind.OFFICIAL: Official,
    MentionKind.POLICY: Policy,
    MentionKind.SUMMIT: Summit,
}


def article_mentions_write(*, article: Article, new: bool = False) -> None:
    """Tag an article and write its mentions without reading them back (the ingestion path).

    `new`: the article was stored a moment ago, so there are no mentions to read first.
    """
    articles_mentions_write(articles=[article], new=new)


def articles_tags(*, articles: Sequence[Article]) -> list[list[Found]]:
    """What the tagger finds in each article, computed without touching the database."""
    kb = knowledge_base_get()
    zone = timezone.get_current_timezone()
    return [
        tag_with(
            kb,
            text=article.body or strip_tags(article.summary or ""),
            title=article.title,
            on=(
                timezone.localdate(article.published_at, zone)
                if article.published_at
                else timezone.localdate(timezone=zone)
            ),
            authors=article.authors or [],
            language=article.language,
        )
        for article in articles
    ]


def articles_mentions_write(
    *,
    articles: Sequence[Article],
    new: bool = False,
    found: list[list[Found]] | None = None,
    stamped: bool = False,
) -> None:
    """Tag a batch of articles and write their mentions in one insert (the ingestion path).

    `found`: what `articles_tags` found in them a moment ago, when the caller has it.
    `stamped`: the articles were inserted in this transaction with `tagged_at` and
    `tagger_version` already set (see `article_stamp`), so their rows need no second write.
    """
    if not articles:
        return
    for attempt in (1, 2):
        # Inside knowledge_base_pinned() the base is not checked per article; a row deleted
        # since it was checked then fails a foreign key here, and one recompile settles it.
        if found is None or attempt == 2:
            found = articles_tags(articles=articles)
        try:
            # A mention an editor added meanwhile breaks a unique constraint: the second
            # attempt reads the articles' mentions after all.
            _mentions_save(
                articles, found, fresh=new and attempt == 1, stamped=stamped and attempt == 1
            )
        except IntegrityError:
            if attempt == 2:
                raise
            knowledge_base_reset()
        else:
            return


class _NewMention(NamedTuple):
    """A mention the tagger found that the article does not have yet."""

    article_id: int
    kind: str
    entity_id: int
    confidence: float
    method: str
    evidence: str


_COPIED_COLUMNS = ["published_at", "article_source_id", "article_cluster_id"]


class _Copied(NamedTuple):
    """What a mention copies from its article (kept by the database, migration 0033)."""

    published_at: datetime | None
    source_id: int | None
    cluster_id: int | None


def _copied_values(copied: _Copied | None, adapt: Callable[[Any], Any]) -> tuple[Any, ...]:
    if copied is None:
        return (None, None, None)
    return (adapt(copied.published_at), copied.source_id, copied.cluster_id)


def _mentions_insert(
    mentions: Iterable[_NewMention],
    *,
    now: datetime,
    copied: Mapping[int, _Copied] | None = None,
) -> None:
    """Insert new automatic mentions as plain rows: one COPY on PostgreSQL, elsewhere one
    statement run for each.

    Thousands a minute while feeds are read, so they skip the model's per-field conversion.
    `copied`: the articles' date, outlet and story, for articles inserted in this
    transaction; the rows carry them and the database only checks them, once per statement
    (migrations 0030 and 0033). Without them the database's triggers fill them in, as for
    every other write path.
    """
    threshold = review_threshold()
    stamp = connection.ops.adapt_datetimefield_value(now)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            m.article_id,
            m.kind,
            *(m.entity_id if kind == m.kind else None for kind in _FK),
            m.confidence,
            m.method[:40],
            m.evidence,
            MentionStatus.AUTO.value,
            m.confidence >= threshold
            and review_sampled(article_id=m.article_id, kind=m.kind, entity_id=m.entity_id),
            stamp,
            stamp,
            *(_copied_values(copied.get(m.article_id), adapt) if copied is not None else ()),
        )
        for m in mentions
    ]
    if not rows:
        return
    table = connection.ops.quote_name(Mention._meta.db_table)
    columns = [
        "article_id", "kind", *_FK.values(), "confidence", "method", "evidence", "status",
        "sampled_for_review", "created_at", "updated_at",
        *(_COPIED_COLUMNS if copied is not None else []),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: a batch's few thousand rows in one stream, at under half the cost of as
            # many INSERTs; the triggers and constraints apply as to any insert. Errors are
            # Django's, as from any query (a unique mention added meanwhile: IntegrityError).
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        # The table and column names are the model's own; the values are parameters.
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def _mention_refresh(mention: Mention, f: Found, confidence: float) -> bool:
    """Bring an automatic mention up to date; False when nothing changed or an editor decided."""
    if mention.status != MentionStatus.AUTO:
        return False
    if (mention.confidence, mention.method, mention.evidence) == (confidence, f.method, f.evidence):
        return False
    mention.confidence, mention.method, mention.evidence = confidence, f.method, f.evidence
    return True


def article_stamp(article: Article) -> None:
    """Mark an article about to be inserted as tagged by this tagger, for its insert."""
    article.tagged_at, article.tagger_version = timezone.now(), TAGGER_VERSION


def _mentions_save(
    articles: Sequence[Article], founds: Sequence[list[Found]], *, fresh: bool, stamped: bool
) -> None:
    # Foreign keys are checked when the transaction commits: inside someone else's
    # transaction that would be too late to tag again, so there rows are looked up first.
    verify = knowledge_base_is_pinned() and transaction.get_connection().in_atomic_block
    now = timezone.now()
    ids = [article.pk for article in articles]
    # Articles inserted in this very transaction are seen by no one else: no mention of
    # theirs can be in the way, so their insert needs no savepoint to fall back to.
    with contextlib.nullcontext() if stamped else transaction.atomic():
        # Writing the articles' rows first also locks them: two taggers of one article take
        # turns.
        if not stamped:
            written = Article.objects.filter(pk__in=ids).update(
                tagged_at=now, tagger_version=TAGGER_VERSION
            )
            if written != len(set(ids)):
                raise Article.DoesNotExist("an article to tag no longer exists")
        existing: dict[tuple[int, str, int], Mention] = {}
        if not fresh:
            existing = {
                (m.article_id, m.kind, getattr(m, _FK[m.kind])): m
                for m in Mention.objects.filter(article_id__in=ids)
            }
        wanted = set()
        new: dict[tuple[int, str, int], _NewMention] = {}
        changed: list[Mention] = []
        for article, article_founds in zip(articles, founds, strict=True):
            for f in article_founds:
                key = (article.pk, f.kind, f.entity_id)
                wanted.add(key)
                confidence = round(min(1.0, max(0.0, f.confidence)), 3)
                if key in new:
                    continue
                if key not in existing:
                    new[key] = _NewMention(
                        article.pk, f.kind, f.entity_id, confidence, f.method, f.evidence
                    )
                elif _mention_refresh(existing[key], f, confidence):
                    existing[key].updated_at = now
                    changed.append(existing[key])
        if new and verify and _entities_missing(list(new.values())):
            raise IntegrityError("a tagged entity was deleted from the knowledge base")
        _mentions_insert(
            new.values(),
            now=now,
            # Articles inserted in this transaction: their dates, outlets and stories are the
            # ones just written.
            copied={a.pk: _Copied(a.published_at, a.source_id, a.cluster_id) for a in articles}
            if stamped
            else None,
        )
        if changed:
            Mention.objects.bulk_update(changed, ["confidence", "method", "evidence", "updated_at"])
        stale = [
            m.pk
            for key, m in existing.items()
            if key not in wanted and m.status == MentionStatus.AUTO
        ]
        if stale:
            Mention.objects.filter(pk__in=stale, status=MentionStatus.AUTO).delete()
    if not stamped:
        for article in articles:
            article.tagged_at, article.tagger_version = now, TAGGER_VERSION


def _entities_missing(mentions: list[_NewMention]) -> bool:
    """Whether any mention points at a country, official, policy or summit that is gone."""
    wanted: dict[str, set[int]] = {}
    for m in mentions:
        wanted.setdefault(m.kind, set()).add(m.entity_id)
    parts, params = [], []
    for kind, ids in wanted.items():
        table = connection.ops.quote_name(_ENTITY_MODEL[kind]._meta.db_table)
        marks = ", ".join(["%s"] * len(ids))
        # Table names come from our own models; the ids are parameters.
        parts.append(f"SELECT COUNT(*) FROM {table} WHERE id IN ({marks})")  # noqa: S608
        params += sorted(ids)
    # Raw SQL: this runs once per article, and building it through the ORM cost more than
    # running it.
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = sum(row[0] for row in cursor.fetchall())
    return found != sum(len(ids) for ids in wanted.values())
