"""Scale-out benchmark: 1, 2 and 4 Celery worker processes on the same PostgreSQL and Redis,
each time over the same 200 generated feeds of 50 entries (`make bench`; `make bench-quick`
takes 40 feeds of 10 entries, to stay within its time), served by a local HTTP server.

The feeds syndicate: every story is carried by four consecutive feeds, as four outlets'
copies (each with its own dateline), so workers fetching side by side cluster copies of one
story at the same moment. A run counts the entries stored per second, from the first feed's
fetch to the last feed's success (worker start-up left out), and the duplicates: articles
beyond one per entry, and stories whose copies ended in more than one cluster. Both must be
0. Page fetching is off (TRACKER_FETCH_PAGES=0), as in the ingestion benchmark. Every run
deletes what it stored.

Needs CELERY_BROKER_URL (Redis; the benchmark empties that Redis database) and PostgreSQL.

    python -m bench.bench_scaleout
"""

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_ingestion import generated_delete  # noqa: E402
from bench.common import Context, Measurement, standalone  # noqa: E402

SIZES = {"quick": (40, 10), "full": (200, 50)}  # feeds, entries per feed
COPIES = 4  # outlets carrying each story
WORKER_COUNTS = (1, 2, 4)
TIMEOUT = {"quick": 90, "full": 900}


NAMES = ["Mexico", "Canada", "the United States", "Trudeau", "López Obrador", "Mayorkas",
         "Blinken", "Title 42", "the Safe Third Country Agreement", "CBP One"]  # fmt: skip


def _story(n: int, token: str) -> str:
    """150 words of story n's own with six names of the talks among them: stories share
    names, as stories on one topic do, but not sentences, so dedupe keeps them apart. (At 60
    words, a dateline alone moved about one copy in a hundred past dedupe's threshold.)"""
    rng = random.Random(f"{token}-{n}")
    words = [f"term{rng.randrange(20_000)}" for _ in range(150)]
    for name in rng.sample(NAMES, 6):
        words.insert(rng.randrange(len(words)), name)
    return " ".join(words) + "."


def feeds_generate(token: str, count: int, per_feed: int) -> dict[str, bytes]:
    """Path -> RSS bytes for `count` feeds; story s is in feeds COPIES*(s // per_feed) + k."""
    start = datetime(2024, 6, 1, tzinfo=UTC)
    feeds: dict[int, list[str]] = {f: [] for f in range(count)}
    stories = count * per_feed // COPIES
    for s in range(stories):
        group = (s // per_feed) * COPIES
        text = _story(s, token)
        for k in range(COPIES):
            f = group + k
            link = f"https://outlet{f}.scaleout.example/{token}/story-{s}"
            copy = f"CITY{f} (Wire) - {text}"
            feeds[f].append(
                f"<item><title>Story {s} ({token[:6]})</title><link>{escape(link)}</link>"
                f"<guid>{token}-{f}-{s}</guid>"
                f"<pubDate>{format_datetime(start + timedelta(minutes=s))}</pubDate>"
                f"<description>{escape(copy)}</description></item>"
            )
    return {
        f"/{token}/feed{f}.xml": (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Outlet {f}</title><link>https://outlet{f}.scaleout.example/</link>"
            f"<description>Scale-out bench</description>{''.join(items)}</channel></rss>"
        ).encode()
        for f, items in feeds.items()
    }


def _serve(bodies: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _worker(n: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRACKER_FETCH_PAGES": "0",
        "TRACKER_ALLOW_PRIVATE_NETWORKS": "1",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool=solo",
         "-n", f"scaleout{n}@%h", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "error"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle_peak_mb() -> float:
    """Peak memory of a worker that started and took no task: once it stops growing."""
    process = _worker(99)
    try:
        last, steady, deadline = 0.0, 0, time.monotonic() + 60
        while steady < 6 and time.monotonic() < deadline:
            time.sleep(0.5)
            peak = _peak_mb(process.pid)
            steady = steady + 1 if peak == last and peak > 50 else 0
            last = peak
        return last
    finally:
        process.terminate()
        process.wait(timeout=60)


def run_once(workers: int, count: int, per_feed: int, timeout: float) -> dict[str, float]:
    """Ingest the feeds with `workers` worker processes; rate, duplicates, peak memory."""
    import redis
    from django.conf import settings
    from django.db.models import Count, Max, Min

    from articles.ingestion.services import source_for_url
    from articles.ingestion.tasks import feed_fetch_task
    from articles.models import Article, Feed

    token = uuid.uuid4().hex
    server = _serve(feeds_generate(token, count, per_feed))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    feeds = [
        Feed.objects.create(
            url=f"{base}/{token}/feed{f}.xml",
            source=source_for_url(url=f"https://outlet{f}.scaleout.example/"),
        )
        for f in range(count)
    ]
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    processes = [_worker(n) for n in range(workers)]
    try:
        for feed in feeds:
            feed_fetch_task.delay(feed.pk)
        ours = Feed.objects.filter(url__contains=token)
        deadline = time.monotonic() + timeout
        while ours.filter(last_success_at__isnull=True).exists():
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"{workers} workers did not ingest the feeds in {timeout}s")
            time.sleep(0.2)
        peak = max(_peak_mb(p.pid) for p in processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        server.shutdown()
    span = ours.aggregate(start=Min("last_fetched_at"), end=Max("last_success_at"))
    seconds = (span["end"] - span["start"]).total_seconds()
    articles = Article.objects.filter(url__contains=token)
    stored = articles.count()
    entries = count * per_feed
    split = sum(
        n - 1
        for n in articles.values("title")
        .annotate(n=Count("cluster_id", distinct=True))
        .values_list("n", flat=True)
    )
    failed = sum(ours.values_list("consecutive_failures", flat=True))
    generated_delete(token)
    return {
        "rate": stored / seconds,
        "duplicates": max(stored - entries, 0) + split,
        "missing": max(entries - stored, 0) + failed,
        "peak_mb": peak,
        "entries": entries,
    }


def run(ctx: Context) -> list[Measurement]:
    from django.conf import settings
    from django.db import connection

    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        print("scaleout: needs CELERY_BROKER_URL (Redis) and PostgreSQL, skipped")
        return []
    count, per_feed = SIZES.get(ctx.size, SIZES["quick"])
    timeout = TIMEOUT.get(ctx.size, TIMEOUT["quick"])
    runs = {n: run_once(n, count, per_feed, timeout) for n in WORKER_COUNTS}
    one = runs[1]["rate"]
    idle = idle_peak_mb()
    results = [
        Measurement(
            name=f"scale-out: entries/s with {n} worker process{'es' if n > 1 else ''}",
            unit="entries/s",
            samples=[r["rate"]],
            baseline_name="1 worker process" if n > 1 else "",
            baseline_samples=[one] if n > 1 else [],
            note=(
                f"{count} feeds x {per_feed} entries = {r['entries']:.0f} entries, each story "
                f"in {COPIES} feeds; duplicates {r['duplicates']:.0f}, missing "
                f"{r['missing']:.0f}; worker peak memory {r['peak_mb']:.0f} MB"
            ),
        )
        for n, r in runs.items()
    ]
    results.append(
        Measurement(
            name="scale-out: worker peak memory",
            unit="MB",
            samples=[r["peak_mb"] for r in runs.values()],
            baseline_name="a worker that took no task",
            baseline_samples=[idle],
            note="VmHWM of the busiest worker process of each run (1, 2, 4 workers)",
        )
    )
    results.append(
        Measurement(
            name="scale-out: duplicates found over the three runs",
            unit="count",
            samples=[sum(r["duplicates"] + r["missing"] for r in runs.values())],
            target="0",
            note="articles beyond one per entry, stories split over clusters, entries missing",
        )
    )
    return results


if __name__ == "__main__":
    standalone(run, repeats=1)
