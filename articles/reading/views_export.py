"""CSV exports over HTTP, streamed, rate-limited per client, and their data dictionary."""

import itertools
import logging
import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import (
    HttpRequest,
    HttpResponse,
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
    OUTPUT_PARAMS,
    UnknownExportError,
    export_flag,
    export_meta,
    export_prepare,
    export_stream,
    tagger_version,
)
from articles.reading.filters import accepts, client_address

logger = logging.getLogger(__name__)

PLAIN = "text/plain; charset=utf-8"
WINDOW_SECONDS = 60


def _client(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"addr:{client_address(request)}"


def _carried(previous: int, into: float) -> int:
    """The previous window's exports still counted at `into` seconds into this one."""
    return _ceil(previous * (WINDOW_SECONDS - into) / WINDOW_SECONDS)


def _ceil(seconds: float) -> int:
    """Round up, but not a float's noise: 5.000000000000001 is 5."""
    return math.ceil(round(seconds, 9))


def _seconds_to_wait(previous: int, current: int, into: float, limit: int) -> int:
    """Seconds until one more export fits, once this window's `current` slots are all taken.

    Within this window the previous window's share falls as time passes; if that is not
    enough, the next window starts with this one's exports as its previous share.
    """
    room = limit - current - 1
    if room >= 0 and previous > 0:
        wait = WINDOW_SECONDS * (1 - room / previous) - into
        if wait < WINDOW_SECONDS - into:
            return max(1, _ceil(wait))
    later = WINDOW_SECONDS * max(0.0, 1 - (limit - 1) / current) if current else 0.0
    return max(1, _ceil(WINDOW_SECONDS - into + later))


def _retry_after(request: HttpRequest) -> int:
    """Seconds until this client may export again, or 0 if it may now.

    A sliding window: the exports of the last minute are this minute's plus the previous
    minute's, weighted by how much of that minute still lies within the last sixty seconds,
    so a client cannot double its limit across a minute's boundary. Each export takes one of
    the window's numbered slots with cache.add, which only one process can win for a key (a
    database row, a Redis SET NX): the limit holds however many web processes share the
    cache, where a read-then-write counter would lose counts.
    """
    limit = settings.TRACKER_EXPORT_RATE_LIMIT
    if limit <= 0:
        return 0
    window, into = divmod(time.time(), WINDOW_SECONDS)
    key = f"export-rate:{_client(request)}"

    def slots(index: float) -> list[str]:
        return [f"{key}:{int(index)}:{n}" for n in range(limit)]

    before, now_slots = slots(window - 1), slots(window)
    taken = cache.get_many([*before, *now_slots])
    previous = sum(slot in taken for slot in before)
    for slot in now_slots[: max(0, limit - _carried(previous, into))]:
        if slot not in taken and cache.add(slot, 1, timeout=2 * WINDOW_SECONDS + 1):
            return 0
    current = len(cache.get_many(now_slots))
    return _seconds_to_wait(previous, current, into, limit)


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
        # Publishers' rights: the full text is for signed-in staff (articles.reading.rights).
        staff = request.user.is_active and request.user.is_staff
        export = export_prepare(kind=kind, params=request.GET, staff=staff)
    except UnknownExportError as exc:
        return HttpResponseNotFound(str(exc), content_type=PLAIN)

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

    stream = export_stream(export=export, bom=export_flag(request.GET, "bom"))
    # The query runs and the first rows are read before any byte is sent, so a failure to
    # start is an error response, not a 200 holding only the header.
    try:
        first = next(stream)
    except DatabaseError:
        logger.exception("%s.csv could not start", kind)
        return HttpResponse(
            "The export could not be read from the database; nothing was sent. "
            "It has been logged: try again in a moment.",
            status=503,
            content_type=PLAIN,
        )
    response = StreamingHttpResponse(
        itertools.chain([first], stream), content_type="text/csv; charset=utf-8"
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


# What the export view reads; each kind takes its own share, checked by export_prepare.
export_csv.accepted_params = tuple(  # type: ignore[attr-defined]
    dict.fromkeys(name for spec in KINDS.values() for name in (*spec.params, *OUTPUT_PARAMS))
)


@accepts()
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
