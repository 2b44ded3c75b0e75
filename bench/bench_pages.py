"""Page benchmark: server time of the home, summit, official, country, policy, index, filtered
article list and search pages, and of the Atom feeds and JSON that stand for them.

Each page is requested in-process through Django's test client (all middleware, template
rendering included), at least 20 times after one warm-up. Pages keep their costly figures in
the cache until the data changes (articles.reading.figures): those samples are what readers
get between writes. Each note gives the median of a few first readings after a committed
write to an article (what the first reader after an ingestion batch waits: parts drawn from
the knowledge base alone are still kept) and with an empty cache (after a deploy, or a change
to the knowledge base). The baseline, measured in the same run, is
the page's main SQL query, the slowest read of a first reading, re-run alone on a cursor: the
ratio says how the page compares with the database work it needs when the data changes.

    python -m bench.bench_pages            # quick, on DATABASE_URL (PostgreSQL)
"""

import sys
import time
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


def _pages() -> list[tuple[str, str, int]]:
    """The measured pages with their floor, pointed at the busiest summit, official and
    policy, Mexico, and a common search word."""

    from summits.models import Country

    country = Country.objects.filter(iso2="MX").first() or Country.objects.first()
    iso2 = country.iso2 if country else "MX"
    return [
        ("home", "/", TARGET_MS),
        ("home with policy lanes", "/?lanes=policies", TARGET_MS),
        ("summit", f"/summits/{_busiest('summit')}/", KB_TARGET_MS),
        ("official", f"/officials/{_busiest('official')}/", KB_TARGET_MS),
        ("country", f"/countries/{iso2}/", KB_TARGET_MS),
        ("policy", f"/policies/{_busiest('policy')}/", KB_TARGET_MS),
        ("officials index", "/officials/", TARGET_MS),
        ("policies index", "/policies/", TARGET_MS),
        ("countries index", "/countries/", TARGET_MS),
        ("sources index", "/sources/", TARGET_MS),
        (
            "filtered article list",
            f"/articles/?country={iso2}&language=es&from=2021-01-01",
            TARGET_MS,
        ),
        ("search", "/articles/?q=migration+border", TARGET_MS),
        ("timeline, Atom", "/api/timeline.atom", TARGET_MS),
        ("summit, Atom", f"/api/summits/{_busiest('summit')}.atom", TARGET_MS),
        (
            "filtered article list, JSON",
            f"/api/articles.json?country={iso2}&language=es&from=2021-01-01",
            TARGET_MS,
        ),
        ("search, JSON", "/api/articles.json?q=migration+border", TARGET_MS),
    ]


class Timings(NamedTuple):
    samples: list[float]  # read again before the data changes
    after_write: list[float]  # first reading after a committed write to an article
    first: list[float]  # first reading with an empty cache
    sql: str  # the main SQL query
    queries: int  # queries per request, read again


def _article_write() -> None:
    """A committed write to one article, as an ingestion batch makes: the data version rises."""
    from django.db.models import F

    from articles.models import Article

    newest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    Article.objects.filter(pk=newest).update(updated_at=F("updated_at"))


def _time_page(client: Any, url: str, repeats: int) -> Timings:
    """Samples of the page as readers get it until the data changes and of its first readings
    after a change, its main SQL query and its query count."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    after_write = []
    for _ in range(FIRST_SAMPLES):
        _article_write()
        start = time.perf_counter()
        client.get(url)
        after_write.append((time.perf_counter() - start) * 1000)
    first = []
    for _ in range(FIRST_SAMPLES):
        # Pages keep their figures until the data changes (articles.reading.figures); an
        # empty cache is how a page is read first after any write.
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
    return Timings(samples, after_write, first, main["sql"], queries)


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
    import statistics

    out = []
    for name, url, target in _pages():
        timed = _time_page(client, url, repeats)
        out.append(
            Measurement(
                name=f"pages: {name}",
                unit="ms",
                samples=timed.samples,
                baseline_name="its main SQL query alone",
                baseline_samples=_time_sql(timed.sql, repeats),
                target=f"p95 ≤ {target} ms",
                note=(
                    f"{size}; {url}; {timed.queries} queries per request; first reading "
                    f"after a write to an article: median "
                    f"{statistics.median(timed.after_write):.0f} ms of {len(timed.after_write)}; "
                    f"with an empty cache: median {statistics.median(timed.first):.0f} ms "
                    f"of {len(timed.first)}."
                ),
            )
        )
    return out


if __name__ == "__main__":
    standalone(run, articles=5_000, repeats=MIN_SAMPLES, web=True)
