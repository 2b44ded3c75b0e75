"""What the editors' desk shows beside a tag: who the entity was on the article's date, and
the words of the evidence sentence that name it.

Everything here works on a page of mentions at once, with a fixed number of queries.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from articles.models import VISIBLE_STATUSES, Article, Feed, Mention, MentionKind
from articles.tagging.kb import fold
from articles.tagging.review import review_queue
from summits.models import Country, Official, Policy, PolicyStatus, Summit

# A sentence longer than this is shown as a window around the words that name the entity.
EVIDENCE_CHARS = 280


@dataclass
class TagContext:
    role: str  # "Secretary of Foreign Affairs, Mexico", "In force since 2019-01-29"
    evidence: SafeString  # the sentence, the entity's words in <mark>
    evidence_full: str  # the whole sentence when the shown one is a window of it, else ""


def _article_day(mention: Mention) -> date:
    when = mention.article.published_at or mention.created_at
    return timezone.localdate(when) if when else timezone.localdate()


def official_role(official: Official, on: date) -> str:
    """The office(s) an official held on a date, from prefetched tenures."""
    held = [
        f"{t.office}, {t.country.name_en}"
        for t in official.tenures.all()
        if t.start <= on and (t.end is None or t.end >= on)
    ]
    return "; ".join(held) or f"no office on {on.isoformat()}"


def policy_state(policy: Policy, on: date) -> str:
    events = [e for e in policy.events.all() if e.date <= on]
    if not events:
        return f"not yet announced on {on.isoformat()}"
    last = max(events, key=lambda e: e.date)
    return f"{PolicyStatus(last.status).label} since {last.date.isoformat()}"


def summit_when(summit: Summit, on: date) -> str:
    days = (summit.start_date - on).days
    if summit.start_date <= on <= summit.end_date:
        nearness = "during the meeting"
    elif days > 0:
        nearness = f"{days} day{'s' if days != 1 else ''} after the article"
    else:
        days = (on - summit.end_date).days
        nearness = f"{days} day{'s' if days != 1 else ''} before the article"
    place = f", {summit.city}" if summit.city else ""
    return f"{summit.start_date.isoformat()}{place}; {nearness}"


def entity_names(entity: Country | Official | Policy | Summit | None) -> list[str]:
    """The names an entity goes by, as the tagger may have found it (from prefetched rows)."""
    if isinstance(entity, Official):
        names = [entity.name, *(a.name for a in entity.aliases.all())]
        surname = entity.name.split()[-1] if entity.name.split() else ""
        if len(surname) >= 4:
            names.append(surname)
        return names
    if isinstance(entity, Country):
        return [
            entity.name_en,
            entity.name_es,
            entity.name_fr,
            *entity.demonyms_en,
            *entity.demonyms_es,
            *entity.demonyms_fr,
            *entity.aliases,
        ]
    if isinstance(entity, Policy):
        return [entity.name, *(a.name for a in entity.aliases.all())]
    if isinstance(entity, Summit):
        return [entity.title, *entity.aliases, entity.city]
    return []


def _spans(sentence: str, names: Iterable[str]) -> list[tuple[int, int]]:
    # Folding keeps every character at its offset: a match in the folded sentence marks the
    # same characters of the original.
    folded = fold(sentence)
    found: list[tuple[int, int]] = []
    for name in {fold(n).strip() for n in names if n and len(n.strip()) >= 2}:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            found.append(match.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def evidence_marked(sentence: str, names: Iterable[str]) -> tuple[SafeString, str]:
    """The sentence with the entity's names in <mark>, and the full sentence if it was cut."""
    spans = _spans(sentence, names)
    start, end, full = 0, len(sentence), ""
    if len(sentence) > EVIDENCE_CHARS:
        centre = spans[0][0] if spans else 0
        start = max(0, min(centre - EVIDENCE_CHARS // 3, len(sentence) - EVIDENCE_CHARS))
        end = start + EVIDENCE_CHARS
        full = sentence
    pieces: list[tuple[str, str]] = []
    at = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        pieces.append(("{}", sentence[at:a]))
        pieces.append(("<mark>{}</mark>", sentence[a:b]))
        at = b
    pieces.append(("{}", sentence[at:end]))
    body = format_html_join("", "{}", ((format_html(t, s),) for t, s in pieces))
    if start > 0:
        body = format_html("…{}", body)
    if end < len(sentence):
        body = format_html("{}…", body)
    return body, full


def tag_contexts(mentions: Sequence[Mention]) -> dict[int, TagContext]:
    """Role at the article's date and marked evidence for a page of mentions (select_related
    their article and entity); five queries whatever the page's size."""
    prefetch_related_objects(
        list(mentions),
        "official__aliases",
        "official__tenures__country",
        "policy__aliases",
        "policy__events",
    )
    out: dict[int, TagContext] = {}
    for mention in mentions:
        entity = mention.entity
        on = _article_day(mention)
        if mention.kind == MentionKind.OFFICIAL and isinstance(entity, Official):
            role = official_role(entity, on)
        elif mention.kind == MentionKind.POLICY and isinstance(entity, Policy):
            role = policy_state(entity, on)
        elif mention.kind == MentionKind.SUMMIT and isinstance(entity, Summit):
            role = summit_when(entity, on)
        else:
            role = ""
        evidence, full = evidence_marked(mention.evidence or "", entity_names(entity))
        out[mention.pk] = TagContext(role=role, evidence=evidence, evidence_full=full)
    return out


# --- link to summit ------------------------------------------------------------------------


@dataclass
class SummitSuggestion:
    summit: Summit
    days: int  # between the nearest article and the meeting; 0 during it
    officials: list[str]  # participants the articles mention
    countries: list[str]  # participating countries the articles mention
    score: float

    @property
    def reason(self) -> str:
        when = "during the meeting" if self.days == 0 else f"{self.days} days away"
        shared = ", ".join([*self.officials, *self.countries])
        return f"{when}; shares {shared}" if shared else when


def _distance(summit: Summit, day: date) -> int:
    if day < summit.start_date:
        return (summit.start_date - day).days
    if day > summit.end_date:
        return (day - summit.end_date).days
    return 0


def summits_suggested(*, article_ids: Iterable[int]) -> list[SummitSuggestion]:
    """Every summit, the likeliest for these articles first: nearest in date, then sharing
    the officials and countries they mention. Four queries."""
    ids = list(article_ids)
    days = [
        timezone.localdate(when)
        for when in Article.objects.filter(pk__in=ids, published_at__isnull=False).values_list(
            "published_at", flat=True
        )
    ]
    tags = Mention.objects.filter(article_id__in=ids, status__in=VISIBLE_STATUSES)
    officials = set(tags.filter(kind=MentionKind.OFFICIAL).values_list("official_id", flat=True))
    countries = set(tags.filter(kind=MentionKind.COUNTRY).values_list("country_id", flat=True))
    summits = Summit.objects.prefetch_related("participants__official", "countries")
    out = []
    for summit in summits:
        distance = min((_distance(summit, day) for day in days), default=9999)
        shared_officials = [
            p.official.name for p in summit.participants.all() if p.official_id in officials
        ]
        shared_countries = [c.name_en for c in summit.countries.all() if c.pk in countries]
        # A week away counts about as much as one shared participant.
        score = (
            10 / (1 + distance / 7) + 3 * len(shared_officials) + len(shared_countries)
            if days
            else 3 * len(shared_officials) + len(shared_countries)
        )
        out.append(SummitSuggestion(summit, distance, shared_officials, shared_countries, score))
    out.sort(key=lambda s: (-s.score, s.days, -s.summit.start_date.toordinal()))
    return out


# --- the admin home ------------------------------------------------------------------------

# Counts stop here: past it the home page says "10,000+" instead of counting a whole table.
COUNT_CAP = 10_000


@dataclass
class DeskCount:
    label: str
    count: int
    url: str
    permission: str  # the user needs it to see the count

    @property
    def shown(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count > COUNT_CAP else f"{self.count:,}"


def capped_count(queryset: Any) -> int:
    """Rows of the queryset, counting no further than COUNT_CAP + 1."""
    return queryset.order_by().values("pk")[: COUNT_CAP + 1].count()


def pending_tags() -> DeskCount:
    return DeskCount(
        label="tags waiting for review",
        count=capped_count(review_queue()),
        url=reverse("admin:articles_mentionreview_changelist"),
        permission="articles.view_mention",
    )


def failing_feeds() -> DeskCount:
    return DeskCount(
        label="failing feeds",
        count=capped_count(Feed.objects.filter(consecutive_failures__gt=0)),
        url=reverse("admin:articles_feed_changelist") + "?health=failing",
        permission="articles.view_feed",
    )


def discovery_candidates() -> DeskCount:
    from articles.models import DiscoveryCandidate
    from articles.tagging.discovery import candidates_open

    return DeskCount(
        label="discovery candidates",
        count=capped_count(DiscoveryCandidate.objects.filter(candidates_open())),
        url=reverse("admin:articles_discoverycandidate_changelist"),
        permission="articles.view_discoverycandidate",
    )


# What the admin home counts for the desk, in order.
DESK_COUNTERS: list[Callable[[], DeskCount]] = [pending_tags, discovery_candidates, failing_feeds]


def desk_counts(*, user: Any) -> list[DeskCount]:
    """The counts the admin home shows this user (those of models they may view)."""
    counts = []
    for counter in DESK_COUNTERS:
        count = counter()
        if user.has_perm(count.permission):
            counts.append(count)
    return counts
