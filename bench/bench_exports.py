"""Export benchmark: articles.csv streamed from the exporter, against PostgreSQL's own COPY.

Each sample runs the whole export in a fresh child process (`--worker`), writing the bytes to a
null sink, and reports its rows per second and its peak RSS (ru_maxrss): the figures the issue
sets targets for (>= 20,000 rows/s, < 200 MB at 1,000,000 articles). The baselines, measured in
the same run: `COPY (SELECT …) TO STDOUT (FORMAT csv)` of the same rows and columns written the
plain way (a correlated string_agg subquery per list, no formula neutralising), and the peak RSS
of a child that sets Django up and only counts the articles. The note adds the CPU seconds of
the export process and of its PostgreSQL backend, because on a shared machine the wall-clock
rate mostly measures the neighbours.

    python -m bench.bench_exports            # quick, on DATABASE_URL (PostgreSQL)
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement  # noqa: E402

ROWS_TARGET = 20_000
RSS_TARGET_MB = 200
# A full sample streams 1,000,000 rows; three of them are plenty against a noisy neighbour.
FULL_REPEATS = 3

_LIST = """(SELECT string_agg({key}, '; ' ORDER BY m.confidence DESC, m.id)
     FROM articles_mention m JOIN {table} e ON e.id = m.{kind}_id
     WHERE m.article_id = a.id AND m.kind = '{kind}' AND m.status IN ({visible}))"""
COPY_SQL = """COPY (
SELECT a.id, a.cluster_id, a.url, a.canonical_url, s.name, s.domain,
       COALESCE(os.name, a.original_source_name), a.title,
       to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), a.language,
       (SELECT string_agg(x, '; ') FROM jsonb_array_elements_text(a.authors) x),
       {summits}, {countries}, {officials}, {policies},
       a.review_status, a.tagger_version
FROM articles_article a
JOIN articles_source s ON s.id = a.source_id
LEFT JOIN articles_source os ON os.id = a.original_source_id
ORDER BY a.id
) TO STDOUT (FORMAT csv, HEADER)"""


def _copy_sql() -> str:
    from articles.models import VISIBLE_STATUSES

    visible = ", ".join(f"'{status}'" for status in VISIBLE_STATUSES)
    lists = {
        "summits": ("e.slug", "summits_summit", "summit"),
        "countries": ("e.iso2", "summits_country", "country"),
        "officials": ("e.slug", "summits_official", "official"),
        "policies": ("e.slug", "summits_policy", "policy"),
    }
    return COPY_SQL.format(
        **{
            name: _LIST.format(key=key, table=table, kind=kind, visible=visible)
            for name, (key, table, kind) in lists.items()
        }
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _backend_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend, when the server runs on this host."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker(kind: str) -> dict[str, float]:
    """In a child process: stream one export to a null sink; rows, seconds, peak RSS."""
    from django.http import QueryDict

    from articles.reading.exports import export_prepare, export_stream

    if kind == "idle":
        from articles.models import Article

        started = time.perf_counter()
        rows = Article.objects.count()
        return {"rows": rows, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}
    params = QueryDict(kind.partition("?")[2])
    export = export_prepare(kind=kind.partition("?")[0], params=params)
    written = 0

    def progress(rows: int) -> None:
        nonlocal written
        written = rows

    sink = 0
    backend = _backend_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    for piece in export_stream(export=export, on_progress=progress):
        sink += len(piece)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    backend_after = _backend_cpu()
    return {
        "rows": written,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "backend_cpu_seconds": (
            backend_after - backend if backend is not None and backend_after is not None else -1
        ),
        "bytes": sink,
        "peak_mb": _peak_mb(),
    }


def _child(kind: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_exports", "--worker", kind],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"export worker failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _copy_sample() -> tuple[int, float]:
    from django.db import connection

    connection.ensure_connection()
    size, started = 0, time.perf_counter()
    with connection.connection.cursor() as raw, raw.copy(_copy_sql()) as copy:
        for piece in copy:
            size += len(piece)
    return size, time.perf_counter() - started


def run(ctx: Context) -> list[Measurement]:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the export benchmark runs on PostgreSQL (set DATABASE_URL)")
    from articles.models import Article

    total = Article.objects.count()
    repeats = min(ctx.repeats, FULL_REPEATS) if ctx.size == "full" else ctx.repeats
    speed, rss, copy_speed, idle_rss, cpu_speed = [], [], [], [], []
    total_cpu_speed = []
    for _ in range(repeats):
        result = _child("articles")
        if result["rows"] != total:
            raise RuntimeError(f"the export wrote {result['rows']} rows, not {total}")
        speed.append(result["rows"] / result["seconds"])
        cpu_speed.append(result["rows"] / max(result["cpu_seconds"], 1e-9))
        if result.get("backend_cpu_seconds", -1) >= 0:
            both = result["cpu_seconds"] + result["backend_cpu_seconds"]
            total_cpu_speed.append(result["rows"] / max(both, 1e-9))
        rss.append(result["peak_mb"])
        _, seconds = _copy_sample()
        copy_speed.append(total / seconds)
        idle_rss.append(_child("idle")["peak_mb"])
    size = f"{total:,} articles"
    with_backend = (
        f", {statistics.median(total_cpu_speed):,.0f} per CPU second of it and its PostgreSQL "
        "backend together"
        if total_cpu_speed
        else ""
    )
    return [
        Measurement(
            name="exports: articles.csv, whole table",
            unit="rows/s",
            samples=speed,
            baseline_name="PostgreSQL COPY of the same rows",
            baseline_samples=copy_speed,
            target=f"≥ {ROWS_TARGET:,} rows/s",
            note=f"{size}; the public file (no staff-only full text) from the exporter's one "
            "path: values() rows through a named cursor, tag lists grouped by PostgreSQL once "
            "per chunk of 2,000 articles, cells from the declared columns, the csv module "
            "writing, into a null sink, in a fresh process. The baseline builds the lists "
            "with a string_agg subquery per list and neither neutralises, escapes nor cuts "
            "excerpts. Rows per CPU second of the export process: "
            f"{statistics.median(cpu_speed):,.0f}"
            f"{with_backend} (wall-clock figures suffer when other work shares the 2 cores).",
        ),
        Measurement(
            name="exports: articles.csv, worker peak RSS",
            unit="MB",
            samples=rss,
            baseline_name="same process setting Django up, counting only",
            baseline_samples=idle_rss,
            target=f"< {RSS_TARGET_MB} MB",
            note=f"{size}; ru_maxrss of the process that streamed the whole export.",
        ),
    ]


def _quick_context() -> Context:
    return Context(
        size="quick",
        articles=5_000,
        export_articles=5_000,
        repeats=3,
        shared_dir=None,
        out_dir=ROOT / "bench" / "out",
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2])))
        return
    ctx = _quick_context()
    from django.core.management import call_command

    from bench.generation import generated_articles

    if generated_articles().count() < ctx.export_articles:
        call_command("generate_data", articles=ctx.export_articles)
    for m in run(ctx):
        ratio = f"{m.ratio:.2f}x" if m.ratio is not None else "-"
        print(
            f"{m.name}: median {m.median:,.1f} {m.unit} (p95 {m.p95:,.1f}); "
            f"{m.baseline_name}: {m.baseline_median or 0:,.1f}; ratio {ratio}; target {m.target}"
        )
        print(f"  {m.note}")


if __name__ == "__main__":
    main()
