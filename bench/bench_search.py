"""Search benchmark: the first reading of a search, page and JSON, for the kinds of query
analysts type.

A search page read again comes from the cache (bench_pages measures that); a query typed for
the first time is read afresh. Each sample here is such a first reading: a committed edit of
the newest article raises the data version just before it, so nothing of the answer is kept
(what a new query finds), while what the knowledge base alone draws stays kept, as it does
for a new query. The shapes: common words (about half of the articles), one accented common
word, an accented name the knowledge base knows (some thousand articles: facets are counted),
two rare words together, a phrase in quotes, an alias that matches no text but tags
("AMLO"), and a word no article has. The baseline, measured in the same run, is the main SQL
query of the page (its slowest read), re-run alone on a cursor.

    python -m bench.bench_search            # quick, on DATABASE_URL (PostgreSQL)
"""

import sys
import time
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement, standalone  # noqa: E402

# Issue 15's floor for every page, search included, as a reader gets it the first time.
TARGET_MS = 50
MIN_SAMPLES = 20
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


class Shape(NamedTuple):
    name: str
    q: str


SHAPES = [
    Shape("common words", "migration border"),
    Shape("accented common word", "migración"),
    Shape("accented known name", "Tonatiuh Guillén"),
    Shape("rare words", "Hoekstra Tapachula"),
    Shape("phrase", '"safe third country"'),
    Shape("alias", "AMLO"),
    Shape("no match", "xylophone"),
]


def _article_write() -> None:
    """A committed edit of the newest article: the data version rises, as with any write."""
    from django.db.models import F

    from articles.models import Article

    pk = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    Article.objects.filter(pk=pk).update(updated_at=F("updated_at"))


def _first_readings(client: Any, url: str, repeats: int) -> tuple[list[float], str, int]:
    """First readings of `url`, its main SQL query and how many matches the page shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    slowest: tuple[float, str] = (-1.0, "")
    for _ in range(repeats):
        _article_write()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        for q in captured.captured_queries:
            if q["sql"].lstrip().upper().startswith("SELECT") and float(q["time"]) > slowest[0]:
                slowest = (float(q["time"]), q["sql"])
    return samples, slowest[1], len(captured.captured_queries)


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


def _matches(q: str) -> int:
    from articles.models import Article
    from articles.reading.search import search_filter

    return search_filter(Article.objects.all(), q).count()


def run(ctx: Context) -> list[Measurement]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from articles.models import Article

    repeats = max(MIN_SAMPLES, ctx.repeats)
    size = f"{Article.objects.count():,} articles, {connection.vendor}"
    client = Client()
    out = []
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    with override_settings(STORAGES=plain):
        for shape in SHAPES:
            matches = _matches(shape.q)
            for kind, path in (("page", "/articles/"), ("JSON", "/api/articles.json")):
                url = f"{path}?{urlencode({'q': shape.q})}"
                samples, sql, queries = _first_readings(client, url, repeats)
                out.append(
                    Measurement(
                        name=f"search, first reading: {shape.name}, {kind}",
                        unit="ms",
                        samples=samples,
                        baseline_name="its main SQL query alone",
                        baseline_samples=_time_sql(sql, repeats),
                        target=f"p95 ≤ {TARGET_MS} ms",
                        note=f"{size}; {url}; {matches:,} matching articles; {queries} queries.",
                    )
                )
    return out


if __name__ == "__main__":
    standalone(run, articles=5_000, repeats=MIN_SAMPLES, web=True)
