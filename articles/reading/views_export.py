"""CSV exports over HTTP, streamed, rate-limited per client, and their data dictionary."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles.reading.exports import (
    KINDS,
    LIST_DELIMITER,
    UnknownExportError,
    export_flag,
    export_meta,
    export_prepare,
    export_stream,
    tagger_version,
)
from articles.reading.filters import FilterError

PLAIN = "text/plain; charset=utf-8"
WINDOW_SECONDS = 60


def _client(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    # REMOTE_ADDR, not X-Forwarded-For: a client could write any address into that header.
    return f"addr:{request.META.get('REMOTE_ADDR', '')}"


def _retry_after(request: HttpRequest) -> int:
    """Seconds until this client may export again, or 0 if it may now (fixed one-minute window)."""
    limit = settings.TRACKER_EXPORT_RATE_LIMIT
    if limit <= 0:
        return 0
    now = int(time.time())
    key = f"export-rate:{_client(request)}:{now // WINDOW_SECONDS}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 1)
        used = 1
    if used <= limit:
        return 0
    return WINDOW_SECONDS - now % WINDOW_SECONDS


def export_csv(request: HttpRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    wait = _retry_after(request)
    if wait:
        refused = HttpResponse(
            f"Too many exports from you in the last minute (at most "
            f"{settings.TRACKER_EXPORT_RATE_LIMIT}). Try again in {wait} seconds.",
            status=429,
            content_type=PLAIN,
        )
        refused["Retry-After"] = str(wait)
        return refused
    try:
        export = export_prepare(kind=kind, params=request.GET)
    except UnknownExportError as exc:
        return HttpResponseNotFound(str(exc), content_type=PLAIN)
    except FilterError as exc:
        return HttpResponseBadRequest(str(exc), content_type=PLAIN)

    generated_at = timezone.now()
    stamp = generated_at.strftime("%Y%m%dT%H%M%SZ")
    if export_flag(request.GET, "meta"):
        meta = export_meta(export=export, generated_at=generated_at, row_count=export.count())
        params = request.GET.copy()
        params.pop("meta", None)
        meta["csv_url"] = request.build_absolute_uri(request.path) + (
            "?" + params.urlencode() if params else ""
        )
        described = JsonResponse(meta, json_dumps_params={"ensure_ascii": False, "indent": 2})
        described["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.meta.json"'
        return described

    response = StreamingHttpResponse(
        export_stream(export=export, bom=export_flag(request.GET, "bom")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.csv"'
    # The citation lives in the sidecar (same URL plus meta=1); the headers point at it.
    sidecar = request.path + "?" + urlencode({**request.GET.dict(), "meta": "1"})
    response["Link"] = f'<{sidecar}>; rel="describedby"; type="application/json"'
    response["X-Export-Generated-At"] = generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    response["X-App-Version"] = settings.TRACKER_VERSION
    response["X-Tagger-Version"] = tagger_version() or "none"
    response["Cache-Control"] = "no-store"
    return response


def data_dictionary(request: HttpRequest) -> HttpResponse:
    exports = [
        {
            "kind": spec,
            "url": reverse("articles:export", kwargs={"kind": spec.name}),
        }
        for spec in KINDS.values()
    ]
    return render(
        request,
        "articles/data_dictionary.html",
        {
            "exports": exports,
            "list_delimiter": LIST_DELIMITER,
            "formula_chars": ["=", "+", "-", "@", "tab", "CR"],
            "app_version": settings.TRACKER_VERSION,
            "tagger_version": tagger_version(),
            "rate_limit": settings.TRACKER_EXPORT_RATE_LIMIT,
        },
    )
