import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_liveness_answers_whatever_host_the_probe_sends(settings) -> None:
    settings.ALLOWED_HOSTS = ["tracker.example.org"]
    response = Client(HTTP_HOST="127.0.0.1:8000").get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_readiness_checks_the_database(settings) -> None:
    settings.CELERY_BROKER_URL = ""
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.content == b"ready\n"


@pytest.mark.django_db
def test_readiness_fails_in_plain_words_when_the_broker_is_down(settings) -> None:
    from tracker.celery import app

    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_URL = url
    previous = app.conf.broker_url
    app.conf.broker_url = url
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.content.decode().startswith("broker unreachable")


def test_readiness_fails_in_plain_words_when_the_database_is_down(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "TRACKER_ENV_FILE": "",
        "TRACKER_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{_closed_port()}/tracker",
        "CELERY_BROKER_URL": "",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    lines = out.stdout.splitlines()
    assert lines[:1] == ["503"], out.stdout + out.stderr
    assert lines[1].startswith("database unreachable")
