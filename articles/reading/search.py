"""Search over articles: one behaviour on PostgreSQL and SQLite.

A search is a list of terms: the words typed, and phrases in double quotes. An article
matches when it has every term, as whole words, in its title, summary or body, accents and
case aside ("migracion" finds "migración", "Lopez Obrador" finds "López Obrador"). Each article
stores its folded words (`Article.search_text`, see articles.search_text), so a term is one
substring match of the folded term between spaces: the same SQL on every database, served
by a trigram index on PostgreSQL.

A term that is a name the tagger knows (an official's alias such as "AMLO", a policy's or a
meeting's name) also matches the articles tagged with that entity, whatever words they use.
Results are newest first, like every list.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from articles.models import VISIBLE_STATUSES, Article, Mention
from articles.search_text import fold
from articles.tagging import kb

_PHRASE = re.compile(r'"([^"]*)"?')
# The tagger's names for officials, policies and meetings; a surname shared by many, or one
# that is a common word, needs context the search box does not give and is left out.
_ENTITY_KEYS = {
    kb.OFFICIAL_FULL: "official",
    kb.OFFICIAL_SHORT: "official",
    kb.POLICY: "policy",
    kb.SUMMIT: "summit",
}


@dataclass(frozen=True)
class Term:
    words: str  # folded, single spaces: one word, or a quoted phrase


def search_terms(q: str) -> list[Term]:
    """The terms of a search: quoted phrases whole, other words one by one, folded."""
    phrases = [fold(p) for p in _PHRASE.findall(q)]
    words = fold(_PHRASE.sub(" ", q)).split()
    seen: dict[str, None] = dict.fromkeys(t for t in [*phrases, *words] if t)
    return [Term(words) for words in seen]


def _named_entities(automaton: Any, words: str) -> tuple[tuple[str, int], ...]:
    """The officials, policies and meetings the tagger knows by exactly these words."""
    found = automaton.get(words, None)
    if found is None:
        return ()
    _length, keys, _prefixes, _checked = found
    named = {
        (_ENTITY_KEYS[k.kind], k.entity)
        for k in keys
        if k.kind in _ENTITY_KEYS and not k.needs_context
    }
    return tuple(sorted(named))


def _all_of(terms: list[Term]) -> Q:
    """Every term in the article's folded words, each between spaces: whole words only."""
    return Q(*(Q(search_text__contains=f" {term.words} ") for term in terms))


def _tagged(named: tuple[tuple[str, int], ...]) -> Q:
    """Articles with a visible tag of one of these entities (no article when there are none)."""
    match = Q(pk__in=[])
    for kind, entity_id in named:
        tags = Mention.objects.filter(
            article=OuterRef("pk"), kind=kind, status__in=VISIBLE_STATUSES, **{kind: entity_id}
        )
        match |= Q(Exists(tags))
    return match


def search_filter(
    queryset: QuerySet[Article], q: str, *, aliases: bool = True
) -> QuerySet[Article]:
    """Articles with every term of `q`; with `aliases`, a known name also finds its tags."""
    terms = search_terms(q)
    if not terms:
        return queryset
    if not aliases:
        return queryset.filter(_all_of(terms))
    # One cheap query checks the compiled names are current (an alias added in admin counts).
    automaton = kb.knowledge_base_get().automaton
    if len(terms) > 1:
        # "Lopez Obrador" typed without quotes is a name as well as two words.
        named = _named_entities(automaton, " ".join(t.words for t in terms))
        if named:
            return queryset.filter(_all_of(terms) | _tagged(named))
    for term in terms:
        queryset = queryset.filter(
            _all_of([term]) | _tagged(_named_entities(automaton, term.words))
        )
    return queryset
