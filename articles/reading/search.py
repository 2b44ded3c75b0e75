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

How a list of results is read depends on how many there are (search_is_broad), judged from
counts PostgreSQL gives cheaply: the share of articles with the rarest word (the statistics
ANALYZE keeps of the word index; a phrase's words come together, so their shares are not
multiplied) and a name's visible tags (counted in their index). Few: the indexes list the
matches, which are sorted by date. Many: articles are read newest first, each checked, and the
reading stops at the page. The same articles come out either way, in the same order.
"""

import re
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Exists, Func, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from articles.models import VISIBLE_STATUSES, Article, Mention
from articles.search_text import fold
from articles.tagging import kb

_PHRASE = re.compile(r'"([^"]*)"?')
# From this many matches a page of a search's newest is found sooner by reading articles
# newest first than by sorting every match (see search_is_broad; bench/bench_search.py).
WALK_FROM = 2_000
# The choice is kept a while in each process (a page and its count ask it twice): it changes
# how a search's list is read, never what it finds, and the counts it rests on drift slowly.
BROAD_KEPT_SECONDS = 600
BROAD_KEPT_QUERIES = 1_000
_BROAD: dict[str, tuple[float, bool]] = {}
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


def _has(words: str) -> Q:
    """The folded text has these words side by side: a plain substring search (strpos, instr),
    which reads a long text about twice as fast as LIKE with its wildcards (PostgreSQL)."""
    return Q(GreaterThan(StrIndex("search_text", Value(f" {words} ")), 0))


def _all_of(terms: list[Term], *, indexed: bool) -> Q:
    """Every term in the article's folded words, each between spaces: whole words only.

    `indexed`: the queryset has the `search_words` alias (PostgreSQL), whose index answers.
    """
    if not indexed:
        return Q(*(_has(term.words) for term in terms))
    words = list(dict.fromkeys(word for term in terms for word in term.words.split()))
    # An article has a word exactly when the word is among its words; a phrase's words, in
    # order and side by side, are then checked in the text of the articles that have them all.
    phrases = [_has(t.words) for t in terms if " " in t.words]
    return Q(*phrases, search_words__contains=words)


def _text_match(terms: list[Term], *, indexed: bool) -> QuerySet[Article]:
    articles = Article.objects.all()
    if indexed:
        articles = articles.alias(search_words=Words("search_text"))
    return articles.filter(_all_of(terms, indexed=indexed))


def _tags(kind: str, entity_id: int) -> QuerySet[Mention]:
    return Mention.objects.filter(kind=kind, status__in=VISIBLE_STATUSES, **{kind: entity_id})


def _tagged(named: tuple[tuple[str, int], ...]) -> Q:
    """Articles with a visible tag of one of these entities (no article when there are none)."""
    match = Q(pk__in=[])
    for kind, entity_id in named:
        match |= Q(Exists(_tags(kind, entity_id).filter(article=OuterRef("pk"))))
    return match


def _tagged_set(named: tuple[tuple[str, int], ...]) -> Q:
    """_tagged as sets of ids read once from the tags' index (in an OR, where PostgreSQL keeps
    each as one hashed list rather than joining it): a look-up per article, not a probe."""
    tagged = Q(pk__in=[])
    for kind, entity_id in named:
        tagged |= Q(pk__in=_tags(kind, entity_id).order_by().values("article_id"))
    return tagged


def _either_walked(terms: list[Term], named: tuple[tuple[str, int], ...], also: list[Term]) -> Q:
    """_either for a list read newest first: each article is checked, but a name's tagged
    articles, and the articles with its words when they are few, are sets read once from
    their indexes (PostgreSQL keeps such a set inside an OR as one hashed list): an article is
    then checked by looking it up, not by reading its text, however far the walk goes."""
    texts = [*terms, *also]
    words = list(dict.fromkeys(w for term in texts for w in term.words.split()))
    if _with_words_at_most(words) < WALK_FROM:
        text = Q(pk__in=_text_match(texts, indexed=True).order_by().values("pk"))
    else:
        text = _all_of(texts, indexed=False)
    tagged = _tagged_set(named)
    if also:
        tagged &= _all_of(also, indexed=False)
    return tagged | text


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
        # The tag first: one probe of an index, and a tagged article's text is not read.
        either = _tagged(named) | _all_of(terms, indexed=False)
        return either & _all_of(also, indexed=False) if also else either
    phrased = not also and any(" " in term.words for term in terms)
    if phrased:
        # A phrase's side-by-side check reads an article's text: in the list of ids only its
        # words, and the phrase checked on the listed articles that have no such tag, so that
        # a count that stops at its cap stops reading too.
        words = [Term(word) for term in terms for word in term.words.split()]
        matches = _text_match(words, indexed=True).order_by().values("pk")
    else:
        matches = _text_match([*terms, *also], indexed=True).order_by().values("pk")
    for kind, entity_id in named:
        tags = _tags(kind, entity_id)
        if also:
            tags = tags.filter(article__in=_text_match(also, indexed=True).values("pk"))
        matches = matches.union(tags.order_by().values("article_id"), all=True)
    if phrased:
        return Q(pk__in=matches) & (_tagged_set(named) | _all_of(terms, indexed=False))
    return Q(pk__in=matches)


@dataclass(frozen=True)
class Parsed:
    """A search's terms and the entities its names stand for."""

    terms: list[Term]
    # Entities named by all the terms together ("Lopez Obrador" typed without quotes); when
    # there are some, the terms are a name as well as words, and `names` is not used.
    whole: tuple[tuple[str, int], ...]
    # Each term with the entities it names (none for a plain word or phrase).
    names: list[tuple[Term, tuple[tuple[str, int], ...]]]


def _parsed(q: str, *, aliases: bool) -> Parsed:
    terms = search_terms(q)
    if not aliases or not terms:
        return Parsed(terms, (), [(term, ()) for term in terms])
    # One cheap query checks the compiled names are current (an alias added in admin counts).
    automaton = kb.knowledge_base_get().automaton
    if len(terms) > 1:
        # "Lopez Obrador" typed without quotes is a name as well as two words.
        whole = _named_entities(automaton, " ".join(t.words for t in terms))
        if whole:
            return Parsed(terms, whole, [])
    return Parsed(terms, (), [(term, _named_entities(automaton, term.words)) for term in terms])


def _at_most(queryset: QuerySet[Any], cap: int) -> int:
    return queryset.order_by()[:cap].count()


# Of each common word in the word index, the share of articles that have it, as ANALYZE last
# sampled it (the statistics the planner reads), and how many articles there were.
WORD_SHARES = """
SELECT u.word, u.share, (SELECT reltuples FROM pg_class WHERE oid = 'articles_article'::regclass)
  FROM pg_stats,
       unnest(most_common_elems::text::text[], most_common_elem_freqs) AS u(word, share)
 WHERE schemaname = current_schema() AND tablename = 'article_search_words_idx'
   AND u.word = ANY(%s)
"""


def _with_words_at_most(words: list[str]) -> float:
    """About how many articles have every one of `words` at most: as many as have the rarest.

    A word the statistics do not list is rare (fewer articles have it than the least common
    word they list). Words are not independent (a phrase's words come together), so the
    rarest word's count is the estimate, not the product of their shares.
    """
    with connection.cursor() as cursor:
        cursor.execute(WORD_SHARES, [words])
        rows = cursor.fetchall()
    shares = {word: share for word, share, _articles in rows}
    if not rows or any(word not in shares for word in words):
        return 0
    return min(shares.values()) * max(rows[0][2], 0)


def _matches_at_least(parsed: Parsed, cap: int) -> bool:
    """Whether `parsed` finds about `cap` articles or more, by counts the indexes give cheaply:
    the articles with its words (the rarest word's, from the statistics), and the visible tags
    of the entities it names (counted in their tags' index, up to `cap`)."""
    words = list(dict.fromkeys(w for term in parsed.terms for w in term.words.split()))
    found = _with_words_at_most(words)
    named = parsed.whole or tuple(entity for _term, named in parsed.names for entity in named)
    plain = [term for term, named in parsed.names if not named]
    if named and found < cap:
        tagged: float = sum(_at_most(_tags(kind, entity_id), cap) for kind, entity_id in named)
        if plain and not parsed.whole:
            # A name's tags count only on articles with the other words: those words bound them.
            plain_words = list(dict.fromkeys(w for term in plain for w in term.words.split()))
            tagged = min(tagged, _with_words_at_most(plain_words))
        found += tagged
    return found >= cap


def search_is_broad(q: str) -> bool:
    """Whether `q` finds so many articles (about WALK_FROM or more) that
    its newest are found sooner by reading articles newest first and checking each
    (search_filter with `per_row`) than by sorting every match by date. PostgreSQL only: other
    databases have no index of words to choose instead."""
    if not _indexed():
        return False
    now = time.monotonic()
    known = _BROAD.get(q)
    if known is not None and now - known[0] < BROAD_KEPT_SECONDS:
        return known[1]
    parsed = _parsed(q, aliases=True)
    broad = bool(parsed.terms) and _matches_at_least(parsed, WALK_FROM)
    if len(_BROAD) >= BROAD_KEPT_QUERIES:
        _BROAD.clear()
    _BROAD[q] = (now, broad)
    return broad


def search_filter(
    queryset: QuerySet[Article],
    q: str,
    *,
    aliases: bool = True,
    per_row: bool = False,
    walk: bool = False,
) -> QuerySet[Article]:
    """Articles with every term of `q`; with `aliases`, a known name also finds its tags.

    `per_row`: the filter is a check made article by article (a correlated subquery), for
    which reading the text costs less than the word index's expression. `walk`: so is it, for
    a list read newest first that stops at its page (see search_is_broad), but a name's tags
    are looked up in a set read once (_either_walked). The same articles match in every form.
    """
    parsed = _parsed(q, aliases=aliases)
    terms = parsed.terms
    if not terms:
        return queryset
    indexed = _indexed() and not per_row and not walk
    walked = _indexed() and walk and not per_row
    if indexed:
        queryset = queryset.alias(search_words=Words("search_text"))

    def either(terms: list[Term], named: tuple[tuple[str, int], ...], also: list[Term]) -> Q:
        if walked:
            return _either_walked(terms, named, also)
        return _either(terms, named, also=also, indexed=indexed)

    if parsed.whole:
        return queryset.filter(either(terms, parsed.whole, []))
    names = parsed.names
    plain = [term for term, named in names if not named]
    for term, named in names:
        if named:
            # The other words go into the name's list of ids (once, with the first name).
            queryset = queryset.filter(either([term], named, plain))
            plain = []
    return queryset.filter(_all_of(plain, indexed=indexed)) if plain else queryset
