"""CSV exports for researchers: each declared once, as columns over typed records.

An export is a list of `Column`s — a name, what it means, and how one record becomes that
cell — and a generator of records. The same definition serves every database: records come
from one queryset read through a server-side cursor (a named cursor on PostgreSQL) in
chunks, with the many-valued columns fetched once per chunk, so memory stays flat whatever
the size. Cells are neutralised against formula injection as OWASP advises, in a way that
can be undone exactly; the data-dictionary page documents that beside every column. A column
marked `staff_only` (an article's full extracted text) is left out of the file unless a
signed-in staff member asks for it: see `articles.reading.rights`.
"""

import csv
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any, Generic, NamedTuple, TypeVar

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Left
from django.http import QueryDict

from articles.ingestion.canonical import url_untracked
from articles.models import VISIBLE_STATUSES, Article, Mention, MentionKind
from articles.reading.filters import (
    ARTICLE_PARAMS,
    SUMMIT_PARAMS,
    ArticleFilters,
    FilterError,
    SummitFilters,
    page_number,
    params_accept,
    shown,
)
from articles.reading.rights import EXCERPT_CHARS, EXCERPT_SOURCE_CHARS, article_excerpt
from articles.tagging.tagger import TAGGER_VERSION
from summits.dates import DatePrecision, format_date, format_span
from summits.models import (
    Country,
    Official,
    OfficialAlias,
    Policy,
    PolicyEvent,
    Role,
    RoleTenure,
    Summit,
    SummitKind,
    SummitParticipant,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
FLUSH_BYTES = 64 * 1024
LIST_DELIMITER = "; "
FORMULA_CHARS = "=+-@\t\r"
# A cell a spreadsheet would run as a formula, or one that already looks neutralised (so that
# undoing the prefix is exact): any apostrophes, then = + - @ tab or CR.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_LIST_SPLIT = re.compile(r"(?<!\\)(?:\\\\)*; ")
# Starts the last line of an export that failed part-way. No row starts with it: every
# export's first column is a number, a slug or a country code.
FAILED_MARK = "#EXPORT FAILED"
TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("", "0", "false", "no", "off")
# Parameters every export takes besides its filters; `page` comes along on links from pages.
OUTPUT_PARAMS = ("bom", "meta", "page")

R = TypeVar("R")
Cell = str | int | float | None


class UnknownExportError(LookupError):
    """There is no export of that name."""


class ExportInterruptedError(RuntimeError):
    """An export failed after its first bytes were sent; the file ends with FAILED_MARK."""


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column of an export: its name, its meaning, and its cell for one record."""

    name: str
    description: str
    cell: Callable[[R], Cell]
    # Publishers' rights: only in the files of signed-in staff (see articles.reading.rights).
    staff_only: bool = False


@dataclass
class Export(Generic[R]):
    """One export, its filters parsed: `rows()` streams the cells, `count()` counts the rows."""

    kind: str
    columns: Sequence[Column[R]]
    filters: dict[str, str]
    records: Callable[[], Iterator[R]]
    count: Callable[[], int]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def rows(self) -> Iterator[list[Cell]]:
        cells = [column.cell for column in self.columns]
        for record in self.records():
            yield [cell(record) for cell in cells]


def _shown_to(columns: Iterable[Column[R]], *, staff: bool) -> list[Column[R]]:
    return [column for column in columns if staff or not column.staff_only]


# Cells ---------------------------------------------------------------------------------


def cell_neutralise(value: str | None) -> str:
    """Prefix ' to a text cell a spreadsheet would read as a formula (OWASP CSV injection).

    None and "" become "". Most cells start with none of the characters concerned, so the
    first character is checked before the pattern runs.
    """
    if not value:
        return ""
    if value[0] in "'=+-@\t\r" and _FORMULA.match(value):
        return "'" + value
    return value


def cell_restore(value: str) -> str:
    """Undo cell_neutralise exactly: drop the first ' before apostrophes and = + - @ tab CR."""
    if value.startswith("'") and _FORMULA.match(value):
        return value[1:]
    return value


def list_join(items: Iterable[str]) -> str:
    """A many-valued cell: items joined by "; ", with \\ and ; inside an item escaped by \\."""
    kept = [item for item in items if item]
    joined = LIST_DELIMITER.join(kept)
    # Most lists are slugs and codes: escape only when an item holds \ or a ; of its own.
    if "\\" in joined or joined.count(";") >= len(kept):
        joined = LIST_DELIMITER.join(
            item.replace("\\", "\\\\").replace(";", "\\;") for item in kept
        )
    return joined


def list_split(cell: str) -> list[str]:
    """The items of a many-valued cell written by list_join (after cell_restore)."""
    if not cell:
        return []
    items, start = [], 0
    for match in _LIST_SPLIT.finditer(cell):
        end = match.end() - len(LIST_DELIMITER)
        items.append(cell[start:end])
        start = match.end()
    items.append(cell[start:])
    return [re.sub(r"\\(.)", r"\1", item) for item in items]


_text = cell_neutralise


def _utc(value: datetime | None) -> str:
    """YYYY-MM-DDTHH:MM:SSZ; isoformat is quicker than strftime, once per row of a large file."""
    return value.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z" if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _list(items: Iterable[str]) -> str:
    return cell_neutralise(list_join(items)) if items else ""


def _citations(citations: Iterable[Any]) -> str:
    return _list(" | ".join([c.kind, c.publisher, _day(c.date), c.title, c.url]) for c in citations)


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, one read-only REPEATABLE READ transaction for the whole export.

    Inside a transaction Django's named cursor is not WITH HOLD, so PostgreSQL streams rows
    instead of materialising the whole result first; and the chunked side queries see the
    same snapshot as the main cursor. SQLite needs neither (and a transaction there would
    take the write lock for the length of the download).
    """
    if connection.vendor != "postgresql":
        yield
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


# Parameters ----------------------------------------------------------------------------


def export_flag(params: QueryDict, name: str) -> bool:
    """A yes/no output parameter such as bom=1; anything else is a FilterError."""
    raw = params.get(name, "").strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise FilterError(f"{name} must be 1 or 0, not “{shown(raw)}”.")


def _country(params: QueryDict) -> Country | None:
    raw = params.get("country", "").strip().upper()
    if not raw:
        return None
    country = Country.objects.filter(iso2=raw).first()
    if country is None:
        raise FilterError(f"There is no country “{shown(raw)}”.")
    return country


def _article_filters(params: QueryDict) -> tuple[ArticleFilters, bool]:
    # Pages default to one row per story; exports default to one row per article, so a
    # researcher gets every copy unless they ask for stories.
    per = params.get("per", "").strip() or "article"
    if per not in ("article", "copy", "story"):
        raise FilterError("per must be “article” (one row per article) or “story” (per story).")
    normalised = params.copy()
    normalised["per"] = "story" if per == "story" else "copy"
    return ArticleFilters.from_query(normalised), per == "story"


def _filters_echo(params: QueryDict) -> dict[str, str]:
    return {
        name: params.get(name, "").strip()
        for name in sorted(params)
        if name not in OUTPUT_PARAMS and params.get(name, "").strip()
    }


# Articles ------------------------------------------------------------------------------

LIST_NOTE = "a list (see Lists)"
PRECISIONS = ", ".join(DatePrecision.values)
CITATIONS_NOTE = (
    "Each source as “kind | publisher | YYYY-MM-DD | title | URL” (kind: primary, news or "
    f"secondary; the URL is the last field), {LIST_NOTE}."
)
PRECISION_NOTE = "when its precision is not day, a placeholder inside the window (see Dates)"
_KINDS = tuple(MentionKind.values)


class Tags(NamedTuple):
    """An article's visible tags by export key (slug or ISO code), best first."""

    summit: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    official: tuple[str, ...] = ()
    policy: tuple[str, ...] = ()


# The tag lists of a chunk wait in plain tuples (the fields of Tags in order): the garbage
# collector stops tracking those, while it would walk lists, dataclasses and named tuples over
# and over as they wait, and then every object of the process (a tenth of the export's time).
_TagKeys = tuple[tuple[str, ...], ...]
_UNTAGGED = Tags()
_NO_TAGS: _TagKeys = tuple(_UNTAGGED)


@dataclass(slots=True)
class ArticleRecord:
    """One article as the export reads it; `_article_values` selects these fields in order."""

    id: int
    cluster_id: int | None
    url: str
    canonical_url: str
    source_name: str
    source_domain: str
    original_outlet: str | None
    original_source_name: str
    title: str
    published_at: datetime | None
    published_unknown: bool
    language: str
    bylines: str  # the JSON list of authors, as text: decoded by its column
    review_status: str
    tagger_version: str
    opening: str  # the body's first EXCERPT_SOURCE_CHARS characters
    feed_summary: str  # the feed's summary, read only when there is no body
    text: str  # the whole body, for staff; empty otherwise
    copies: int | None  # per=story only
    tags: Tags = _UNTAGGED


ARTICLE_COLUMNS: list[Column[ArticleRecord]] = [
    Column("article_id", "The article's id in the tracker.", lambda a: a.id),
    Column(
        "story_id",
        "The story cluster its copies share; empty when it has none yet.",
        lambda a: a.cluster_id,
    ),
    Column(
        "url",
        "The link as the feed gave it, tracking parameters (utm_… and the like) removed.",
        lambda a: _text(url_untracked(a.url)),
    ),
    Column(
        "canonical_url",
        "The page's canonical URL, tracking parameters removed: one article per canonical URL.",
        lambda a: _text(url_untracked(a.canonical_url)),
    ),
    Column("source", "The outlet that published this copy.", lambda a: _text(a.source_name)),
    Column("source_domain", "That outlet's domain.", lambda a: _text(a.source_domain)),
    Column(
        "original_source",
        "The outlet the story comes from, when this copy republishes it.",
        lambda a: _text(a.original_outlet or a.original_source_name),
    ),
    Column("title", "The headline.", lambda a: _text(a.title)),
    Column(
        "published_utc",
        "When it was published, UTC, as YYYY-MM-DDTHH:MM:SSZ; when published_unknown is "
        "true, when the tracker first saw it.",
        lambda a: _utc(a.published_at),
    ),
    Column("language", "ISO 639-1 language code.", lambda a: _text(a.language)),
    Column(
        "authors",
        f"Bylines, {LIST_NOTE}.",
        lambda a: _list([str(name) for name in json.loads(a.bylines) or ()]),
    ),
    Column(
        "summits",
        f"Summits it is about, by summit id, {LIST_NOTE}.",
        lambda a: _list(a.tags.summit),
    ),
    Column(
        "countries",
        f"Countries it is about, by ISO 3166-1 alpha-2 code, {LIST_NOTE}.",
        lambda a: _list(a.tags.country),
    ),
    Column(
        "officials",
        f"Officials it names, by official id, {LIST_NOTE}.",
        lambda a: _list(a.tags.official),
    ),
    Column(
        "policies",
        f"Policies it is about, by policy id, {LIST_NOTE}.",
        lambda a: _list(a.tags.policy),
    ),
    Column(
        "review_status",
        "unreviewed, reviewed or not_relevant: an editor's verdict.",
        lambda a: a.review_status,
    ),
    Column(
        "tagger_version",
        "The tagger version that last tagged it; empty if never tagged.",
        lambda a: _text(a.tagger_version),
    ),
    Column(
        "published_unknown",
        "true when the feed gave no plausible date, so published_utc is only when the "
        "tracker first saw the article.",
        lambda a: _bool(a.published_unknown),
    ),
    Column(
        "excerpt",
        f"The opening of the extracted text, about {EXCERPT_CHARS} characters cut between "
        "words and ending with … when cut (the feed's summary when no text was extracted). "
        "The sentences each tag was found in are the evidence column of mentions.csv.",
        lambda a: _text(article_excerpt(body=a.opening, summary=a.feed_summary)),
    ),
    Column(
        "text",
        "The whole extracted text. Staff only: left out of the file for everyone else, "
        "out of respect for the publishers' rights.",
        lambda a: _text(a.text),
        staff_only=True,
    ),
]
# What the query selects, named and ordered by the record itself (its tags come apart).
_ARTICLE_FIELDS = tuple(f.name for f in fields(ArticleRecord) if f.name != "tags")
_ID = _ARTICLE_FIELDS.index("id")
COPIES_COLUMN: Column[ArticleRecord] = Column(
    "copies",
    "With per=story: how many matching copies the story has (this row is the first).",
    lambda a: a.copies,
)


def _article_columns(*, per_story: bool) -> list[Column[ArticleRecord]]:
    if not per_story:
        return list(ARTICLE_COLUMNS)
    return [*ARTICLE_COLUMNS[:2], COPIES_COLUMN, *ARTICLE_COLUMNS[2:]]


def _articles(filters: ArticleFilters, per_story: bool) -> QuerySet[Article]:
    qs = filters.apply(Article.objects.all())
    if per_story:
        # As on the pages: the first-stored matching copy stands for its story.
        matching = filters.apply(Article.objects.all())
        earlier = matching.filter(cluster=OuterRef("cluster"), pk__lt=OuterRef("pk"))
        copies = (
            matching.filter(cluster=OuterRef("cluster"))
            .order_by()
            .values("cluster")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.filter(~Exists(earlier)).annotate(
            copies=Coalesce(Subquery(copies, output_field=IntegerField()), 1)
        )
    return qs


def _article_values(qs: QuerySet[Article], *, per_story: bool, full_text: bool) -> QuerySet:
    """Rows of ArticleRecord's fields in the record's own order (tags aside): no instances."""
    computed: dict[str, Any] = {
        # As text, so that a record holds no container until its row is written: the
        # garbage collector then need not walk the chunk of records waiting for theirs.
        "bylines": Cast("authors", TextField()),
        "source_name": F("source__name"),
        "source_domain": F("source__domain"),
        "original_outlet": F("original_source__name"),
        # Only the opening of the body travels, unless staff asked for the whole text.
        "opening": Left("body", EXCERPT_SOURCE_CHARS),
        "feed_summary": Case(
            When(body="", then=F("summary")), default=Value(""), output_field=TextField()
        ),
        "text": F("body") if full_text else Value("", output_field=TextField()),
    }
    if not per_story:
        computed["copies"] = Value(None, output_field=IntegerField())
    return qs.annotate(**computed).order_by("pk").values_list(*_ARTICLE_FIELDS)


class _EntityKeys:
    """Id -> export key (ISO code or slug) of every country, official, policy and summit.

    The knowledge base is small (hundreds of rows), so one read of each table replaces four
    joins on every mention row of a million-article export.
    """

    def __init__(self) -> None:
        self.of: dict[str, dict[int, str]] = {
            "summit": dict(Summit.objects.order_by().values_list("pk", "slug")),
            "country": dict(Country.objects.order_by().values_list("pk", "iso2")),
            "official": dict(Official.objects.order_by().values_list("pk", "slug")),
            "policy": dict(Policy.objects.order_by().values_list("pk", "slug")),
        }

    def named(self, kind: str, ids: list[int] | None) -> tuple[str, ...]:
        keys = self.of[kind]
        return tuple([keys[pk] for pk in ids or ()])


# The order of the tags in a list: most confident first, then the older tag.
_TAG_ORDER = ("-confidence", "id")


def _ids_of(kind: str) -> ArrayAgg:
    """PostgreSQL: the ids of one kind of an article's tags, in the lists' order."""
    return ArrayAgg(f"{kind}_id", filter=Q(kind=kind), order_by=_TAG_ORDER)


def _tag_lists(articles: QuerySet[Article], keys: _EntityKeys) -> dict[int, _TagKeys]:
    """Per article of the chunk: its visible summits, countries, officials, policies, best first.

    One query per chunk of articles, on every database; the chunk is given as the export's
    queryset narrowed to a range of ids, so the query stays the same size however many ids
    the chunk holds. PostgreSQL groups the rows per article itself (a tenth of the rows to
    send and to loop over in Python); elsewhere the same rows come in the same order and are
    grouped here.
    """
    visible = Mention.objects.filter(
        article__in=articles.order_by().values("pk"), status__in=VISIBLE_STATUSES
    )
    if connection.vendor == "postgresql":
        grouped = (
            visible.order_by()
            .values("article_id")
            .annotate(**{kind: _ids_of(kind) for kind in Tags._fields})
            .values_list("article_id", *Tags._fields)
        )
        named = keys.named
        return {
            article_id: (
                named("summit", summit),
                named("country", country),
                named("official", official),
                named("policy", policy),
            )
            for article_id, summit, country, official, policy in grouped
        }
    entity = Coalesce(*(f"{kind}_id" for kind in _KINDS))
    rows = visible.order_by("article_id", *_TAG_ORDER).values_list("article_id", "kind", entity)
    found: dict[int, dict[str, list[str]]] = {}
    for article_id, kind, entity_id in rows:
        found.setdefault(article_id, {}).setdefault(kind, []).append(keys.of[kind][entity_id])
    return {
        article_id: tuple(tuple(by_kind.get(kind, ())) for kind in Tags._fields)
        for article_id, by_kind in found.items()
    }


def _article_records(
    qs: QuerySet[Article], *, per_story: bool, full_text: bool
) -> Iterator[ArticleRecord]:
    with _snapshot():
        values = _article_values(qs, per_story=per_story, full_text=full_text)
        keys = _EntityKeys()
        for chunk in _chunks(values.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
            ids = qs.filter(pk__gte=chunk[0][_ID], pk__lte=chunk[-1][_ID])
            lists = _tag_lists(ids, keys)
            # One record at a time: each is gone before the next, so none outlives a young
            # collection of the garbage collector.
            for row in chunk:
                record = ArticleRecord(*row)
                record.tags = Tags(*lists.get(row[_ID], _NO_TAGS))
                yield record


def _articles_export(params: QueryDict, staff: bool) -> Export[ArticleRecord]:
    filters, per_story = _article_filters(params)
    qs = _articles(filters, per_story)
    return Export(
        kind="articles",
        columns=_shown_to(_article_columns(per_story=per_story), staff=staff),
        filters=_filters_echo(params),
        records=lambda: _article_records(qs, per_story=per_story, full_text=staff),
        count=lambda: qs.order_by().count(),
    )


# Mentions ------------------------------------------------------------------------------


@dataclass(slots=True)
class MentionRecord:
    article_id: int
    kind: str
    entity_key: str  # ISO code of a country, slug of the others
    entity_name: str
    confidence: float
    method: str
    status: str
    evidence: str


MENTION_COLUMNS: list[Column[MentionRecord]] = [
    Column("article_id", "The article, as article_id in articles.csv.", lambda m: m.article_id),
    Column("kind", "country, official, policy or summit.", lambda m: m.kind),
    Column(
        "entity_id",
        "ISO 3166-1 alpha-2 code for a country; the entity's id otherwise.",
        lambda m: _text(m.entity_key),
    ),
    Column(
        "entity_name",
        "Its name: country name in English, official, policy, summit title.",
        lambda m: _text(m.entity_name),
    ),
    Column(
        "confidence",
        "The tagger's confidence, 0 to 1 (1 for tags an editor added).",
        lambda m: m.confidence,
    ),
    Column(
        "method",
        "How the tagger found it (alias match, role resolution, …).",
        lambda m: _text(m.method),
    ),
    Column(
        "status",
        "auto, approved, editor_added; rejected only with include_rejected=1.",
        lambda m: m.status,
    ),
    Column("evidence", "The sentence the tag was found in.", lambda m: _text(m.evidence)),
]


def _mention_records(qs: QuerySet[Mention]) -> Iterator[MentionRecord]:
    # Exactly one of the four entities is set (a check constraint), so Coalesce picks it.
    values = qs.order_by("article_id", "kind", "-confidence", "pk").values(
        "article_id",
        "kind",
        "confidence",
        "method",
        "status",
        "evidence",
        entity_key=Coalesce("summit__slug", "country__iso2", "official__slug", "policy__slug"),
        entity_name=Coalesce(
            "summit__title",
            "country__name_en",
            "official__name",
            "policy__name",
            output_field=TextField(),
        ),
    )
    with _snapshot():
        for row in values.iterator(chunk_size=CHUNK_SIZE):
            yield MentionRecord(**row)


def _mentions_export(params: QueryDict, staff: bool) -> Export[MentionRecord]:
    filters, per_story = _article_filters(params)
    qs = Mention.objects.filter(article__in=_articles(filters, per_story).values("pk"))
    if not export_flag(params, "include_rejected"):
        qs = qs.filter(status__in=VISIBLE_STATUSES)
    return Export(
        kind="mentions",
        columns=_shown_to(MENTION_COLUMNS, staff=staff),
        filters=_filters_echo(params),
        records=lambda: _mention_records(qs),
        count=lambda: qs.order_by().count(),
    )


# Reference data ------------------------------------------------------------------------


@dataclass(slots=True)
class SummitRecord:
    summit: Summit  # with its country, countries, policies and citations fetched
    participants: list[SummitParticipant]
    tagged: int  # articles with a visible tag of it


def _summit_dates(s: SummitRecord) -> str:
    return format_span(s.summit.start_date, s.summit.end_date, s.summit.date_precision)


SUMMIT_COLUMNS: list[Column[SummitRecord]] = [
    Column(
        "summit_id",
        "The summit's id (as in articles.csv and mentions.csv).",
        lambda s: s.summit.slug,
    ),
    Column("title", "Its title.", lambda s: _text(s.summit.title)),
    Column(
        "kind",
        "The kind of meeting: " + ", ".join(SummitKind.values) + ".",
        lambda s: s.summit.kind,
    ),
    Column(
        "start_date",
        f"First day, YYYY-MM-DD; {PRECISION_NOTE}.",
        lambda s: _day(s.summit.start_date),
    ),
    Column(
        "end_date", f"Last day, YYYY-MM-DD; {PRECISION_NOTE}.", lambda s: _day(s.summit.end_date)
    ),
    Column("city", "Where it was held.", lambda s: _text(s.summit.city)),
    Column(
        "host_country",
        "The host country's ISO 3166-1 alpha-2 code.",
        lambda s: s.summit.country.iso2 if s.summit.country else "",
    ),
    Column(
        "countries",
        f"Participating countries, {LIST_NOTE}.",
        lambda s: _list(sorted(c.iso2 for c in s.summit.countries.all())),
    ),
    Column(
        "participants",
        f"Officials who attended, by official id, {LIST_NOTE}.",
        lambda s: _list(p.official.slug for p in s.participants),
    ),
    Column(
        "participant_roles",
        f"Their roles on the day, in the same order, {LIST_NOTE}.",
        lambda s: _list(p.role for p in s.participants),
    ),
    Column(
        "policies",
        f"Policies discussed, by policy id, {LIST_NOTE}.",
        lambda s: _list(sorted(p.slug for p in s.summit.policies.all())),
    ),
    Column("outcome", "A summary of the outcome.", lambda s: _text(s.summit.outcome)),
    Column(
        "aliases",
        f"Names the press uses for it, {LIST_NOTE}.",
        lambda s: _list(str(a) for a in s.summit.aliases or ()),
    ),
    Column(
        "sources",
        f"URLs that support these facts, {LIST_NOTE}.",
        lambda s: _list(c.url for c in s.summit.citations.all()),
    ),
    Column(
        "needs_review",
        "true when a fact is uncertain and an editor should check it.",
        lambda s: _bool(s.summit.needs_review),
    ),
    Column(
        "articles",
        "How many articles are tagged with it (rejected tags not counted).",
        lambda s: s.tagged,
    ),
    Column(
        "status",
        "held, planned, postponed or cancelled; a meeting that did not take place "
        "keeps the dates it was planned for.",
        lambda s: s.summit.status,
    ),
    Column(
        "date_precision",
        f"How exactly start_date and end_date are known: {PRECISIONS}.",
        lambda s: s.summit.date_precision,
    ),
    Column(
        "dates_as_known",
        "The dates written as exactly as they are known: “9\u201310 January "
        "2023”, “April 2024”, “about 21 December 2023”.",
        _summit_dates,
    ),
    Column("citations", CITATIONS_NOTE, lambda s: _citations(s.summit.citations.all())),
]


def _summit_records(qs: QuerySet[Summit]) -> Iterator[SummitRecord]:
    tagged = (
        Mention.objects.filter(summit=OuterRef("pk"), status__in=VISIBLE_STATUSES)
        .order_by()
        .values("summit")
        .annotate(n=Count("article", distinct=True))
        .values("n")
    )
    qs = (
        qs.select_related("country")
        .prefetch_related("countries", "policies", "participants__official", "citations")
        .annotate(tagged=Coalesce(Subquery(tagged, output_field=IntegerField()), 0))
        .order_by("start_date", "slug")
    )
    for summit in qs.iterator(chunk_size=CHUNK_SIZE):
        yield SummitRecord(summit, list(summit.participants.all()), summit.tagged)  # type: ignore[attr-defined]


def _summits_export(params: QueryDict, staff: bool) -> Export[SummitRecord]:
    qs = SummitFilters.from_query(params).apply(Summit.objects.all())
    return Export(
        kind="summits",
        columns=_shown_to(SUMMIT_COLUMNS, staff=staff),
        filters=_filters_echo(params),
        records=lambda: _summit_records(qs),
        count=lambda: qs.order_by().count(),
    )


@dataclass(slots=True)
class OfficialRecord:
    official: Official  # with its country fetched
    tenure: RoleTenure | None  # None: an official with no recorded tenure
    aliases: list[str]


def _tenure_as_known(tenure: RoleTenure | None) -> str:
    if tenure is None:
        return ""
    end = format_date(tenure.end, tenure.end_precision) if tenure.end else "present"
    return _text(f"{format_date(tenure.start, tenure.start_precision)} to {end}")


OFFICIAL_COLUMNS: list[Column[OfficialRecord]] = [
    Column(
        "official_id",
        "The official's id (as in articles.csv and mentions.csv).",
        lambda o: o.official.slug,
    ),
    Column("name", "Canonical name, with its diacritics.", lambda o: _text(o.official.name)),
    Column(
        "official_country",
        "The official's country, ISO 3166-1 alpha-2.",
        lambda o: o.official.country.iso2,
    ),
    Column("aliases", f"Other names and spellings, {LIST_NOTE}.", lambda o: _list(o.aliases)),
    Column(
        "office",
        "The office held, as styled. Empty when no tenure is recorded.",
        lambda o: _text(o.tenure.office) if o.tenure else "",
    ),
    Column(
        "role",
        "The kind of role: " + ", ".join(Role.values) + ".",
        lambda o: o.tenure.role if o.tenure else "",
    ),
    Column(
        "office_country",
        "The government the office belongs to, ISO 3166-1 alpha-2.",
        lambda o: o.tenure.country.iso2 if o.tenure else "",
    ),
    Column(
        "agency", "The agency or ministry.", lambda o: _text(o.tenure.agency) if o.tenure else ""
    ),
    Column(
        "start",
        f"First day in office, YYYY-MM-DD; {PRECISION_NOTE}.",
        lambda o: _day(o.tenure.start) if o.tenure else "",
    ),
    Column(
        "end",
        f"Last day in office, YYYY-MM-DD; empty while in office; {PRECISION_NOTE}.",
        lambda o: _day(o.tenure.end) if o.tenure else "",
    ),
    Column(
        "needs_review",
        "true when the official or this tenure has an uncertain fact.",
        lambda o: _bool(o.official.needs_review or bool(o.tenure and o.tenure.needs_review)),
    ),
    Column(
        "start_precision",
        f"How exactly start is known: {PRECISIONS}.",
        lambda o: o.tenure.start_precision if o.tenure else "",
    ),
    Column(
        "end_precision",
        f"How exactly end is known: {PRECISIONS}; empty while in office.",
        lambda o: o.tenure.end_precision if o.tenure and o.tenure.end else "",
    ),
    Column(
        "tenure_as_known",
        "The tenure written as exactly as it is known: “June 2019 to "
        "about 14 June 2019”, “1 October 2024 to present”.",
        lambda o: _tenure_as_known(o.tenure),
    ),
]


def _official_records(
    qs: QuerySet[RoleTenure], officials: QuerySet[Official]
) -> Iterator[OfficialRecord]:
    # One row per tenure; an official with no recorded tenure still gets one row. The
    # aliases of every official are read once: the knowledge base is a few hundred people.
    aliases: dict[int, list[str]] = {}
    names = OfficialAlias.objects.order_by("official_id", "name")
    for official_id, name in names.values_list("official_id", "name"):
        aliases.setdefault(official_id, []).append(name)
    tenures = qs.select_related("official__country", "country").order_by(
        "official__slug", "start", "pk"
    )
    for tenure in tenures.iterator(chunk_size=CHUNK_SIZE):
        yield OfficialRecord(tenure.official, tenure, aliases.get(tenure.official_id, []))
    untenured = officials.filter(tenures__isnull=True).select_related("country").order_by("slug")
    for official in untenured.iterator(chunk_size=CHUNK_SIZE):
        yield OfficialRecord(official, None, aliases.get(official.pk, []))


def _officials_export(params: QueryDict, staff: bool) -> Export[OfficialRecord]:
    country = _country(params)
    role = params.get("role", "").strip()
    if role and role not in Role.values:
        raise FilterError(f"“{shown(role)}” is not a role; use one of: {', '.join(Role.values)}.")
    slug = params.get("official", "").strip()
    if slug and not Official.objects.filter(slug=slug).exists():
        raise FilterError(f"There is no official “{shown(slug)}”.")
    tenures = RoleTenure.objects.all()
    officials = Official.objects.all()
    if country:
        tenures = tenures.filter(Q(country=country) | Q(official__country=country))
        officials = officials.filter(country=country)
    if role:
        tenures = tenures.filter(role=role)
        officials = officials.none()
    if slug:
        tenures = tenures.filter(official__slug=slug)
        officials = officials.filter(slug=slug)
    return Export(
        kind="officials",
        columns=_shown_to(OFFICIAL_COLUMNS, staff=staff),
        filters=_filters_echo(params),
        records=lambda: _official_records(tenures, officials),
        count=lambda: tenures.count() + officials.filter(tenures__isnull=True).count(),
    )


@dataclass(slots=True)
class PolicyRecord:
    policy: Policy  # with its countries, aliases and citations fetched
    events: list[PolicyEvent]  # oldest first


POLICY_COLUMNS: list[Column[PolicyRecord]] = [
    Column(
        "policy_id",
        "The policy's id (as in articles.csv and mentions.csv).",
        lambda p: p.policy.slug,
    ),
    Column("name", "Its name.", lambda p: _text(p.policy.name)),
    Column("description", "What it does.", lambda p: _text(p.policy.description)),
    Column(
        "countries",
        f"Countries it concerns, {LIST_NOTE}.",
        lambda p: _list(sorted(c.iso2 for c in p.policy.countries.all())),
    ),
    Column(
        "aliases",
        f"Abbreviations and everyday names, {LIST_NOTE}.",
        lambda p: _list(sorted(a.name for a in p.policy.aliases.all())),
    ),
    Column(
        "events",
        f"Its key dates as “YYYY-MM-DD status”, oldest first, {LIST_NOTE}.",
        lambda p: _list(f"{e.date.isoformat()} {e.status}" for e in p.events),
    ),
    Column(
        "latest_status",
        "Its status at the latest key date.",
        lambda p: p.events[-1].status if p.events else "",
    ),
    Column(
        "sources",
        f"URLs that support these facts, {LIST_NOTE}.",
        lambda p: _list(c.url for c in p.policy.citations.all()),
    ),
    Column(
        "needs_review",
        "true when a fact is uncertain and an editor should check it.",
        lambda p: _bool(p.policy.needs_review),
    ),
    Column(
        "events_as_known",
        "The key dates written as exactly as they are known, "
        f"“June 2023 in_force”, oldest first, in the order of events, {LIST_NOTE}.",
        lambda p: _list(f"{format_date(e.date, e.date_precision)} {e.status}" for e in p.events),
    ),
    Column("citations", CITATIONS_NOTE, lambda p: _citations(p.policy.citations.all())),
]


def _policy_records(qs: QuerySet[Policy]) -> Iterator[PolicyRecord]:
    qs = qs.prefetch_related("countries", "aliases", "events", "citations").order_by("slug")
    for policy in qs.iterator(chunk_size=CHUNK_SIZE):
        yield PolicyRecord(policy, sorted(policy.events.all(), key=lambda e: (e.date, e.pk)))


def _policies_export(params: QueryDict, staff: bool) -> Export[PolicyRecord]:
    country = _country(params)
    qs = Policy.objects.filter(countries=country) if country else Policy.objects.all()
    return Export(
        kind="policies",
        columns=_shown_to(POLICY_COLUMNS, staff=staff),
        filters=_filters_echo(params),
        records=lambda: _policy_records(qs),
        count=lambda: qs.count(),
    )


COUNTRY_COLUMNS: list[Column[Country]] = [
    Column(
        "iso2", "ISO 3166-1 alpha-2 code: the country's id in the other files.", lambda c: c.iso2
    ),
    Column("iso3", "ISO 3166-1 alpha-3 code.", lambda c: c.iso3),
    Column("name_en", "Name in English.", lambda c: _text(c.name_en)),
    Column("name_es", "Name in Spanish.", lambda c: _text(c.name_es)),
    Column("name_fr", "Name in French.", lambda c: _text(c.name_fr)),
    Column("is_core", "true for the United States, Mexico and Canada.", lambda c: _bool(c.is_core)),
    Column(
        "aliases",
        f"Other names the press uses, {LIST_NOTE}.",
        lambda c: _list(str(a) for a in c.aliases or ()),
    ),
]


def _countries_export(params: QueryDict, staff: bool) -> Export[Country]:
    return Export(
        kind="countries",
        columns=_shown_to(COUNTRY_COLUMNS, staff=staff),
        filters={},
        records=lambda: Country.objects.order_by("iso2").iterator(chunk_size=CHUNK_SIZE),
        count=lambda: Country.objects.count(),
    )


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    parameters: str
    build: Callable[[QueryDict, bool], Export[Any]]  # (parameters, staff) -> the export
    columns: Sequence[Column[Any]]  # all of them, staff-only ones included
    params: tuple[str, ...]  # the filters it takes, besides OUTPUT_PARAMS


_ARTICLE_PARAMS_NOTE = (
    "q, source, country, official, policy, summit, from, to, language, status — as on the "
    "article pages; per=story for one row per story (default: one row per article)"
)
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "articles",
            "One row per article (or per story with per=story).",
            _ARTICLE_PARAMS_NOTE,
            _articles_export,
            _article_columns(per_story=True),
            ARTICLE_PARAMS,
        ),
        Kind(
            "mentions",
            "Long format: one row per tag on an article (the articles the filters select).",
            _ARTICLE_PARAMS_NOTE + "; include_rejected=1 adds tags editors rejected",
            _mentions_export,
            MENTION_COLUMNS,
            (*ARTICLE_PARAMS, "include_rejected"),
        ),
        Kind(
            "summits",
            "One row per summit, ministerial meeting or bilateral dialogue.",
            "country, official, policy, kind, from, to — as on the summit pages",
            _summits_export,
            SUMMIT_COLUMNS,
            SUMMIT_PARAMS,
        ),
        Kind(
            "officials",
            "One row per role tenure (an official with none recorded gets one row).",
            "country, role, official",
            _officials_export,
            OFFICIAL_COLUMNS,
            ("country", "role", "official"),
        ),
        Kind(
            "policies",
            "One row per policy.",
            "country",
            _policies_export,
            POLICY_COLUMNS,
            ("country",),
        ),
        Kind("countries", "One row per country.", "none", _countries_export, COUNTRY_COLUMNS, ()),
    )
}


# Public entry points -------------------------------------------------------------------


def export_prepare(*, kind: str, params: QueryDict, staff: bool = False) -> Export[Any]:
    """Parse an export's parameters; UnknownExportError or FilterError says what is wrong.

    `staff`: the reader is signed-in staff, so staff-only columns (full text) are included.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise UnknownExportError(
            f"There is no export called “{kind}”; there are: {', '.join(KINDS)}."
        )
    params_accept(
        params,
        (*spec.params, *OUTPUT_PARAMS),
        f"{kind}.csv",
        " (bom=1 for Excel and meta=1 for the citation sidecar are the output options)",
    )
    for name in ("bom", "meta"):
        export_flag(params, name)
    page_number(params)  # ignored, but held to the same rule as on the pages
    return spec.build(params, staff)


def tagger_version() -> str:
    """The version of the tagger in this code."""
    return TAGGER_VERSION


def export_meta(*, export: Export[Any], generated_at: datetime, row_count: int) -> dict[str, Any]:
    """The citation sidecar: what was exported, when, with which filters and versions."""
    return {
        "export": f"{export.kind}.csv",
        "generated_at": _utc(generated_at),
        "filters": export.filters,
        "row_count": row_count,
        "app_version": settings.TRACKER_VERSION,
        "tagger_version": tagger_version(),
        "columns": export.header,
        "encoding": "UTF-8, RFC 4180 (CRLF line ends, double-quote quoting)",
        "list_delimiter": LIST_DELIMITER,
        "formula_prefix": (
            "A cell that starts with any apostrophes followed by = + - @ tab or CR was given "
            "one leading ' ; remove it to get the stored value."
        ),
    }


def failure_line(rows: int) -> bytes:
    """The last line of an export that failed part-way: never mistaken for a row or the end."""
    return (
        f"{FAILED_MARK} after {rows} rows: this file is incomplete. Download it again.\r\n"
    ).encode()


def export_stream(
    *,
    export: Export[Any],
    bom: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes in ~64 KB pieces: a header line, then one line per row.

    The header leaves with the first rows, so a query that cannot start fails before the
    first byte. A failure after that is logged, the file gets a last line starting
    FAILED_MARK (and fewer cells than the header), and the error is raised again so that the
    server cuts the response: a download that failed never looks complete.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(export.header)
    rows = 0
    sent = False

    def take() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    try:
        for row in export.rows():
            writer.writerow(row)
            rows += 1
            if buffer.tell() >= FLUSH_BYTES:
                yield take()
                sent = True
                if on_progress:
                    on_progress(rows)
        yield take()
    except Exception as exc:
        if not sent:
            raise
        logger.exception("%s.csv failed after %d rows; the file sent was cut", export.kind, rows)
        # The rows already written whole go out before the line that says the file is cut.
        yield take() + failure_line(rows)
        raise ExportInterruptedError(f"{export.kind}.csv failed after {rows} rows") from exc
    if on_progress:
        on_progress(rows)
