"""Page benchmark: server time of the home, summit, official, country, policy, index, filtered
article list and search pages, and of the Atom feeds and JSON that stand for them.

Each page is requested in-process through Django's test client (all middleware, template
rendering included), at least 20 times after one warm-up. Pages keep their costly figures in
the cache until the data changes (articles.reading.figures): those samples are what readers
get between writes. Each note gives the median of a few first readings after a committed
edit of an article the page shows (for a summit's, official's, country's or policy's page and
feed, an article tagged with it; elsewhere the newest article), after a committed edit of an
article it does not show (one not tagged with the entity: what most ingestion batches write,
as far as one entity's page is concerned; elsewhere the same as the first), after a new tag
of its entity on an article it did not show (what ingestion writes about an active entity;
elsewhere the same as the first), and with an empty cache (after a deploy). The baseline,
measured in the same run, is the page's main SQL query, the slowest read of a first reading,
re-run alone on a cursor: the ratio says how the page compares with the database work it
needs when the data changes.

    python -m bench.bench_pages            # quick, on DATABASE_URL (PostgreSQL)
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement, standalone  # noqa: E402

TARGET_MS = 100
# The knowledge-base pages an analyst reads most have a tighter floor.
KB_TARGET_MS = 50
MIN_SAMPLES = 20
# Readings with an empty cache per page, for the note.
FIRST_SAMPLES = 5
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


def _busiest(kind: str) -> str:
    from django.db.models import Count

    from articles.models import VISIBLE_STATUSES, Mention

    row = (
        Mention.objects.filter(kind=kind, status__in=VISIBLE_STATUSES)
        .values(f"{kind}__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return row[f"{kind}__slug"] if row else "none"


class Page(NamedTuple):
    name: str
    url: str
    target: int  # p95 floor, ms
    kind: str = ""  # the entity the page is about, if any
    key: str = ""  # its slug (its ISO code for a country)


def _pages() -> list[Page]:
    """The measured pages with their floor, pointed at the busiest summit, official and
    policy, Mexico, and a common search word."""

    from summits.models import Country

    country = Country.objects.filter(iso2="MX").first() or Country.objects.first()
    iso2 = country.iso2 if country else "MX"
    summit, official, policy = _busiest("summit"), _busiest("official"), _busiest("policy")
    return [
        Page("home", "/", TARGET_MS),
        Page("home with policy lanes", "/?lanes=policies", TARGET_MS),
        Page("summit", f"/summits/{summit}/", KB_TARGET_MS, "summit", summit),
        Page("official", f"/officials/{official}/", KB_TARGET_MS, "official", official),
        Page("country", f"/countries/{iso2}/", KB_TARGET_MS, "country", iso2),
        Page("policy", f"/policies/{policy}/", KB_TARGET_MS, "policy", policy),
        Page("officials index", "/officials/", TARGET_MS),
        Page("policies index", "/policies/", TARGET_MS),
        Page("countries index", "/countries/", TARGET_MS),
        Page("sources index", "/sources/", TARGET_MS),
        Page(
            "filtered article list",
            f"/articles/?country={iso2}&language=es&from=2021-01-01",
            TARGET_MS,
        ),
        Page("search", "/articles/?q=migration+border", TARGET_MS),
        Page("timeline, Atom", "/api/timeline.atom", TARGET_MS),
        Page("summit, Atom", f"/api/summits/{summit}.atom", TARGET_MS, "summit", summit),
        Page(
            "filtered article list, JSON",
            f"/api/articles.json?country={iso2}&language=es&from=2021-01-01",
            TARGET_MS,
        ),
        Page("search, JSON", "/api/articles.json?q=migration+border", TARGET_MS),
    ]


class Timings(NamedTuple):
    samples: list[float]  # read again before the data changes
    after_shown: list[float]  # first reading after an edit of an article the page shows
    after_other: list[float]  # first reading after an edit of an article it does not show
    after_tag: list[float]  # first reading after a new tag of its entity
    first: list[float]  # first reading with an empty cache
    sql: str  # the main SQL query
    queries: int  # queries per request, read again


def _written_articles(page: Page) -> tuple[int, int]:
    """An article the page shows and one it does not (the same one for a page about no
    entity: any article may change it)."""
    from django.db.models import Exists, OuterRef

    from articles.models import Article, Mention

    newest = Article.objects.order_by("-pk")
    if not page.kind:
        pk = newest.values_list("pk", flat=True).first()
        assert pk is not None
        return pk, pk
    lookup = {"iso2": page.key} if page.kind == "country" else {"slug": page.key}
    tagged = Mention.objects.filter(
        article=OuterRef("pk"),
        kind=page.kind,
        **{f"{page.kind}__{k}": v for k, v in lookup.items()},
    )
    shown = newest.filter(Exists(tagged)).values_list("pk", flat=True).first()
    other = newest.exclude(Exists(tagged)).values_list("pk", flat=True).first()
    assert shown is not None and other is not None
    return shown, other


def _article_write(pk: int) -> None:
    """A committed edit of one article, as ingestion makes when it fetches an article's page
    or clusters it: the data version rises and the article is in the change journal."""
    from django.db.models import F

    from articles.models import Article

    Article.objects.filter(pk=pk).update(updated_at=F("updated_at"))


def _tag_write(page: Page, pk: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """A committed new tag of the page's entity on an article it did not tag, as ingestion
    writes when it tags an article again (removed again before the next one: another write),
    and what removes it at the end."""
    from articles.models import Mention
    from summits.models import Country, Official, Policy, Summit

    if not page.kind:
        return (lambda: _article_write(pk)), (lambda: None)
    models: dict[str, Any] = {
        "country": Country,
        "official": Official,
        "policy": Policy,
        "summit": Summit,
    }
    lookup = {"iso2": page.key} if page.kind == "country" else {"slug": page.key}
    entity = models[page.kind].objects.get(**lookup)

    def undo() -> None:
        Mention.objects.filter(article_id=pk, kind=page.kind, **{page.kind: entity}).delete()

    def write() -> None:
        undo()
        Mention.objects.create(article_id=pk, kind=page.kind, **{page.kind: entity})

    return write, undo


def _first_readings(client: Any, url: str, write: Callable[[], None]) -> list[float]:
    client.get(url)
    out = []
    for _ in range(FIRST_SAMPLES):
        write()
        start = time.perf_counter()
        client.get(url)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _time_page(client: Any, page: Page, repeats: int) -> Timings:
    """Samples of the page as readers get it until the data changes and of its first readings
    after a change, its main SQL query and its query count."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = page.url
    shown, other = _written_articles(page)
    after_shown = _first_readings(client, url, lambda: _article_write(shown))
    after_other = _first_readings(client, url, lambda: _article_write(other))
    tag, untag = _tag_write(page, other)
    after_tag = _first_readings(client, url, tag)
    untag()
    first = []
    for _ in range(FIRST_SAMPLES):
        # Pages keep their figures until the data changes (articles.reading.figures); an
        # empty cache is how a page is read first after a deploy.
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            first.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    # The slowest read of the first reading (never the cache's own writes): the database work
    # the page cannot do without when the data has changed.
    reads = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    main = max(reads, key=lambda q: float(q["time"]))
    with CaptureQueriesContext(connection) as kept:
        client.get(url)
    # Read now: the next request empties the connection's query log.
    queries = len(kept.captured_queries)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return Timings(samples, after_shown, after_other, after_tag, first, main["sql"], queries)


def _time_sql(sql: str, repeats: int) -> list[float]:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def run(ctx: Context) -> list[Measurement]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from articles.models import Article, Mention

    repeats = max(MIN_SAMPLES, ctx.repeats)
    articles, mentions = Article.objects.count(), Mention.objects.count()
    size = f"{articles:,} articles, {mentions:,} mentions, {connection.vendor}"
    client = Client()
    out = []
    # {% static %} without a collectstatic manifest; hashing static names is not measured.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    with override_settings(STORAGES=plain):
        out = _measure(client, repeats, size)
    return out


def _measure(client: Any, repeats: int, size: str) -> list[Measurement]:

    out = []
    for page in _pages():
        timed = _time_page(client, page, repeats)
        out.append(
            Measurement(
                name=f"pages: {page.name}",
                unit="ms",
                samples=timed.samples,
                baseline_name="its main SQL query alone",
                baseline_samples=_time_sql(timed.sql, repeats),
                target=f"p95 ≤ {page.target} ms",
                note=(
                    f"{size}; {page.url}; {timed.queries} queries per request; first reading "
                    f"after an edit of an article it shows: {_summary(timed.after_shown)}; "
                    f"of an article it does not show: {_summary(timed.after_other)}; "
                    f"after a new tag of its entity: {_summary(timed.after_tag)}; "
                    f"with an empty cache: {_summary(timed.first)}."
                ),
            )
        )
    return out


def _summary(samples: list[float]) -> str:
    import statistics

    return (
        f"median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms of {len(samples)}"
    )


if __name__ == "__main__":
    standalone(run, articles=5_000, repeats=MIN_SAMPLES, web=True)
