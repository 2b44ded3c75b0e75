"""Figures the pages compute from many rows, kept in the cache until the data changes.

A figure is the result of one query (an aggregate's rows, or a count). It is stored under a
key made of the query's own SQL and parameters and of the data version, a number the database
raises with every committed change to articles, tags, sources, story clusters and the
knowledge base (triggers, migration 0023). So a figure is read afresh after any write, by any
path, with no time limit to tune, and a change to the query in the code is a new key.

A part of a page that renders many rows (the home timeline's meetings, the coverage sections
of a summit, official, country or policy, the rows of the article list and of a summit's
articles, the article list's filter form) is kept the same way, as HTML, under the data
version, the page's language and address prefix, what the caller says it depends on, and this
process: a new release's templates never serve an older one's HTML. The Atom feeds and JSON
answers are kept whole in the same way (`text_cached`), under their absolute address.

A part drawn from the knowledge base alone (a meeting's card on the home timeline) is kept
under the knowledge-base version instead (migration 0026), which ingestion never raises: after
a batch of articles only the parts that count articles are drawn again.

A part of a summit's, official's, country's or policy's page drawn from the knowledge base and
the entity's own tags, their articles and those articles' other tags alone
(`entity_html_cached`) is kept across writes that do not touch it: under the knowledge-base
version, and checked against a journal of edits numbered as they commit (migrations 0028 to
0030) for one of its tags (a new one among them), articles (a tag added to one among them) or
their stories, or an outlet. A part that only counts (per day, month, outlet, story; the
entities tagged with it) is also kept across edits of its articles' titles and text. A part
drawn from the articles of some outlets (a country's press, `outlets_html_cached`) is kept
while they have as many articles and the journal names none of them. An ingestion batch about
one meeting then leaves every other meeting's page kept, and every other entity's page. The
facts of such a page, from the knowledge base alone, are kept under its version
(`kb_html_cached`).

A session that has written to those tables and not yet committed sees data no one else does:
it computes its figures and stores none (on SQLite, any session inside a transaction).
"""

import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple, TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")
# Figures and parts kept under the data version become unreachable with the next write (every
# few seconds while feeds are ingested): they leave the cache after this long, so that they
# do not crowd out what is kept longer (the export rate limit's counts among them).
FIGURE_SECONDS = 3600
# Parts kept across writes (under the knowledge-base version, or an entity's own changes).
KEPT_SECONDS = 24 * 3600
# HTML is this process's own: the code that rendered it is part of what it depends on.
_RENDERER = secrets.token_hex(8)


# The data version a kept part was drawn under, for the parts and figures read inside it: they
# read their data after it was read, so they are at least as new as that version says.
_DRAWING: ContextVar[tuple[int | None] | None] = ContextVar("drawing", default=None)


def data_version() -> int | None:
    """The data version, or None when this session may have uncommitted changes of its own."""
    drawing = _DRAWING.get()
    if drawing is not None:
        return drawing[0]
    if connection.vendor != "postgresql" and connection.in_atomic_block:
        # SQLite cannot say whether this transaction wrote: it reads afresh.
        return None
    if connection.vendor == "postgresql":
        sql = (
            "SELECT number, coalesce(current_setting('tracker.data_changed', true), '') = 'on' "
            "FROM tracker_data_version WHERE id = 1"
        )
    else:
        sql = "SELECT number, 0 FROM tracker_data_version WHERE id = 1"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None or row[1]:
        return None
    return int(row[0])


def kb_version() -> int | None:
    """The knowledge-base version, or None when this session may have uncommitted changes."""
    drawing = _DRAWING.get()
    if drawing is not None and drawing[0] is None:
        # Inside a part drawn afresh for this session's own changes: so is every part.
        return None
    if connection.vendor != "postgresql" and connection.in_atomic_block:
        return None
    if connection.vendor == "postgresql":
        # Every knowledge-base table also raises the data version: its setting says it all.
        sql = (
            "SELECT number, coalesce(current_setting('tracker.data_changed', true), '') = 'on' "
            "FROM tracker_kb_version WHERE id = 1"
        )
    else:
        sql = "SELECT number, 0 FROM tracker_kb_version WHERE id = 1"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None or row[1]:
        return None
    return int(row[0])


def _key(what: str, qs: QuerySet[Any]) -> str | None:
    version = data_version()
    if version is None:
        return None
    sql, params = qs.query.sql_with_params()
    digest = hashlib.sha256(repr((what, sql, params)).encode()).hexdigest()[:32]
    return f"figure:{version}:{digest}"


def rows_cached(qs: QuerySet[Any]) -> list[Any]:
    """The rows of `qs` (a values() or values_list() query), from the cache when current."""
    key = _key("rows", qs)
    found = cache.get(key) if key else None
    if found is not None:
        return list(found)
    rows = list(qs)
    if key:
        cache.set(key, rows, FIGURE_SECONDS)
    return rows


def count_cached(qs: QuerySet[Any]) -> int:
    """`qs.count()`, from the cache when current."""
    key = _key("count", qs)
    found = cache.get(key) if key else None
    if found is not None:
        return int(found)
    count = qs.count()
    if key:
        cache.set(key, count, FIGURE_SECONDS)
    return count


def text_cached(name: str, depends: tuple[Any, ...], render: Callable[[], str]) -> str:
    """The text `render` returns, from the cache when the data and `depends` are the same."""
    version = data_version()
    if version is None:
        return _drawn(version, render)
    parts = (name, get_language(), get_script_prefix(), _RENDERER, depends)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"html:{version}:{digest}"
    found = cache.get(key)
    if found is None:
        found = _drawn(version, render)
        cache.set(key, found, FIGURE_SECONDS)
    return str(found)


def _drawn(version: int | None, render: Callable[[], str]) -> str:
    token = _DRAWING.set((version,))
    try:
        return render()
    finally:
        _DRAWING.reset(token)


def html_cached(name: str, depends: tuple[Any, ...], render: Callable[[], str]) -> SafeString:
    """The HTML `render` returns, from the cache when the data and `depends` are the same."""
    return mark_safe(text_cached(name, depends, render))  # noqa: S308 - the engine escaped it


def kb_html_cached_each(
    name: str,
    items: Sequence[T],
    *,
    depends: Callable[[T], tuple[Any, ...]],
    render: Callable[[list[T]], list[str]],
) -> list[SafeString]:
    """The HTML of a part drawn from the knowledge base alone for each item, from the cache
    (one read and one write for the list) when the knowledge base and the items' `depends`
    are the same; `render` draws the HTML of the items it is given, in their order."""
    version = kb_version()
    if version is None:
        return [mark_safe(html) for html in render(list(items))]  # noqa: S308 - escaped
    # One entry for the list: the database cache writes each entry in five queries, and the
    # home timeline's cards were 58 entries (a third of its first reading).
    parts = (name, get_language(), get_script_prefix(), _RENDERER, [depends(i) for i in items])
    key = f"kb-html:{version}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"
    found = cache.get(key)
    if found is None:
        found = render(list(items))
        cache.set(key, found, KEPT_SECONDS)
    return [mark_safe(html) for html in found]  # noqa: S308 - the template engine escaped it


# Parts of an entity's page kept across writes that do not touch it --------------------------

# The mention column naming each kind of entity (fixed names: safe to write into SQL).
_ENTITY_COLUMN = {
    "country": "country_id",
    "official": "official_id",
    "policy": "policy_id",
    "summit": "summit_id",
}


class _Mark(NamedTuple):
    """What an entity's kept part was drawn under."""

    data: int  # the data version: while it is the same, nothing changed at all
    kb: int  # the knowledge-base version
    # What is counted to notice rows the journal does not name: the outlets' articles for a
    # country's press (outlets_html_cached); 0 for an entity, whose new tags are journaled.
    counted: int
    journal: int  # the page change journal's number (migration 0028)
    pruned: int  # the journal's rows up to this number are deleted


class _Kept(NamedTuple):
    mark: _Mark
    text: str


class _Reading:
    """Whether an entity changed, read once for the parts of a request, and only when the
    data version moved since a part was kept."""

    def __init__(self, kind: str, entity_id: int) -> None:
        self.kind, self.entity_id = kind, entity_id
        self.data = data_version()
        self.kb = kb_version() if self.data is not None else None
        self._mark: _Mark | None = None

    @property
    def current(self) -> bool:
        """False when this session has uncommitted changes of its own."""
        return self.data is not None and self.kb is not None

    def mark(self) -> _Mark:
        if self._mark is None:
            assert self.data is not None and self.kb is not None
            journal, pruned = _journal_number()
            self._mark = _Mark(self.data, self.kb, 0, journal, pruned)
        return self._mark


# The readings of the entities whose parts are being read in this request.
_READINGS: ContextVar[dict[tuple[str, int], _Reading] | None] = ContextVar("readings", default=None)


def _journal_number() -> tuple[int, int]:
    """The journal's number and up to where it was deleted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, pruned FROM tracker_page_version WHERE id = 1")
        number, pruned = cursor.fetchone()
    return int(number), int(pruned)


def _journal_touches(kind: str, entity_id: int, since: int, until: int, *, counts: bool) -> bool:
    """Whether an edit numbered after `since` up to `until` may change the entity's parts: of
    one of its tags, of an article it tags, of the story of such an article, or of an outlet;
    with `counts`, only the edits that may change what is counted (migration 0030)."""
    column = _ENTITY_COLUMN[kind]
    # The column comes from _ENTITY_COLUMN; every value is a parameter.
    sql = f"""
        SELECT 1 FROM tracker_page_change j
        WHERE j.version > %s AND j.version <= %s AND (j.counted OR NOT %s) AND (
            j.everything
            OR (j.kind = %s AND j.entity_id = %s)
            OR (j.article_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM articles_mention m
                WHERE m.article_id = j.article_id AND m.kind = %s AND m.{column} = %s))
            OR (j.cluster_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM articles_article a
                JOIN articles_mention m ON m.article_id = a.id
                WHERE a.cluster_id = j.cluster_id AND m.kind = %s AND m.{column} = %s))
        )
        LIMIT 1
    """  # noqa: S608
    with connection.cursor() as cursor:
        params: list[Any] = [
            since,
            until,
            counts,
            kind,
            entity_id,
            kind,
            entity_id,
            kind,
            entity_id,
        ]
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def entity_text_cached(
    name: str,
    *,
    kind: str,
    entity_id: int,
    depends: tuple[Any, ...],
    render: Callable[[], str],
    counts: bool = False,
) -> str:
    """The text `render` returns for a part of a country's, official's, policy's or summit's
    page drawn from the knowledge base and the entity's own tags and their articles alone;
    from the cache while none of those changed, across writes to anything else.

    With `counts`, the part shows only what is counted from its tags (by date, outlet, press
    country, story, other tags of their articles), not what its articles say: it is also kept
    across edits of those articles that change none of that (a new title or text).

    `render` may also read the other tags of those articles (co-mentions): one added to an
    article committed earlier is journaled (migration 0029), and one added together with its
    article comes with a tag of the entity, if the article is among its own. It must read
    nothing else: not articles the entity does not tag (a country's press), which are kept by
    `text_cached`."""
    readings = _READINGS.get() or {}
    reading = readings.get((kind, entity_id)) or _Reading(kind, entity_id)
    if not reading.current:
        return _drawn(None, render)
    parts = (name, get_language(), get_script_prefix(), _RENDERER, kind, entity_id, depends)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"entity-html:{kind}:{entity_id}:{digest}"
    found = cache.get(key)
    if isinstance(found, _Kept) and found.mark.kb == reading.kb:
        if found.mark.data == reading.data:
            return found.text
        mark = reading.mark()
        if found.mark.counted == mark.counted and (
            found.mark.journal == mark.journal
            or (
                found.mark.journal >= mark.pruned
                and not _journal_touches(
                    kind, entity_id, found.mark.journal, mark.journal, counts=counts
                )
            )
        ):
            # Still current: kept under the newer numbers, so the next reading checks nothing.
            cache.set(key, _Kept(mark, found.text), KEPT_SECONDS)
            return found.text
    mark = reading.mark()
    token = _READINGS.set({**readings, (kind, entity_id): reading})
    try:
        text = _drawn(reading.data, render)
    finally:
        _READINGS.reset(token)
    cache.set(key, _Kept(mark, text), KEPT_SECONDS)
    return text


@contextmanager
def entity_reading(*, kind: str, entity_id: int) -> Iterator[None]:
    """The entity's parts read within share one reading of whether the entity changed, and
    every figure and part read within it the data version read first (they read their data
    after it: they are at least as new)."""
    readings = _READINGS.get() or {}
    reading = _Reading(kind, entity_id)
    token = _READINGS.set({**readings, (kind, entity_id): reading})
    drawing = _DRAWING.set((reading.data,))
    try:
        yield
    finally:
        _DRAWING.reset(drawing)
        _READINGS.reset(token)


def entity_html_cached(
    name: str,
    *,
    kind: str,
    entity_id: int,
    depends: tuple[Any, ...],
    render: Callable[[], str],
    counts: bool = False,
) -> SafeString:
    """`entity_text_cached` for HTML."""
    text = entity_text_cached(
        name, kind=kind, entity_id=entity_id, depends=depends, render=render, counts=counts
    )
    return mark_safe(text)  # noqa: S308 - the template engine escaped it


def kb_html_cached(name: str, depends: tuple[Any, ...], render: Callable[[], str]) -> SafeString:
    """The HTML of a part drawn from the knowledge base alone, from the cache when the
    knowledge base and `depends` are the same."""
    return kb_html_cached_each(
        name, [depends], depends=lambda kept: kept, render=lambda todo: [render() for _ in todo]
    )[0]


# A part drawn from the articles of some outlets (a country's press) ---------------------------


def _outlets_articles(outlets: Sequence[int]) -> tuple[int, int, int]:
    """The outlets' articles, the journal's number and up to where it was deleted."""
    marks = ", ".join(["%s"] * len(outlets))
    # One statement, one snapshot, as _entity_tags; counted from article_source_pub_idx.
    sql = f"""
        SELECT (SELECT count(*) FROM articles_article WHERE source_id IN ({marks})),
            number, pruned
        FROM tracker_page_version WHERE id = 1
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, list(outlets))
        articles, number, pruned = cursor.fetchone()
    return int(articles), int(number), int(pruned)


def _journal_touches_outlets(outlets: Sequence[int], since: int, until: int) -> bool:
    """Whether an edit numbered after `since` up to `until` may change what the outlets'
    articles count: of an article they had (edited or deleted) or have now, of a tag of
    such an article, or of an outlet."""
    marks = ", ".join(["%s"] * len(outlets))
    sql = f"""
        SELECT 1 FROM tracker_page_change j
        WHERE j.version > %s AND j.version <= %s AND j.counted AND (
            j.everything
            OR j.source_id IN ({marks})
            OR (j.article_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM articles_article a
                WHERE a.id = j.article_id AND a.source_id IN ({marks})))
        )
        LIMIT 1
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, until, *outlets, *outlets])
        return cursor.fetchone() is not None


def outlets_html_cached(
    name: str, *, outlets: Sequence[int], depends: tuple[Any, ...], render: Callable[[], str]
) -> SafeString:
    """The HTML `render` returns for a part drawn from the knowledge base and the articles of
    `outlets` with their tags alone (a country's press coverage); from the cache while none of
    those changed, across writes to other outlets' articles.

    Kept under the knowledge-base version, the number of the outlets' articles (a new one
    changes it) and the journal (migration 0030: an edited or deleted article names the outlet
    it had, a tag its article)."""
    data = data_version()
    kb = kb_version() if data is not None else None
    if data is None or kb is None or not outlets:
        return mark_safe(_drawn(data, render))  # noqa: S308 - the template engine escaped it
    parts = (name, get_language(), get_script_prefix(), _RENDERER, tuple(outlets), depends)
    key = f"outlets-html:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"
    found = cache.get(key)
    mark: _Mark | None = None
    if isinstance(found, _Kept) and found.mark.kb == kb:
        if found.mark.data == data:
            return mark_safe(found.text)  # noqa: S308 - the template engine escaped it
        mark = _Mark(data, kb, *_outlets_articles(outlets))
        if found.mark.counted == mark.counted and (
            found.mark.journal == mark.journal
            or (
                found.mark.journal >= mark.pruned
                and not _journal_touches_outlets(outlets, found.mark.journal, mark.journal)
            )
        ):
            cache.set(key, _Kept(mark, found.text), KEPT_SECONDS)
            return mark_safe(found.text)  # noqa: S308 - the template engine escaped it
    if mark is None:
        # Read before drawing: an edit committed meanwhile has a higher number.
        mark = _Mark(data, kb, *_outlets_articles(outlets))
    text = _drawn(data, render)
    cache.set(key, _Kept(mark, text), KEPT_SECONDS)
    return mark_safe(text)  # noqa: S308 - the template engine escaped it
