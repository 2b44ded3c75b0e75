"""Ingestion benchmark: entries stored per second with page fetching left out (parse + upsert +
dedupe + tag, the path `ingest --feeds-only` takes after the HTTP fetch), against bare
feedparser parsing of the same bytes; the CPU time each entry costs the worker (and, on a
PostgreSQL server on this machine, the server process serving it); and the peak memory of the
process doing it.

Each sample runs in a fresh child process (`--worker`) on generated feeds of realistic size
(RSS, 50 entries each, summaries a few sentences long, about migration talks), unique per
sample so every entry is new. The child makes its feeds and loads the tagger's knowledge base
first, untimed, then times parsing and storing them as a worker does, each batch committed,
and deletes what it stored afterwards, so the benchmark database is left as it was. Pipeline
and baseline samples alternate, so a burst of load on this shared machine falls on both. The
baseline for memory is a child that sets Django up and loads the tagger's knowledge base, and
stores nothing.

    python -m bench.bench_ingestion          # quick, on DATABASE_URL (or SQLite)
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement  # noqa: E402

ENTRIES_PER_FEED = 50
FEEDS = {"quick": 6, "full": 30}
SENTENCES = [
    "Mexican and US officials met in Mexico City to discuss migration at the southern border.",
    "Canada's immigration minister said the visa requirement for Mexican travellers would stay.",
    "The Safe Third Country Agreement now applies along the entire land border with Canada.",
    "Secretary Mayorkas said legal pathways such as the CBP One app remain open to migrants.",
    "López Obrador called for investment in Central America to address the causes of migration.",
    "Trudeau and Biden discussed the Los Angeles Declaration on Migration and Protection.",
    "Foreign Secretary Alicia Bárcena met Antony Blinken ahead of the leaders' summit.",
    "Title 42 ended in May 2023 and border processing returned to Title 8 rules.",
    "Officials from the three countries will meet again at the North American Leaders' Summit.",
    "Rail crossings at Eagle Pass and El Paso reopened after talks between both governments.",
]


def feed_bodies(count: int, token: str) -> list[bytes]:
    """`count` RSS feeds of ENTRIES_PER_FEED entries each, unique to `token`."""
    rng = random.Random(token)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    bodies = []
    for f in range(count):
        items = []
        for e in range(ENTRIES_PER_FEED):
            text = " ".join(rng.sample(SENTENCES, 4))
            when = start + timedelta(hours=f * ENTRIES_PER_FEED + e)
            link = f"https://outlet{f}.example/{token}/story-{e}?utm_source=rss"
            items.append(
                f"<item><title>{escape(text[:80])} ({token[:6]}-{f}-{e})</title>"
                f"<link>{escape(link)}</link><guid>{token}-{f}-{e}</guid>"
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<description>{escape('<p>' + text + '</p>')}</description></item>"
            )
        bodies.append(
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Outlet {f}</title><link>https://outlet{f}.example/</link>"
                f"<description>Bench feed</description>{''.join(items)}</channel></rss>"
            ).encode()
        )
    return bodies


@dataclass
class _Sample:
    """What one child process measured."""

    rate: float  # entries per second
    cpu_ms: float  # the child's CPU time per entry
    server_cpu_ms: float | None  # the PostgreSQL server process's, when it can be read
    peak_mb: float


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_cpu() -> float | None:
    """CPU seconds the PostgreSQL process serving this connection has used, when that process
    runs on this machine and /proc shows it; else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        # The first field is the time the process has run on a CPU, in nanoseconds.
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def worker(kind: str, feeds: int) -> _Sample:
    import feedparser

    from articles.ingestion.parsing import feed_parse
    from articles.ingestion.services import feed_entries_store, source_for_url
    from articles.models import Feed
    from articles.tagging.tagger import text_tag

    # Load the tagger's knowledge base before timing: a worker does it once per process.
    text_tag(text="Mexico", on=datetime(2024, 1, 1, tzinfo=UTC).date())
    token = uuid.uuid4().hex
    bodies = feed_bodies(feeds, token)
    entries = feeds * ENTRIES_PER_FEED
    if kind == "idle":
        return _Sample(rate=0.0, cpu_ms=0.0, server_cpu_ms=None, peak_mb=_peak_mb())
    if kind == "feedparser":
        cpu, started = time.process_time(), time.perf_counter()
        for body in bodies:
            feedparser.parse(body)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return _Sample(
            rate=entries / elapsed,
            cpu_ms=1000 * cpu / entries,
            server_cpu_ms=None,
            peak_mb=_peak_mb(),
        )
    # Setting up: the feeds exist before their fetch, as in a worker.
    feed_rows = [
        Feed.objects.create(
            url=f"https://outlet{n}.example/{token}.xml",
            source=source_for_url(url=f"https://outlet{n}.example/"),
        )
        for n in range(feeds)
    ]
    server = _server_cpu()
    cpu, started = time.process_time(), time.perf_counter()
    for feed, body in zip(feed_rows, bodies, strict=True):
        parsed = feed_parse(body=body, url=feed.url, content_type="application/rss+xml")
        # What feed_fetch does with a fetched feed.
        feed_entries_store(feed=feed, parsed=parsed)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    server_after = _server_cpu()
    peak = _peak_mb()  # before the clean-up, which is no part of ingesting
    generated_delete(token)
    return _Sample(
        rate=entries / elapsed,
        cpu_ms=1000 * cpu / entries,
        server_cpu_ms=(
            1000 * (server_after - server) / entries
            if server is not None and server_after is not None
            else None
        ),
        peak_mb=peak,
    )


def generated_delete(token: str) -> None:
    """Delete the feeds, articles (with their mentions and links) and clusters of a run; the
    stored stories its copies joined are counted again, as they were."""
    from articles.ingestion.dedupe import clusters_recount
    from articles.models import Article, Feed

    clusters = set(Article.objects.filter(url__contains=token).values_list("cluster_id", flat=True))
    Article.objects.filter(url__contains=token).delete()
    Feed.objects.filter(url__contains=token).delete()
    clusters_recount(clusters - {None})


def _child(kind: str, feeds: int) -> _Sample:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_ingestion", "--worker", kind, str(feeds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return _Sample(**json.loads(out.stdout.strip().splitlines()[-1]))


def run(ctx: Context) -> list[Measurement]:
    feeds = FEEDS.get(ctx.size, FEEDS["quick"])
    repeats = max(3, min(ctx.repeats, 5))
    ours: list[_Sample] = []
    bare: list[_Sample] = []
    for n in range(repeats):
        # Alternating, and in turn first, so that neither side always follows the other.
        pair = ("ingest", "feedparser") if n % 2 == 0 else ("feedparser", "ingest")
        for kind in pair:
            (ours if kind == "ingest" else bare).append(_child(kind, feeds))
    idle = [_child("idle", feeds) for _ in range(2)]
    entries = feeds * ENTRIES_PER_FEED
    measurements = [
        Measurement(
            name="ingestion: entries stored per second (parse + upsert + dedupe + tag)",
            unit="entries/s",
            samples=[s.rate for s in ours],
            baseline_name="bare feedparser.parse of the same bytes",
            baseline_samples=[s.rate for s in bare],
            target=">= 1,000 entries/s",
            note=f"{feeds} generated RSS feeds x {ENTRIES_PER_FEED} entries = {entries} new "
            "entries per sample, no page fetching, each batch committed; each sample in a "
            "fresh process, one core, feeds made before the timing starts; samples "
            "alternate with the baseline's.",
        ),
        Measurement(
            name="ingestion: worker CPU per entry",
            unit="ms",
            samples=[s.cpu_ms for s in ours],
            baseline_name="bare feedparser.parse of the same bytes",
            baseline_samples=[s.cpu_ms for s in bare],
            target="<= 1 ms (what 1,000 entries/s on one core allows)",
            note="time.process_time of the process storing the entries, over the timed part; "
            "less noisy than wall-clock time on a shared machine, but it grows under load too.",
        ),
    ]
    server = [s.server_cpu_ms for s in ours if s.server_cpu_ms is not None]
    if len(server) == len(ours):
        measurements.append(
            Measurement(
                name="ingestion: database server CPU per entry",
                unit="ms",
                samples=server,
                note="CPU time of the PostgreSQL process serving the worker's connection "
                "(/proc/<pid>/schedstat), over the timed part; WAL writer and checkpoints "
                "are not counted.",
            )
        )
    measurements.append(
        Measurement(
            name="ingestion: worker peak memory",
            unit="MB",
            samples=[s.peak_mb for s in ours],
            baseline_name="process with Django and the tagger loaded, storing nothing",
            baseline_samples=[s.peak_mb for s in idle],
            target="within 20 % of 86 MB",
            note="ru_maxrss of the process that ingested the sample, read before it deletes "
            "what it stored.",
        )
    )
    return measurements


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(json.dumps(asdict(worker(sys.argv[2], int(sys.argv[3])))))
        return
    ctx = Context(
        size="quick",
        articles=0,
        export_articles=0,
        repeats=3,
        shared_dir=None,
        out_dir=ROOT / "bench" / "out",
    )
    for m in run(ctx):
        ratio = f"{m.ratio:.3f}x" if m.ratio is not None else "-"
        print(
            f"{m.name}: median {m.median:,.4g} {m.unit} (p95 {m.p95:,.4g}); "
            f"{m.baseline_name or '-'}: {m.baseline_median or 0:,.4g}; ratio {ratio}"
        )


if __name__ == "__main__":
    main()
