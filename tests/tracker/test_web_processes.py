"""Two real web processes (gunicorn, as docker compose runs the app) on one database.

- The export rate limit holds across them with the default cache (a database table made by
  `migrate`), and with Redis when TRACKER_CACHE_URL names one.
- An export that fails part-way reaches an HTTP client as an incomplete body (the chunked
  response is never finished) whose last line says the file is cut.

The site lives in a temporary folder (SQLite file), set up by `manage.py migrate` as a user
would; the test database of the rest of the suite is not involved.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
LIMIT = 10
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

# Three thousand articles, the last one with a title that is not UTF-8: its chunk is read
# after the first 64 KB of the file were sent, and the driver cannot decode it.
DAMAGED_DATA = """
from datetime import UTC, datetime, timedelta
from django.db import connection
from articles.ingestion.canonical import url_hash
from articles.models import Article, Source
source = Source.objects.create(name="Wire", domain="wire.example", language="en")
Article.objects.bulk_create(
    Article(source=source, title=f"Article {i}", url=f"https://wire.example/{i}",
            canonical_url=f"https://wire.example/{i}", url_hash=url_hash(f"https://wire.example/{i}"),
            language="en", published_at=datetime(2021, 1, 1, tzinfo=UTC) + timedelta(minutes=i))
    for i in range(3000)
)
last = Article.objects.order_by("-pk").first()
damage = "UPDATE articles_article SET title = CAST(X'ff' AS TEXT) WHERE id = %s"
with connection.cursor() as cursor:
    cursor.execute(damage, [last.pk])
"""


@dataclass
class Site:
    env: dict[str, str]
    ports: list[int]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn on {port} exited: {server.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            status, _, _ = get(port, "/healthz")
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on {port} did not answer in 30 s")


def get(port: int, path: str) -> tuple[int, bytes, bool]:
    """Status, body, and whether the body arrived whole."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        try:
            return response.status, response.read(), True
        except http.client.IncompleteRead as cut:
            return response.status, cut.partial, False
    finally:
        conn.close()


@pytest.fixture(params=["database", "redis"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TRACKER_"))}
    env.pop("CELERY_BROKER_URL", None)
    env.update(
        TRACKER_ENV_FILE="",
        TRACKER_VAR_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="tests-only-insecure-key",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        TRACKER_SSL_REDIRECT="0",
        TRACKER_EXPORT_RATE_LIMIT=str(LIMIT),
    )
    if request.param == "redis":
        broker = os.getenv("CELERY_BROKER_URL", "")
        if not broker.startswith("redis://"):
            pytest.skip("needs CELERY_BROKER_URL on Redis (TRACKER_CACHE_URL is tested with it)")
        import redis

        redis.Redis.from_url(broker).flushdb()
        env["TRACKER_CACHE_URL"] = broker
    _manage(env, "migrate", "--noinput")
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [GUNICORN, "tracker.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_until_up(port, server)
        yield Site(env, ports)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def test_the_export_rate_limit_holds_across_two_web_processes(site: Site) -> None:
    # Three times the limit, at once, spread over both processes.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda i: get(site.ports[i % 2], "/exports/countries.csv")[0], range(3 * LIMIT)
            )
        )
    assert answers.count(200) == LIMIT
    assert answers.count(429) == 2 * LIMIT


def test_an_export_that_fails_part_way_reaches_the_client_cut_and_marked(site: Site) -> None:
    if "TRACKER_CACHE_URL" in site.env:
        pytest.skip("the cache plays no part here")
    _manage(site.env, "shell", "-c", DAMAGED_DATA)

    status, body, whole = get(site.ports[0], "/exports/articles.csv")

    assert status == 200
    assert not whole  # the client sees the body end before the response does
    last = body.rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1]
    assert last.startswith(b"#EXPORT FAILED after ") and b"this file is incomplete" in last
    assert body.count(b"\r\n") > 2000  # the rows read before the damaged one arrived
