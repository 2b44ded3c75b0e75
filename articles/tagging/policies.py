"""Policies: by name or alias, and by a name translated word by word."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from articles.models import MentionKind
from articles.tagging.kb import CONCEPT, POLICY, KnowledgeBase
from articles.tagging.passage import Passage

# 'remain in Mexico' in lower case is often just a phrase, not the programme, unless a word
# like 'policy' follows it.
_POLICY_NOUN_AFTER = re.compile(
    r"[ \"']*(?:policy|program|programme|programa|politica|politique|"
    r"rule|regla|protocols?|agreement|accord)\b"
)


# News previews a policy some weeks before its first dated event; further back a name like
# 'Roxham Road' is a place, not yet the closure.
_PREVIEW = timedelta(days=45)


def policy_exists(kb: KnowledgeBase, policy: int, on: date) -> bool:
    """An article written long before a policy's first dated event is not about it."""
    since = kb.policy_since.get(policy)
    return since is None or on >= since - _PREVIEW


def policies_by_name(p: Passage) -> None:
    for m in p.longest([POLICY]):
        if p.excluded.covers(m.start, m.end):
            continue
        if not policy_exists(p.kb, m.key.entity, p.on):
            continue
        confidence = m.key.confidence
        if m.key.proper and not p.doc[m.start].isupper():
            if not _POLICY_NOUN_AFTER.match(p.folded[m.end : m.end + 30]):
                continue
            confidence = 0.7
        p.record(
            kind=MentionKind.POLICY,
            entity=m.key.entity,
            confidence=confidence,
            method=m.key.method,
            at=m.start,
        )


class _Concept(NamedTuple):
    start: int
    concept: str


def policies_translated(p: Passage) -> None:
    """A policy name translated word by word: all its concepts close together, capitalised."""
    matches = p.by_kind.get(CONCEPT, [])
    present = {m.key.concept for m in matches}
    if len(present) < 2:
        return
    hits: list[_Concept] = []
    for concepts, policy in p.kb.policy_concepts_within(present):
        if not hits:  # most texts have no policy's every concept: sorted only when needed
            hits = sorted(_Concept(m.start, m.key.concept) for m in matches)
        span_limit = 16 * len(concepts) + 8
        relevant = [c for c in hits if c.concept in concepts]
        for i, first in enumerate(relevant):
            seen: set[str] = set()
            for c in relevant[i:]:
                if c.start - first.start > span_limit:
                    break
                seen.add(c.concept)
                if seen == concepts:
                    if p.doc[first.start].isupper() and policy_exists(p.kb, policy, p.on):
                        p.record(
                            kind=MentionKind.POLICY,
                            entity=policy,
                            confidence=0.7,
                            method="translated-name",
                            at=first.start,
                        )
                    break
