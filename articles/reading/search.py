"""Search over articles: one behaviour on PostgreSQL and SQLite.

A search is a list of terms: the words typed, and phrases in double quotes. An article
matches when it has every term, as whole words, in its title, summary or body, accents and
case aside ("migracion" finds "migración", "Lopez Obrador" finds "López Obrador"). Each article
stores its folded words (`Article.search_text`, see articles.search_text), so a term is one
substring match of the folded term between spaces, on every database. On PostgreSQL an index
of each article's words (the folded text split at its spaces, migration 0030) finds the
articles that have all the words of a term, exactly: a word is then that test alone, a phrase
that test and the substring match of the phrase on the few articles it leaves. A check made
article by article (is an earlier copy of this story a match too?) reads the text instead,
which costs less than splitting it.

A term that is a name the tagger knows (an official's alias such as "AMLO", a policy's or a
meeting's name) also matches the articles tagged with that entity, whatever words they use.
Results are newest first, like every list.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Exists, Func, OuterRef, Q, QuerySet, TextField

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


class Words(Func):
    """An article's folded words as an array: the expression PostgreSQL's word index is on."""

    template = "string_to_array(%(expressions)s, ' ')"
    output_field = ArrayField(TextField())


def _indexed() -> bool:
    return connection.vendor == "postgresql"


def _all_of(terms: list[Term], *, indexed: bool) -> Q:
    """Every term in the article's folded words, each between spaces: whole words only.

    `indexed`: the queryset has the `search_words` alias (PostgreSQL), whose index answers.
    """
    if not indexed:
        return Q(*(Q(search_text__contains=f" {term.words} ") for term in terms))
    words = list(dict.fromkeys(word for term in terms for word in term.words.split()))
    # An article has a word exactly when the word is among its words; a phrase's words, in
    # order and side by side, are then checked in the text of the articles that have them all.
    phrases = [Q(search_text__contains=f" {t.words} ") for t in terms if " " in t.words]
    return Q(*phrases, search_words__contains=words)


def _text_match(terms: list[Term], *, indexed: bool) -> QuerySet[Article]:
    articles = Article.objects.all()
    if indexed:
        articles = articles.alias(search_words=Words("search_text"))
    return articles.filter(_all_of(terms, indexed=indexed))


def _tagged(named: tuple[tuple[str, int], ...]) -> Q:
    """Articles with a visible tag of one of these entities (no article when there are none)."""
    match = Q(pk__in=[])
    for kind, entity_id in named:
        tags = Mention.objects.filter(
            article=OuterRef("pk"), kind=kind, status__in=VISIBLE_STATUSES, **{kind: entity_id}
        )
        match |= Q(Exists(tags))
    return match


def _either(
    terms: list[Term], named: tuple[tuple[str, int], ...], *, also: list[Term], indexed: bool
) -> Q:
    """Articles with every term, or with a visible tag of one of these entities; and with
    every term of `also` either way.

    Searched, one list of article ids from two indexes (the words', the entity's tags'), the
    other terms applied to each half: an OR of the two conditions could use neither index,
    and would test every article. Checked article by article, the text and one probe of the
    tags' index.
    """
    if not indexed:
        either = _all_of(terms, indexed=False) | _tagged(named)
        return either & _all_of(also, indexed=False) if also else either
    matches = _text_match([*terms, *also], indexed=True).order_by().values("pk")
    for kind, entity_id in named:
        tags = Mention.objects.filter(kind=kind, status__in=VISIBLE_STATUSES, **{kind: entity_id})
        if also:
            tags = tags.filter(article__in=_text_match(also, indexed=True).values("pk"))
        matches = matches.union(tags.order_by().values("article_id"), all=True)
    return Q(pk__in=matches)


def search_filter(
    queryset: QuerySet[Article], q: str, *, aliases: bool = True, per_row: bool = False
) -> QuerySet[Article]:
    """Articles with every term of `q`; with `aliases`, a known name also finds its tags.

    `per_row`: the filter is a check made article by article (a correlated subquery), for
    which reading the text costs less than the word index's expression.
    """
    terms = search_terms(q)
    if not terms:
        return queryset
    indexed = _indexed() and not per_row
    if indexed:
        queryset = queryset.alias(search_words=Words("search_text"))
    if not aliases:
        return queryset.filter(_all_of(terms, indexed=indexed))
    # One cheap query checks the compiled names are current (an alias added in admin counts).
    automaton = kb.knowledge_base_get().automaton
    if len(terms) > 1:
        # "Lopez Obrador" typed without quotes is a name as well as two words.
        named = _named_entities(automaton, " ".join(t.words for t in terms))
        if named:
            return queryset.filter(_either(terms, named, also=[], indexed=indexed))
    names = [(term, _named_entities(automaton, term.words)) for term in terms]
    plain = [term for term, named in names if not named]
    for term, named in names:
        if named:
            # The other words go into the name's list of ids (once, with the first name).
            queryset = queryset.filter(_either([term], named, also=plain, indexed=indexed))
            plain = []
    return queryset.filter(_all_of(plain, indexed=indexed)) if plain else queryset
