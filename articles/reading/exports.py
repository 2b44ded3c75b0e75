"""CSV exports for researchers: generators that yield a header, then rows, at any size.

Each exporter reads one queryset through a server-side cursor (a named cursor on PostgreSQL)
and fetches its many-valued columns once per chunk of rows, so memory stays flat whatever the
size. Cells are neutralised against formula injection as OWASP advises, in a way that can be
undone exactly; the data-dictionary page documents that beside every column.
"""

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict

from articles.models import VISIBLE_STATUSES, Article, Mention
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


class UnknownExportError(LookupError):
    """There is no export of that name."""


class ExportInterruptedError(RuntimeError):
    """An export failed after its first bytes were sent; the file ends with FAILED_MARK."""


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass
class Export:
    """One export, its filters parsed: `rows()` streams the data, `count()` counts it."""

    kind: str
    columns: Sequence[Column]
    filters: dict[str, str]
    rows: Callable[[], Iterator[list[Any]]]
    count: Callable[[], int]
    # Where the database writes the CSV lines itself: (rows, UTF-8) pieces holding the same
    # bytes that `rows()` gives through the csv module.
    lines: Callable[[], Iterator[tuple[int, bytes]]] | None = None

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


# Cells ---------------------------------------------------------------------------------


def cell_neutralise(value: str) -> str:
    """Prefix ' to a text cell a spreadsheet would read as a formula (OWASP CSV injection)."""
    if value and value[0] in "'=+-@\t\r" and _FORMULA.match(value):
        return "'" + value
    return value


def cell_restore(value: str) -> str:
    """Undo cell_neutralise exactly: drop the first ' before apostrophes and = + - @ tab CR."""
    if value.startswith("'") and _FORMULA.match(value):
        return value[1:]
    return value


def list_join(items: Iterable[str]) -> str:
    """A many-valued cell: items joined by "; ", with \\ and ; inside an item escaped by \\."""
    return LIST_DELIMITER.join(
        item.replace("\\", "\\\\").replace(";", "\\;") for item in items if item
    )


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


def _text(value: str | None) -> str:
    return cell_neutralise(value) if value else ""


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _list(items: Iterable[str]) -> str:
    return cell_neutralise(list_join(items)) if items else ""


def _citations(citations: Iterable[Any]) -> str:
    return _list(" | ".join([c.kind, c.publisher, _day(c.date), c.title, c.url]) for c in citations)


def _tenure_as_known(tenure: RoleTenure) -> str:
    end = format_date(tenure.end, tenure.end_precision) if tenure.end else "present"
    return _text(f"{format_date(tenure.start, tenure.start_precision)} to {end}")


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
ARTICLE_COLUMNS = [
    Column("article_id", "The article's id in the tracker."),
    Column("story_id", "The story cluster its copies share; empty when it has none yet."),
    Column("url", "The link as the feed gave it."),
    Column("canonical_url", "The page's canonical URL: one article per canonical URL."),
    Column("source", "The outlet that published this copy."),
    Column("source_domain", "That outlet's domain."),
    Column("original_source", "The outlet the story comes from, when this copy republishes it."),
    Column("title", "The headline."),
    Column("published_utc", "When it was published, UTC, as YYYY-MM-DDTHH:MM:SSZ."),
    Column("language", "ISO 639-1 language code."),
    Column("authors", f"Bylines, {LIST_NOTE}."),
    Column("summits", f"Summits it is about, by summit id, {LIST_NOTE}."),
    Column("countries", f"Countries it is about, by ISO 3166-1 alpha-2 code, {LIST_NOTE}."),
    Column("officials", f"Officials it names, by official id, {LIST_NOTE}."),
    Column("policies", f"Policies it is about, by policy id, {LIST_NOTE}."),
    Column("review_status", "unreviewed, reviewed or not_relevant: an editor's verdict."),
    Column("tagger_version", "The tagger version that last tagged it; empty if never tagged."),
]
COPIES_COLUMN = Column(
    "copies", "With per=story: how many matching copies the story has (this row is the first)."
)
_ARTICLE_FIELDS = (
    "pk",
    "cluster_id",
    "url",
    "canonical_url",
    "source__name",
    "source__domain",
    "original_source__name",
    "original_source_name",
    "title",
    "published_at",
    "language",
    "authors",
    "review_status",
    "tagger_version",
)
_ENTITY_KEYS = {
    "summit": "summit__slug",
    "country": "country__iso2",
    "official": "official__slug",
    "policy": "policy__slug",
}


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


class _EntityKeys:
    """Id -> export key (ISO code or slug) of every country, official, policy and summit.

    The knowledge base is small (hundreds of rows), so one read of each table replaces four
    joins on every mention row of a million-article export.
    """

    def __init__(self) -> None:
        self.summit = dict(Summit.objects.values_list("pk", "slug"))
        self.country = dict(Country.objects.values_list("pk", "iso2"))
        self.official = dict(Official.objects.values_list("pk", "slug"))
        self.policy = dict(Policy.objects.values_list("pk", "slug"))


# On PostgreSQL the database groups a chunk's tags per article: a quarter of the rows to
# fetch, and one array parameter instead of 2,000 bound literals.
_PG_TAGS = """
SELECT article_id,
  array_agg(summit_id ORDER BY confidence DESC, id) FILTER (WHERE summit_id IS NOT NULL),
  array_agg(country_id ORDER BY confidence DESC, id) FILTER (WHERE country_id IS NOT NULL),
  array_agg(official_id ORDER BY confidence DESC, id) FILTER (WHERE official_id IS NOT NULL),
  array_agg(policy_id ORDER BY confidence DESC, id) FILTER (WHERE policy_id IS NOT NULL)
FROM {table} WHERE article_id = ANY(%s) AND status = ANY(%s) GROUP BY article_id
"""


def _mention_lists(article_ids: list[int], keys: _EntityKeys) -> dict[int, list[list[str]]]:
    """Per article: its visible summits, countries, officials, policies, best first."""
    lists: dict[int, list[list[str]]] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PG_TAGS.format(table=Mention._meta.db_table),
                [article_ids, [str(status) for status in VISIBLE_STATUSES]],
            )
            for article_id, summits, countries, officials, policies in cursor.fetchall():
                lists[article_id] = [
                    [keys.summit[pk] for pk in summits or ()],
                    [keys.country[pk] for pk in countries or ()],
                    [keys.official[pk] for pk in officials or ()],
                    [keys.policy[pk] for pk in policies or ()],
                ]
        return lists
    rows = (
        Mention.objects.filter(article_id__in=article_ids, status__in=VISIBLE_STATUSES)
        .order_by("article_id", "-confidence", "pk")
        .values_list("article_id", "summit_id", "country_id", "official_id", "policy_id")
    )
    for article_id, summit, country, official, policy in rows:
        tags = lists.get(article_id)
        if tags is None:
            tags = lists[article_id] = [[], [], [], []]
        if summit is not None:
            tags[0].append(keys.summit[summit])
        elif country is not None:
            tags[1].append(keys.country[country])
        elif official is not None:
            tags[2].append(keys.official[official])
        elif policy is not None:
            tags[3].append(keys.policy[policy])
    return lists


_NO_TAGS: list[list[str]] = [[], [], [], []]


def _article_rows(qs: QuerySet[Article], per_story: bool) -> Iterator[list[Any]]:
    fields = (*_ARTICLE_FIELDS, "copies") if per_story else _ARTICLE_FIELDS
    with _snapshot():
        cursor = qs.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
        keys = _EntityKeys()
        for chunk in _chunks(cursor, CHUNK_SIZE):
            lists = _mention_lists([row[0] for row in chunk], keys)
            for row in chunk:
                summits, countries, officials, policies = lists.get(row[0], _NO_TAGS)
                out = [
                    row[0],
                    row[1],
                    _text(row[2]),
                    _text(row[3]),
                    _text(row[4]),
                    _text(row[5]),
                    _text(row[6] or row[7]),
                    _text(row[8]),
                    _utc(row[9]),
                    _text(row[10]),
                    _list([str(a) for a in row[11]]) if row[11] else "",
                    _list(summits),
                    _list(countries),
                    _list(officials),
                    _list(policies),
                    row[12],
                    _text(row[13]),
                ]
                if per_story:
                    out.insert(2, row[14])
                yield out


# On PostgreSQL the database writes articles.csv itself, in one COPY: the rows, their tag lists
# (a LATERAL aggregate per article, keys joined from the small knowledge-base tables), formula
# neutralising in SQL, and quoting by COPY's CSV writer, which quotes exactly what csv.writer
# does (a cell holding a comma, a quote, CR or LF). COPY sends one message per row, so Python
# only turns each row's LF into CRLF; per-row Python work and a second query per chunk were
# most of the time before. Each SQL expression mirrors a Python helper above, and a test
# compares both outputs byte for byte.
LINES_BATCH = 5000


def _pg_neutralised(expr: str) -> str:
    """cell_neutralise: any apostrophes then = + - @ tab or CR get one apostrophe in front."""
    # ascii() first: the regular expression runs only on the rare cell that may need it.
    return (
        f"CASE WHEN ascii({expr}) IN (39, 61, 43, 45, 64, 9, 13) "
        rf"""THEN regexp_replace({expr}, '^(''*[-=+@\t\r])', '''\1') ELSE {expr} END"""
    )


def _pg_text(expr: str) -> str:
    # csv.writer writes an empty cell bare; COPY writes a bare cell only for NULL.
    return f"NULLIF({_pg_neutralised(expr)}, '')"


def _pg_list_item(expr: str) -> str:
    """list_join's escaping of one item: a backslash before each backslash and semicolon."""
    return rf"""replace(replace({expr}, '\', '\\'), ';', '\;')"""


def _pg_tags(kind: str, key: str) -> str:
    return (
        f"string_agg({_pg_list_item(key)}, '; ' ORDER BY m.confidence DESC, m.id) "
        f"FILTER (WHERE m.{kind}_id IS NOT NULL AND {key} <> '') AS {kind}_keys"
    )


_PG_ARTICLE_LINES = r"""
COPY (
SELECT {cells}
FROM ({articles}) a
LEFT JOIN LATERAL (
  SELECT {summits}, {countries}, {officials}, {policies}
  FROM {mention} m
  LEFT JOIN {summit} su ON su.id = m.summit_id
  LEFT JOIN {country} co ON co.id = m.country_id
  LEFT JOIN {official} ofc ON ofc.id = m.official_id
  LEFT JOIN {policy} po ON po.id = m.policy_id
  WHERE m.article_id = a.pk AND m.status IN ({visible})
) t ON true
LEFT JOIN LATERAL (
  SELECT string_agg({author}, '; ' ORDER BY x.n) AS names
  FROM jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(a.authors) = 'array' THEN a.authors ELSE '[]' END
  ) WITH ORDINALITY AS x(name, n)
  WHERE x.name <> ''
) au ON true
ORDER BY a.pk
) TO STDOUT (FORMAT csv)
"""


def _pg_article_sql(qs: QuerySet[Article], per_story: bool) -> tuple[str, list[Any]]:
    fields = (*_ARTICLE_FIELDS, "copies") if per_story else _ARTICLE_FIELDS
    inner = qs.order_by().values_list(*fields)
    articles_sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    cells = [
        "a.pk",
        "a.cluster_id",
        _pg_text("a.url"),
        _pg_text("a.canonical_url"),
        _pg_text('a."source__name"'),
        _pg_text('a."source__domain"'),
        # Python's `or`: an outlet with an empty name falls back to the name given as text.
        _pg_text("""COALESCE(NULLIF(a."original_source__name", ''), a.original_source_name)"""),
        _pg_text("a.title"),
        """to_char(a.published_at AT TIME ZONE 'UTC', 'FMYYYY-MM-DD"T"HH24:MI:SS"Z"')""",
        _pg_text("a.language"),
        _pg_text("au.names"),
        _pg_text("t.summit_keys"),
        _pg_text("t.country_keys"),
        _pg_text("t.official_keys"),
        _pg_text("t.policy_keys"),
        "NULLIF(a.review_status, '')",
        _pg_text("a.tagger_version"),
    ]
    if per_story:
        cells.insert(2, "a.copies")
    sql = _PG_ARTICLE_LINES.format(
        cells=", ".join(cells),
        articles=articles_sql,
        summits=_pg_tags("summit", "su.slug"),
        countries=_pg_tags("country", "co.iso2"),
        officials=_pg_tags("official", "ofc.slug"),
        policies=_pg_tags("policy", "po.slug"),
        mention=Mention._meta.db_table,
        summit=Summit._meta.db_table,
        country=Country._meta.db_table,
        official=Official._meta.db_table,
        policy=Policy._meta.db_table,
        visible=", ".join(["%s"] * len(VISIBLE_STATUSES)),
        author=_pg_list_item("x.name"),
    )
    return sql, [*params, *(str(status) for status in VISIBLE_STATUSES)]


def _pg_article_lines(qs: QuerySet[Article], per_story: bool) -> Iterator[tuple[int, bytes]]:
    sql, params = _pg_article_sql(qs, per_story)
    with _snapshot(), connection.cursor() as cursor, cursor.cursor.copy(sql, params) as copy:
        batch: list[Any] = []
        for row in copy:
            batch.append(row[:-1])
            if len(batch) == LINES_BATCH:
                yield len(batch), b"\r\n".join(batch) + b"\r\n"
                batch = []
        if batch:
            yield len(batch), b"\r\n".join(batch) + b"\r\n"


def _articles_export(params: QueryDict) -> Export:
    filters, per_story = _article_filters(params)
    qs = _articles(filters, per_story)
    columns = list(ARTICLE_COLUMNS)
    if per_story:
        columns.insert(2, COPIES_COLUMN)
    return Export(
        kind="articles",
        columns=columns,
        filters=_filters_echo(params),
        rows=lambda: _article_rows(qs, per_story),
        count=lambda: qs.order_by().count(),
        lines=(
            (lambda: _pg_article_lines(qs, per_story))
            if connection.vendor == "postgresql"
            else None
        ),
    )


# Mentions ------------------------------------------------------------------------------

MENTION_COLUMNS = [
    Column("article_id", "The article, as article_id in articles.csv."),
    Column("kind", "country, official, policy or summit."),
    Column("entity_id", "ISO 3166-1 alpha-2 code for a country; the entity's id otherwise."),
    Column("entity_name", "Its name: country name in English, official, policy, summit title."),
    Column("confidence", "The tagger's confidence, 0 to 1 (1 for tags an editor added)."),
    Column("method", "How the tagger found it (alias match, role resolution, …)."),
    Column("status", "auto, approved, editor_added; rejected only with include_rejected=1."),
    Column("evidence", "The sentence the tag was found in."),
]


def _mention_rows(qs: QuerySet[Mention]) -> Iterator[list[Any]]:
    fields = (
        "article_id",
        "kind",
        *_ENTITY_KEYS.values(),
        "summit__title",
        "country__name_en",
        "official__name",
        "policy__name",
        "confidence",
        "method",
        "status",
        "evidence",
    )
    with _snapshot():
        rows = qs.order_by("article_id", "kind", "-confidence", "pk").values_list(*fields)
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            kind = row[1]
            index = ("summit", "country", "official", "policy").index(kind)
            yield [
                row[0],
                kind,
                _text(row[2 + index]),
                _text(row[6 + index]),
                row[10],
                _text(row[11]),
                row[12],
                _text(row[13]),
            ]


def _mentions_export(params: QueryDict) -> Export:
    filters, per_story = _article_filters(params)
    qs = Mention.objects.filter(article__in=_articles(filters, per_story).values("pk"))
    if not export_flag(params, "include_rejected"):
        qs = qs.filter(status__in=VISIBLE_STATUSES)
    return Export(
        kind="mentions",
        columns=MENTION_COLUMNS,
        filters=_filters_echo(params),
        rows=lambda: _mention_rows(qs),
        count=lambda: qs.order_by().count(),
    )


# Reference data ------------------------------------------------------------------------

SUMMIT_COLUMNS = [
    Column("summit_id", "The summit's id (as in articles.csv and mentions.csv)."),
    Column("title", "Its title."),
    Column("kind", "The kind of meeting: " + ", ".join(SummitKind.values) + "."),
    Column("start_date", f"First day, YYYY-MM-DD; {PRECISION_NOTE}."),
    Column("end_date", f"Last day, YYYY-MM-DD; {PRECISION_NOTE}."),
    Column("city", "Where it was held."),
    Column("host_country", "The host country's ISO 3166-1 alpha-2 code."),
    Column("countries", f"Participating countries, {LIST_NOTE}."),
    Column("participants", f"Officials who attended, by official id, {LIST_NOTE}."),
    Column("participant_roles", f"Their roles on the day, in the same order, {LIST_NOTE}."),
    Column("policies", f"Policies discussed, by policy id, {LIST_NOTE}."),
    Column("outcome", "A summary of the outcome."),
    Column("aliases", f"Names the press uses for it, {LIST_NOTE}."),
    Column("sources", f"URLs that support these facts, {LIST_NOTE}."),
    Column("needs_review", "true when a fact is uncertain and an editor should check it."),
    Column("articles", "How many articles are tagged with it (rejected tags not counted)."),
    Column(
        "status",
        "held, planned, postponed or cancelled; a meeting that did not take place "
        "keeps the dates it was planned for.",
    ),
    Column("date_precision", f"How exactly start_date and end_date are known: {PRECISIONS}."),
    Column(
        "dates_as_known",
        "The dates written as exactly as they are known: “9\u201310 January "
        "2023”, “April 2024”, “about 21 December 2023”.",
    ),
    Column("citations", CITATIONS_NOTE),
]


def _summit_rows(qs: QuerySet[Summit]) -> Iterator[list[Any]]:
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
        participants = list(summit.participants.all())
        yield [
            summit.slug,
            _text(summit.title),
            summit.kind,
            _day(summit.start_date),
            _day(summit.end_date),
            _text(summit.city),
            summit.country.iso2 if summit.country else "",
            _list(sorted(c.iso2 for c in summit.countries.all())),
            _list(p.official.slug for p in participants),
            _list(p.role for p in participants),
            _list(sorted(p.slug for p in summit.policies.all())),
            _text(summit.outcome),
            _list(str(a) for a in summit.aliases or ()),
            _list(c.url for c in summit.citations.all()),
            _bool(summit.needs_review),
            summit.tagged,
            summit.status,
            summit.date_precision,
            format_span(summit.start_date, summit.end_date, summit.date_precision),
            _citations(summit.citations.all()),
        ]


def _summits_export(params: QueryDict) -> Export:
    qs = SummitFilters.from_query(params).apply(Summit.objects.all())
    return Export(
        kind="summits",
        columns=SUMMIT_COLUMNS,
        filters=_filters_echo(params),
        rows=lambda: _summit_rows(qs),
        count=lambda: qs.order_by().count(),
    )


OFFICIAL_COLUMNS = [
    Column("official_id", "The official's id (as in articles.csv and mentions.csv)."),
    Column("name", "Canonical name, with its diacritics."),
    Column("official_country", "The official's country, ISO 3166-1 alpha-2."),
    Column("aliases", f"Other names and spellings, {LIST_NOTE}."),
    Column("office", "The office held, as styled. Empty when no tenure is recorded."),
    Column("role", "The kind of role: " + ", ".join(Role.values) + "."),
    Column("office_country", "The government the office belongs to, ISO 3166-1 alpha-2."),
    Column("agency", "The agency or ministry."),
    Column("start", f"First day in office, YYYY-MM-DD; {PRECISION_NOTE}."),
    Column("end", f"Last day in office, YYYY-MM-DD; empty while in office; {PRECISION_NOTE}."),
    Column("needs_review", "true when the official or this tenure has an uncertain fact."),
    Column("start_precision", f"How exactly start is known: {PRECISIONS}."),
    Column("end_precision", f"How exactly end is known: {PRECISIONS}; empty while in office."),
    Column(
        "tenure_as_known",
        "The tenure written as exactly as it is known: “June 2019 to "
        "about 14 June 2019”, “1 October 2024 to present”.",
    ),
]


class _AliasNames:
    """Aliases of every official, read once: the knowledge base is a few hundred people."""

    def __init__(self) -> None:
        self._names: dict[int, list[str]] | None = None

    def of(self, official_id: int) -> list[str]:
        if self._names is None:
            self._names = {}
            aliases = OfficialAlias.objects.order_by("official_id", "name")
            for pk, name in aliases.values_list("official_id", "name"):
                self._names.setdefault(pk, []).append(name)
        return self._names.get(official_id, [])


def _official_rows(qs: QuerySet[RoleTenure], officials: QuerySet[Official]) -> Iterator[list[Any]]:
    # One row per tenure; an official with no recorded tenure still gets one row.
    tenures = qs.select_related("official__country", "country").order_by(
        "official__slug", "start", "pk"
    )
    untenured = officials.filter(tenures__isnull=True).select_related("country")
    alias_rows = _AliasNames()
    for tenure in tenures.iterator(chunk_size=CHUNK_SIZE):
        official = tenure.official
        yield [
            official.slug,
            _text(official.name),
            official.country.iso2,
            _list(alias_rows.of(official.pk)),
            _text(tenure.office),
            tenure.role,
            tenure.country.iso2,
            _text(tenure.agency),
            _day(tenure.start),
            _day(tenure.end),
            _bool(official.needs_review or tenure.needs_review),
            tenure.start_precision,
            tenure.end_precision if tenure.end else "",
            _tenure_as_known(tenure),
        ]
    for official in untenured.order_by("slug").iterator(chunk_size=CHUNK_SIZE):
        yield [
            official.slug,
            _text(official.name),
            official.country.iso2,
            _list(alias_rows.of(official.pk)),
            *[""] * 6,
            _bool(official.needs_review),
            *[""] * 3,
        ]


def _officials_export(params: QueryDict) -> Export:
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
        columns=OFFICIAL_COLUMNS,
        filters=_filters_echo(params),
        rows=lambda: _official_rows(tenures, officials),
        count=lambda: tenures.count() + officials.filter(tenures__isnull=True).count(),
    )


POLICY_COLUMNS = [
    Column("policy_id", "The policy's id (as in articles.csv and mentions.csv)."),
    Column("name", "Its name."),
    Column("description", "What it does."),
    Column("countries", f"Countries it concerns, {LIST_NOTE}."),
    Column("aliases", f"Abbreviations and everyday names, {LIST_NOTE}."),
    Column("events", f"Its key dates as “YYYY-MM-DD status”, oldest first, {LIST_NOTE}."),
    Column("latest_status", "Its status at the latest key date."),
    Column("sources", f"URLs that support these facts, {LIST_NOTE}."),
    Column("needs_review", "true when a fact is uncertain and an editor should check it."),
    Column(
        "events_as_known",
        "The key dates written as exactly as they are known, "
        f"“June 2023 in_force”, oldest first, in the order of events, {LIST_NOTE}.",
    ),
    Column("citations", CITATIONS_NOTE),
]


def _policy_rows(qs: QuerySet[Policy]) -> Iterator[list[Any]]:
    qs = qs.prefetch_related("countries", "aliases", "events", "citations").order_by("slug")
    for policy in qs.iterator(chunk_size=CHUNK_SIZE):
        events: list[PolicyEvent] = sorted(policy.events.all(), key=lambda e: (e.date, e.pk))
        yield [
            policy.slug,
            _text(policy.name),
            _text(policy.description),
            _list(sorted(c.iso2 for c in policy.countries.all())),
            _list(sorted(a.name for a in policy.aliases.all())),
            _list(f"{e.date.isoformat()} {e.status}" for e in events),
            events[-1].status if events else "",
            _list(c.url for c in policy.citations.all()),
            _bool(policy.needs_review),
            _list(f"{format_date(e.date, e.date_precision)} {e.status}" for e in events),
            _citations(policy.citations.all()),
        ]


def _policies_export(params: QueryDict) -> Export:
    country = _country(params)
    qs = Policy.objects.filter(countries=country) if country else Policy.objects.all()
    return Export(
        kind="policies",
        columns=POLICY_COLUMNS,
        filters=_filters_echo(params),
        rows=lambda: _policy_rows(qs),
        count=lambda: qs.count(),
    )


COUNTRY_COLUMNS = [
    Column("iso2", "ISO 3166-1 alpha-2 code: the country's id in the other files."),
    Column("iso3", "ISO 3166-1 alpha-3 code."),
    Column("name_en", "Name in English."),
    Column("name_es", "Name in Spanish."),
    Column("name_fr", "Name in French."),
    Column("is_core", "true for the United States, Mexico and Canada."),
    Column("aliases", f"Other names the press uses, {LIST_NOTE}."),
]


def _country_rows() -> Iterator[list[Any]]:
    for country in Country.objects.order_by("iso2").iterator(chunk_size=CHUNK_SIZE):
        yield [
            country.iso2,
            country.iso3,
            _text(country.name_en),
            _text(country.name_es),
            _text(country.name_fr),
            _bool(country.is_core),
            _list(str(a) for a in country.aliases or ()),
        ]


def _countries_export(params: QueryDict) -> Export:
    return Export(
        kind="countries",
        columns=COUNTRY_COLUMNS,
        filters={},
        rows=_country_rows,
        count=lambda: Country.objects.count(),
    )


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    parameters: str
    build: Callable[[QueryDict], Export]
    columns: Sequence[Column]
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
            [*ARTICLE_COLUMNS[:2], COPIES_COLUMN, *ARTICLE_COLUMNS[2:]],
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


def export_prepare(*, kind: str, params: QueryDict) -> Export:
    """Parse an export's parameters; UnknownExportError or FilterError says what is wrong."""
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
    return spec.build(params)


def tagger_version() -> str:
    """The version of the tagger in this code, or "" before the tagger exists."""
    try:
        from articles.tagging import tagger as tagging
    except ImportError:
        return ""
    return str(getattr(tagging, "TAGGER_VERSION", ""))


def export_meta(*, export: Export, generated_at: datetime, row_count: int) -> dict[str, Any]:
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
    export: Export,
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
        if export.lines is not None:
            for count, lines in export.lines():
                data = take() + lines
                rows += count
                for start in range(0, len(data), FLUSH_BYTES):
                    yield data[start : start + FLUSH_BYTES]
                    sent = True
                if on_progress:
                    on_progress(rows)
        else:
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
