"""Policies and meetings referred to by paraphrase: a recogniser's cue groups in one sentence
(a group marked as carried may be met in the sentence before).

Recognisers are knowledge-base data (summits.models.Recogniser) that editors see and edit in
admin; kb compiles each cue word, with its inflected forms, into the automaton.
"""

from __future__ import annotations

import re

from articles.models import MentionKind
from articles.tagging.kb import CUE, POSSESSIVE_PRONOUN
from articles.tagging.meetings import summit_meant_then
from articles.tagging.passage import Passage
from articles.tagging.policies import policy_exists

_NEGATIONS = ("non-", "non ", "no-")
_NEGATED = re.compile(r"\bno(?:n[- ]|-)$")
# 'arrived without a visa', 'llegaron sin visa', 'entrer sans visa': the cue is what is absent,
# which describes a situation, not the policy the cue stands for.
_WITHOUT_ENDS = (" ", "'")
_WITHOUT = re.compile(r"\b(?:without|sin|sans)(?: (?:a|an|any|un|una|une|de|d'|el|la|le|les))? ?$")


def _owned_by_antecedent(
    p: Passage, at: int, sentence: int, wanted: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The groups 'its' meets: those with the possessive of the country named last before it,
    in its sentence or the one before ('Mexico ... Its National Guard'; not after 'the U.S.')."""
    before = [pl for pl in p.places if pl.end <= at]
    if not before or p.sentences.index(before[-1].start) < sentence - 1:
        return []
    country = before[-1].country
    recognisers = p.kb.recognisers
    return [(r, g) for r, g in wanted if country in recognisers[r].possessed.get(g, ())]


def by_recognisers(p: Passage) -> None:
    cues = p.by_kind.get(CUE)
    if not cues:
        return
    # Most cue words are common ('border', 'asylum'): only a recogniser whose every group
    # occurs somewhere in the text, on a date it applies, is worth placing in sentences.
    live = p.kb.recognisers_complete([m.key for m in cues], p.on)
    if not live.ids:
        return
    groups: dict[tuple[int, int], set[int]] = {}  # (sentence, recogniser) -> groups seen
    first: dict[tuple[int, int], int] = {}
    wanted_of: dict[tuple[tuple[int, int], ...], list[tuple[int, int]]] = {}
    for m in cues:
        if not m.key.bits & live.cues:
            continue
        wanted = wanted_of.get(m.key.cues)
        if wanted is None:
            wanted = wanted_of[m.key.cues] = [(r, g) for r, g in m.key.cues if r in live.ids]
        if not wanted:
            continue
        # Not in a byline, and 'Mexic*' is not in 'New Mexico'.
        if p.excluded.covers(m.start, m.end) or p.blocks.overlaps(m.start, m.end):
            continue
        # 'non-agricultural' is not 'agricultural', nor 'non-Mexican' 'Mexican'.
        if p.folded.endswith(_NEGATIONS, 0, m.start) and _NEGATED.search(
            p.folded, max(0, m.start - 5), m.start
        ):
            continue
        if p.folded.endswith(_WITHOUT_ENDS, 0, m.start) and _WITHOUT.search(
            p.folded, max(0, m.start - 14), m.start
        ):
            continue
        sentence = p.sentences.index(m.start)
        if m.end - m.start == len(POSSESSIVE_PRONOUN) and p.folded.startswith(
            POSSESSIVE_PRONOUN, m.start
        ):
            wanted = _owned_by_antecedent(p, m.start, sentence, wanted)
        for r, group in wanted:
            key = (sentence, r)
            groups.setdefault(key, set()).add(group)
            first[key] = min(first.get(key, m.start), m.start)
    for key, seen in groups.items():
        recogniser = p.kb.recognisers[key[1]]
        if len(seen) < recogniser.groups and recogniser.carried:
            before = groups.get((key[0] - 1, key[1]), set())
            seen = seen | (before & recogniser.carried)
        if len(seen) < recogniser.groups or not recogniser.applies_on(p.on):
            continue
        if recogniser.kind == MentionKind.POLICY and not policy_exists(
            p.kb, recogniser.entity_id, p.on
        ):
            continue
        if recogniser.kind == MentionKind.SUMMIT and not summit_meant_then(
            p, recogniser.entity_id, first[key]
        ):
            continue
        p.record(
            kind=recogniser.kind,
            entity=recogniser.entity_id,
            confidence=recogniser.confidence,
            method="recogniser",
            at=first[key],
        )
