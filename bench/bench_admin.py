"""Admin benchmark: server time of the editors' busiest admin pages, and of paging a big list.

Each page is requested in-process through Django's test client as a logged-in superuser (all
middleware and rendering included), at least 20 times after one warm-up. Its baseline,
measured in the same run, is the page's slowest SQL query re-run alone on a cursor. The
paginator figure compares what the article list spends numbering its pages (the planner's
estimate on PostgreSQL) with the COUNT(*) over the whole table that Django would run.

    python -m bench.bench_admin            # quick, on DATABASE_URL (PostgreSQL)
"""

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement, standalone  # noqa: E402

TARGET_MS = 150
MIN_SAMPLES = 20
ARTICLES = "/admin/articles/article/"
QUEUE = "/admin/articles/mentionreview/"
# Every admin list an editor uses, and the article list and the review queue with each of
# their filters (the entity filters with a busy entity of each kind).
PAGES = [
    ("admin home (desk counts)", "/admin/"),
    ("article list", ARTICLES),
    ("article list, filtered by official", ARTICLES + "?official=ebrard"),
    ("article list, filtered by country", ARTICLES + "?country=MX"),
    ("article list, filtered by policy", ARTICLES + "?policy=los-angeles-declaration"),
    ("article list, filtered by summit", ARTICLES + "?summit=summit-of-the-americas"),
    ("article list, filtered by source", ARTICLES + "?source=houston"),
    ("article list, filtered by feed", ARTICLES + "?feed=1"),
    ("article list, filtered by language", ARTICLES + "?language__exact=es"),
    ("article list, filtered by review status", ARTICLES + "?review_status__exact=reviewed"),
    ("article list, filtered by first fetched", ARTICLES + "?fetched=30"),
    ("article list, searched", ARTICLES + "?q=migration"),
    ("review queue", QUEUE),
    ("review queue, filtered by kind", QUEUE + "?kind__exact=policy"),
    ("review queue, filtered by entity", QUEUE + "?entity=ebrard"),
    ("review queue, filtered by source", QUEUE + "?source=houston"),
    ("review queue, filtered by language", QUEUE + "?language=fr"),
    ("review queue, filtered by confidence", QUEUE + "?confidence=60"),
    ("review queue, filtered by article", QUEUE + "?article=migration"),
    ("mention list", "/admin/articles/mention/"),
    ("mention list, filtered by kind", "/admin/articles/mention/?kind__exact=summit"),
    ("feed list", "/admin/articles/feed/"),
    ("source list", "/admin/articles/source/"),
    ("story cluster list", "/admin/articles/storycluster/"),
    ("raw document list", "/admin/articles/rawdocument/"),
    ("re-tagging run list", "/admin/articles/retagrun/"),
    ("official list", "/admin/summits/official/"),
    ("summit list", "/admin/summits/summit/"),
]


def _time_page(client: Any, url: str, repeats: int) -> tuple[list[float], str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    # Read now: the next request's request_started signal empties the query log.
    queries = list(captured.captured_queries)
    main = max(queries, key=lambda q: float(q["time"]))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url, secure=True)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, main["sql"], len(queries)


def _time(fn: Any, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _time_sql(sql: str, repeats: int) -> list[float]:
    from django.db import connection

    with connection.cursor() as cursor:
        return _time(lambda: (cursor.execute(sql), cursor.fetchall()), repeats)


def run(ctx: Context) -> list[Measurement]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from articles.models import Article, Mention
    from articles.reading.admin_filters import EstimatedCountPaginator

    repeats = max(MIN_SAMPLES, ctx.repeats)
    size = f"{Article.objects.count():,} articles, {Mention.objects.count():,} mentions"
    size += f", {connection.vendor}"
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    out = []
    for name, url in PAGES:
        samples, sql, queries = _time_page(client, url, repeats)
        out.append(
            Measurement(
                name=f"admin: {name}",
                unit="ms",
                samples=samples,
                baseline_name="its main SQL query alone",
                baseline_samples=_time_sql(sql, repeats),
                target=f"p95 ≤ {TARGET_MS} ms",
                note=f"{size}; {url}; {queries} queries per request.",
            )
        )

    def paginated_count() -> int:
        # A fresh paginator each time, as each request builds one.
        return EstimatedCountPaginator(Article.objects.all(), 100).count

    out.append(
        Measurement(
            name="admin: numbering the article list's pages",
            unit="ms",
            samples=_time(paginated_count, repeats),
            baseline_name="COUNT(*) over the whole table",
            baseline_samples=_time(lambda: Article.objects.count(), repeats),
            target="well under the COUNT(*) on a big table",
            note=f"{size}; the estimate is used above "
            f"{EstimatedCountPaginator.ESTIMATE_ABOVE:,} rows on PostgreSQL.",
        )
    )
    return out


if __name__ == "__main__":
    standalone(run, articles=5_000, repeats=MIN_SAMPLES, web=True)
