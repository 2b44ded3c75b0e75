"""Policies: by name or alias, and by a name translated word by word."""

# Word lists read best as text.
# ruff: noqa: SIM905

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from articles.models import MentionKind
from articles.tagging.kb import CONCEPT, COUNTRY, POLICY, STOPWORDS, KnowledgeBase
from articles.tagging.passage import Passage

# 'remain in Mexico' in lower case is often just a phrase, not the programme, unless a word
# like 'policy' follows it.
_POLICY_NOUN_AFTER = re.compile(
    r"[ \"']*(?:policy|program|programme|programa|politica|politique|"
    r"rule|regla|protocols?|agreement|accord)\b"
)


# A long official name names the policy in lower case too ('temporary protected status',
# 'the seasonal agricultural worker program'): four words that are not stop words, or three with
# one that says what kind of thing it is. 'Safe third country' and 'remain in Mexico' (a
# country's name) stay phrases.
_KIND_OF_POLICY = set(
    """
status estatus statut program programme programa agreement agreements acuerdo acuerdos accord
accords entente protocol protocols protocole protocoles protocolo protocolos strategy estrategia
strategie rule regla regle proclamation proclamacion framework marco cadre offices oficinas
bureaux initiative iniciativa declaration declaracion
""".split()
)
_WORD = re.compile(r"[\w']+")


# 'Guatemala signed a safe third country agreement': after 'a' the name is a kind of thing.
_GENERIC_BEFORE = re.compile(r"\b(?:a|an|another|any|un|una|une|otro|otra|autre)\W{1,3}$")


def _descriptive(p: Passage, start: int, end: int) -> bool:
    if _GENERIC_BEFORE.search(p.folded, max(0, start - 12), start):
        return False
    words = [w for w in _WORD.findall(p.folded[start:end]) if w not in STOPWORDS]
    if len(words) < 3 or (len(words) == 3 and not _KIND_OF_POLICY & set(words)):
        return False
    return not any(start <= c.start < end for c in p.by_kind.get(COUNTRY, ()))


# News previews a policy some weeks before its first dated event; further back a name like
# 'Roxham Road' is a place, not yet the closure.
_PREVIEW_DAYS = 45


def policy_exists(kb: KnowledgeBase, policy: int, on: date) -> bool:
    """An article written long before a policy's first dated event is not about it."""
    since = kb.policy_since.get(policy)
    return since is None or on >= since - timedelta(days=_PREVIEW_DAYS)


def policies_by_name(p: Passage) -> None:
    for m in p.longest([POLICY]):
        if p.excluded.covers(m.start, m.end):
            continue
        if not policy_exists(p.kb, m.key.entity, p.on):
            continue
        confidence = m.key.confidence
        if m.key.proper and not p.doc[m.start].isupper():
            if _descriptive(p, m.start, m.end):
                confidence = min(confidence, 0.85)
            elif _POLICY_NOUN_AFTER.match(p.folded[m.end : m.end + 30]):
                confidence = 0.7
            else:
                continue
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
    for concepts, policy in p.kb.policy_concepts:
        if not concepts <= present:
            continue
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
