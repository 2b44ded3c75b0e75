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
    words: str  # folded, single spaces
    entities: tuple[tuple[str, int], ...] = ()  # (kind, id) the term names


def search_terms(q: str) -> list[Term]:
    """The terms of a search: quoted phrases whole, other words one by one, folded."""
    phrases = [fold(p) for p in _PHRASE.findall(q)]
    words = fold(_PHRASE.sub(" ", q)).split()
    seen: dict[str, None] = dict.fromkeys(t for t in [*phrases, *words] if t)
    return [Term(words) for words in seen]


def _named_entities(words: str) -> tuple[tuple[str, int], ...]:
    # One cheap query checks the compiled names are current (an alias added in admin counts).
    found = kb.knowledge_base_get().automaton.get(words, None)
    if found is None:
        return ()
    _length, keys, _prefixes, _checked = found
    named = {
        (_ENTITY_KEYS[k.kind], k.entity)
        for k in keys
        if k.kind in _ENTITY_KEYS and not k.needs_context
    }
    return tuple(sorted(named))


def search_filter(
    queryset: QuerySet[Article], q: str, *, aliases: bool = True
) -> QuerySet[Article]:
    """Articles with every term of `q`; with `aliases`, a known name also finds its tags."""
    terms = search_terms(q)
    if aliases and len(terms) > 1:
        # "Lopez Obrador" typed without quotes is a name as well as two words.
        whole = " ".join(t.words for t in terms)
        named = _named_entities(whole)
        if named:
            terms = [Term(whole, named)]
    for term in terms:
        entities = term.entities or (_named_entities(term.words) if aliases else ())
        match = Q(search_text__contains=f" {term.words} ")
        for kind, entity_id in entities:
            tagged = Mention.objects.filter(
                article=OuterRef("pk"),
                kind=kind,
                status__in=VISIBLE_STATUSES,
                **{f"{kind}_id": entity_id},
            )
            match |= Q(Exists(tagged))
        queryset = queryset.filter(match)
    return queryset
