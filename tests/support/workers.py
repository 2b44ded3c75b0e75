"""Real Celery worker processes on Redis and the test database on PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.getenv("CELERY_BROKER_URL", "")
DATABASE_URL = os.getenv("DATABASE_URL", "")

needs_worker = pytest.mark.skipif(
    not (BROKER and DATABASE_URL.startswith("postgres")),
    reason="needs CELERY_BROKER_URL (Redis) and DATABASE_URL on PostgreSQL: the worker "
    "subprocess must see the test database",
)


def worker_start(name: str = "worker", pool: str = "solo", **env: str) -> subprocess.Popen[bytes]:
    """One worker process (one task at a time) on the test database; `env` adds settings.
    Its errors go to $TEST_WORKER_LOG when that is set."""
    database = connection.settings_dict["NAME"]
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL.rsplit("/", 1)[0] + "/" + database,
        "CELERY_BROKER_URL": BROKER,
        # A killed worker's task comes back after this many seconds instead of an hour.
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "TRACKER_ALLOW_PRIVATE_NETWORKS": "1",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", f"--pool={pool}",
         "--concurrency=1", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=environment, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(os.getenv("TEST_WORKER_LOG", os.devnull), "ab"),
    )  # fmt: skip


def worker_stop(worker: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        worker.wait(timeout=30)


def wait_for(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    details: Callable[[], str] | None = None,
) -> None:
    """Poll `condition` until it holds; fail naming `what` (and `details()`) after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}" + (f"; {details()}" if details else ""))
