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

A session that has written to those tables and not yet committed sees data no one else does:
it computes its figures and stores none (on SQLite, any session inside a transaction).
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")
# Unreachable figures (of older versions) go from the cache after this long, or sooner when
# the cache culls.
FIGURE_SECONDS = 24 * 3600
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
    (one read for all) when the knowledge base and the item's `depends` are the same;
    `render` draws the HTML of the items it is given (those not kept), in their order."""
    version = kb_version()
    if version is None:
        return [mark_safe(html) for html in render(list(items))]  # noqa: S308 - escaped
    keys = []
    for item in items:
        parts = (name, get_language(), get_script_prefix(), _RENDERER, depends(item))
        keys.append(f"kb-html:{version}:{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}")
    found = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    if missing:
        made = dict(
            zip([keys[i] for i in missing], render([items[i] for i in missing]), strict=True)
        )
        cache.set_many(made, FIGURE_SECONDS)
        found.update(made)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - the template engine escaped it
