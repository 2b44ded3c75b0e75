"""Liveness and readiness probes for load balancers and container healthchecks.

They answer before host validation, the HTTPS redirect and login, because the probe speaks
plain HTTP to 127.0.0.1 inside the container. `/healthz`: the process serves requests.
`/readyz`: it can also reach the database and, when one is configured, the broker.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

from tracker.celery import app

Handler = Callable[[HttpRequest], HttpResponse]
BROKER_TIMEOUT = 3


def _database_problem() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"database unreachable: {exc}".strip()
    return ""


def _broker_problem() -> str:
    if not settings.CELERY_BROKER_URL:
        return ""
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except Exception as exc:  # kombu raises transport-specific errors
        return f"broker unreachable: {exc}".strip()
    return ""


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def health_probes(get_response: Handler) -> Handler:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return _plain(200, "ok")
        if request.path == "/readyz":
            problems = [p for p in (_database_problem(), _broker_problem()) if p]
            return _plain(503, "\n".join(problems)) if problems else _plain(200, "ready")
        return get_response(request)

    return middleware
