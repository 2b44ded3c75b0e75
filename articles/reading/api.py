"""Atom feeds and JSON for every filtered view, documented at /api/.

Each page that lists things has both: the home timeline (meetings), the article list (with
any filters or search), and the summit, official, country and policy pages (their articles).
They take the page's own parameters, parsed by the same code (articles.reading.filters), so a
bad one is the same 400 in plain words. JSON is paged with an opaque `cursor`; a feed holds the
newest FEED_SIZE entries. Publishers' rights: an article is its title, outlet, date, an
excerpt, its tags with their evidence and its canonical link — never the full text.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import VISIBLE_STATUSES, Article, Mention
from articles.reading import kb_selectors
from articles.reading.figures import text_cached
from articles.reading.filters import (
    ARTICLE_PARAMS,
    SUMMIT_PARAMS,
    ArticleFilters,
    FilterError,
    SummitFilters,
    accepts,
    params_accept,
)
from articles.reading.selectors import ROW_JOINS, After, article_list
from articles.templatetags.pages import EXCERPT_CHARS, excerpt, link_out
from summits.models import Country, Official, Policy, Summit
from summits.slugs import slug_current

PER_PAGE = 50
FEED_SIZE = 50
# Ids in feeds and JSON: tag URIs (RFC 4151) on the site's host and the row's id, so an entry
# keeps its id when a title or slug changes.
ID_YEAR = 2026


# --- cursors ---------------------------------------------------------------------------------


def cursor_encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(raw: str) -> list[Any]:
    """The values a cursor holds; FilterError when it is not one this API gave out."""
    problem = FilterError(
        "The cursor is not one this API gave out: use the “next” link of a previous answer, "
        "or leave cursor out for the first page."
    )
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise problem from exc
    if not (isinstance(values, list) and len(values) == 2 and type(values[1]) is int):
        raise problem
    return values


def _article_after(raw: str) -> After | None:
    if not raw:
        return None
    published, pk = cursor_decode(raw)
    try:
        when = None if published is None else datetime.fromisoformat(published)
    except (TypeError, ValueError) as exc:
        raise FilterError("The cursor is not one this API gave out.") from exc
    if when is not None and when.tzinfo is None:
        raise FilterError("The cursor is not one this API gave out.")
    return After(when, pk)


def _summit_after(raw: str) -> tuple[date, int] | None:
    if not raw:
        return None
    start, pk = cursor_decode(raw)
    try:
        return date.fromisoformat(start), pk
    except (TypeError, ValueError) as exc:
        raise FilterError("The cursor is not one this API gave out.") from exc


# --- records ---------------------------------------------------------------------------------


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _tag_id(request: HttpRequest, kind: str, pk: int) -> str:
    return f"tag:{request.get_host().split(':')[0]},{ID_YEAR}:{kind}/{pk}"


def _entity_key(kind: str, entity: Any) -> str:
    return entity.iso2 if kind == "country" else entity.slug


class Tag(NamedTuple):
    """A visible tag of an article as feeds and JSON give it."""

    kind: str
    key: str  # the entity's slug, or a country's ISO code
    name: str
    status: str
    evidence: str


class Links:
    """Absolute addresses for one answer: the same entity is named on many of its articles."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.done: dict[tuple[str, str], str] = {}

    def entity(self, kind: str, key: str) -> str:
        found = self.done.get((kind, key))
        if found is None:
            path = reverse(f"summits:{kind}", args=[key])
            found = self.done[(kind, key)] = _absolute(self.request, path)
        return found


def _tag(links: Links, tag: Tag) -> dict[str, Any]:
    return {
        "kind": tag.kind,
        "id": tag.key,
        "name": tag.name,
        "url": links.entity(tag.kind, tag.key),
        "status": tag.status,
        "evidence": tag.evidence,
    }


def article_record(
    request: HttpRequest, article: Article, links: Links | None = None
) -> dict[str, Any]:
    links = links or Links(request)
    return {
        "id": _tag_id(request, "article", article.pk),
        "url": _absolute(request, reverse("articles:article", args=[article.pk])),
        "title": article.title,
        "outlet": {"name": article.source.name, "domain": article.source.domain},
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "excerpt": excerpt(article),
        "canonical_url": link_out(article),
        "story": article.cluster_id,
        "tags": [_tag(links, t) for t in article.visible_tags],  # type: ignore[attr-defined]
    }


def summit_record(request: HttpRequest, summit: Summit) -> dict[str, Any]:
    return {
        "id": _tag_id(request, "summit", summit.pk),
        "url": _absolute(request, reverse("summits:summit", args=[summit.slug])),
        "slug": summit.slug,
        "title": summit.title,
        "kind": summit.kind,
        "status": summit.status,
        "start_date": summit.start_date.isoformat(),
        "end_date": summit.end_date.isoformat() if summit.end_date else None,
        "city": summit.city,
        "country": summit.country.iso2 if summit.country else None,
        "countries": [c.iso2 for c in summit.countries.all()],
        "articles": summit.coverage,  # type: ignore[attr-defined]
    }


def _rows(qs: QuerySet[Article], count: int) -> list[Article]:
    """The first `count` articles with their tags and the head of their text, in three queries.

    The ids first: what is sorted is then an id and a date, not every match's row and the head
    of its text (which reading costs a decompression per match); then the rows of those ids.
    """
    ids = list(qs.values_list("pk", flat=True)[:count])
    head = Substr("body", 1, EXCERPT_CHARS * 2)
    found = qs.model.objects.select_related(*ROW_JOINS).defer("body", "search_text")
    by_pk = found.annotate(body_head=head).in_bulk(ids)
    rows: list[Article] = [by_pk[pk] for pk in ids if pk in by_pk]
    tags = _visible_tags(article_ids=[article.pk for article in rows])
    for article in rows:
        # The excerpt reads the body; its head is all it needs (the body itself is not loaded).
        article.body = article.body_head  # type: ignore[attr-defined]
        article.visible_tags = tags.get(article.pk, [])  # type: ignore[attr-defined]
    return rows


# Per kind of tag: the entity's key and the fields its name is made of (as its __str__).
_TAG_FIELDS = {
    "country": ("country__iso2", "country__name_en"),
    "official": ("official__slug", "official__name"),
    "policy": ("policy__slug", "policy__name"),
    "summit": ("summit__slug", "summit__title"),
}


def _visible_tags(*, article_ids: list[int]) -> dict[int, list[Tag]]:
    """The articles' visible tags, best first, read as plain rows (hundreds on a page)."""
    rows = (
        Mention.objects.filter(article_id__in=article_ids, status__in=VISIBLE_STATUSES)
        .order_by("kind", "-confidence", "pk")
        .values_list(
            "article_id",
            "kind",
            "status",
            "evidence",
            "summit__start_date",
            *(name for fields in _TAG_FIELDS.values() for name in fields),
        )
    )
    kinds = list(_TAG_FIELDS)
    out: dict[int, list[Tag]] = {}
    for article_id, kind, status, evidence, summit_start, *names in rows:
        at = 2 * kinds.index(kind)
        key, name = names[at], names[at + 1]
        if kind == "summit":
            name = f"{name} ({summit_start.isoformat()})"
        out.setdefault(article_id, []).append(Tag(kind, key, name, status, evidence))
    return out


# --- answers ---------------------------------------------------------------------------------


@dataclass
class View:
    """What a feed or JSON answer says about the page it stands for."""

    title: str
    page: str  # the page's path and query
    json: str  # this view's JSON path and query, without a cursor
    filters: dict[str, str]


def _with_query(path: str, query: dict[str, str]) -> str:
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{urlencode(query)}"


def _json(request: HttpRequest, view: View, key: str, rows: list[Any], nxt: str | None) -> Any:
    body = {
        "title": view.title,
        "page": _absolute(request, view.page),
        "filters": view.filters,
        key: rows,
        "next_cursor": nxt,
        "next": _absolute(request, _with_query(view.json, {"cursor": nxt})) if nxt else None,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _atom(request: HttpRequest, view: View, entries: list[dict[str, Any]]) -> HttpResponse:
    feed = Atom1Feed(
        title=f"{view.title} · Migration-diplomacy tracker",
        link=_absolute(request, view.page),
        description="",
        feed_url=request.build_absolute_uri(),
        id=request.build_absolute_uri(),
    )
    for entry in entries:
        feed.add_item(**entry)
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _article_entry(request: HttpRequest, article: Article, links: Links) -> dict[str, Any]:
    record = article_record(request, article, links)
    tags = "; ".join(
        f"{t['name']} ({t['kind']}): “{t['evidence']}”" if t["evidence"] else t["name"]
        for t in record["tags"]
    )
    return {
        "title": article.title,
        "link": record["canonical_url"],
        "description": record["excerpt"] + (f"\n\nTags: {tags}" if tags else ""),
        "unique_id": record["id"],
        "unique_id_is_permalink": False,
        "pubdate": article.published_at,
        "updateddate": article.published_at,
        "author_name": article.source.name,
        "categories": [t["name"] for t in record["tags"]],
    }


CONTENT_TYPES = {"atom": "application/atom+xml; charset=utf-8", "json": "application/json"}


def _kept(request: HttpRequest, fmt: str, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """The answer `answer` gives, kept whole under its absolute address until the data changes."""
    content = text_cached(
        "api", (fmt, request.build_absolute_uri()), lambda: answer().content.decode()
    )
    return HttpResponse(content, content_type=CONTENT_TYPES[fmt])


def _articles_answer(
    request: HttpRequest, fmt: str, view: View, filters: ArticleFilters
) -> HttpResponse:
    return _kept(request, fmt, lambda: _articles_made(request, fmt, view, filters))


def _articles_made(
    request: HttpRequest, fmt: str, view: View, filters: ArticleFilters
) -> HttpResponse:
    if fmt == "atom":
        rows = _rows(article_list(filters=filters), FEED_SIZE)
        links = Links(request)
        return _atom(request, view, [_article_entry(request, a, links) for a in rows])
    after = _article_after(request.GET.get("cursor", ""))
    rows = _rows(article_list(filters=filters, after=after), PER_PAGE + 1)
    nxt = None
    if len(rows) > PER_PAGE:
        rows = rows[:PER_PAGE]
        last = rows[-1]
        nxt = cursor_encode([last.published_at.isoformat() if last.published_at else None, last.pk])
    links = Links(request)
    records = [article_record(request, a, links) for a in rows]
    return _json(request, view, "articles", records, nxt)


def _params(fmt: str, *names: str) -> tuple[str, ...]:
    return (*names, "cursor") if fmt == "json" else names


def _checked(request: HttpRequest, fmt: str, *names: str) -> None:
    extra = " (cursor on .json only)" if fmt == "atom" else ""
    params_accept(request.GET, _params(fmt, *names), "This view", extra)


# --- views -----------------------------------------------------------------------------------


def article_view(request: HttpRequest, fmt: str) -> HttpResponse:
    _checked(request, fmt, *ARTICLE_PARAMS)
    filters = ArticleFilters.from_query(request.GET)
    query = filters.as_query()
    title = f"Articles matching “{filters.q}”" if filters.q else "Articles"
    view = View(
        title,
        _with_query(reverse("articles:list"), query),
        _with_query(reverse("api:articles", args=["json"]), query),
        query,
    )
    return _articles_answer(request, fmt, view, filters)


def timeline_view(request: HttpRequest, fmt: str) -> HttpResponse:
    _checked(request, fmt, *SUMMIT_PARAMS)
    filters = SummitFilters.from_query(request.GET)
    return _kept(request, fmt, lambda: _timeline_made(request, fmt, filters))


def _timeline_made(request: HttpRequest, fmt: str, filters: SummitFilters) -> HttpResponse:
    query = filters.as_query()
    summits = kb_selectors.summit_list(filters=filters)
    nxt = None
    if fmt == "json":
        after = _summit_after(request.GET.get("cursor", ""))
        if after is not None:
            start, pk = after
            summits = summits.filter(Q(start_date__lt=start) | Q(start_date=start, pk__gt=pk))
        rows = list(summits[: PER_PAGE + 1])
        if len(rows) > PER_PAGE:
            rows = rows[:PER_PAGE]
            nxt = cursor_encode([rows[-1].start_date.isoformat(), rows[-1].pk])
    else:
        rows = list(summits[:FEED_SIZE])
    counts = kb_selectors.summit_coverage_counts(summit_ids=[s.pk for s in rows])
    for summit in rows:
        summit.coverage = counts.get(summit.pk, 0)  # type: ignore[attr-defined]
    view = View(
        "Timeline of talks",
        _with_query(reverse("summits:home"), query),
        _with_query(reverse("api:timeline", args=["json"]), query),
        query,
    )
    if fmt == "json":
        return _json(request, view, "summits", [summit_record(request, s) for s in rows], nxt)
    entries = [
        {
            "title": s.title,
            "link": _absolute(request, reverse("summits:summit", args=[s.slug])),
            "description": f"{s.get_kind_display()}, {s.start_date:%Y-%m-%d}"
            + (f", {s.city}" if s.city else "")
            + f". {s.coverage} articles.",  # type: ignore[attr-defined]
            "unique_id": _tag_id(request, "summit", s.pk),
            "unique_id_is_permalink": False,
            "pubdate": datetime(
                s.start_date.year, s.start_date.month, s.start_date.day, tzinfo=UTC
            ),
        }
        for s in rows
    ]
    return _atom(request, view, entries)


Lookup = Callable[[str], Any]


def _entity_view(
    request: HttpRequest, fmt: str, *, kind: str, key: str, lookup: Lookup, model: Any
) -> HttpResponse:
    _checked(request, fmt)
    entity = lookup(key)
    if entity is None:
        current = slug_current(model=model, slug=key) if kind != "country" else None
        if current is None:
            raise Http404(f"There is no {kind} “{key}”.")
        return _moved(request, reverse(f"api:{kind}", args=[current, fmt]))
    filters = ArticleFilters(**{kind: entity})
    ident = _entity_key(kind, entity)
    view = View(
        str(entity),
        reverse(f"summits:{kind}", args=[ident]),
        reverse(f"api:{kind}", args=[ident, "json"]),
        {},
    )
    return _articles_answer(request, fmt, view, filters)


def _moved(request: HttpRequest, path: str) -> HttpResponse:
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{path}?{query}" if query else path)


def summit_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    return _entity_view(
        request,
        fmt,
        kind="summit",
        key=slug,
        lookup=lambda s: Summit.objects.filter(slug=s).first(),
        model=Summit,
    )


def official_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    return _entity_view(
        request,
        fmt,
        kind="official",
        key=slug,
        lookup=lambda s: Official.objects.filter(slug=s).first(),
        model=Official,
    )


def policy_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    return _entity_view(
        request,
        fmt,
        kind="policy",
        key=slug,
        lookup=lambda s: Policy.objects.filter(slug=s).first(),
        model=Policy,
    )


def country_view(request: HttpRequest, iso2: str, fmt: str) -> HttpResponse:
    return _entity_view(
        request,
        fmt,
        kind="country",
        key=iso2,
        lookup=lambda s: Country.objects.filter(iso2=s.upper()).first(),
        model=Country,
    )


@accepts()
def api_index(request: HttpRequest) -> HttpResponse:
    """The API's documentation page, with live examples."""
    example = {
        "summit": Summit.objects.order_by("-start_date").only("slug").first(),
    }
    return render(
        request, "api/index.html", {"per_page": PER_PAGE, "feed_size": FEED_SIZE, **example}
    )
