from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from articles.reading.filters import FilterError, admin_problem, request_problem
from articles.reading.languages import page_in

Handler = Callable[[HttpRequest], HttpResponse]

# No inline script anywhere; the admin keeps a few inline style attributes of its own.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
ADMIN_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def content_security_policy(get_response: Handler) -> Handler:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Content-Security-Policy" not in response:
            policy = ADMIN_CSP if request.path.startswith("/admin/") else CSP
            response["Content-Security-Policy"] = policy
        return response

    return middleware


def language_from_browser(get_response: Handler) -> Handler:
    """A browser that prefers Spanish or French, opening a page at its plain (English) address,
    is sent to the same page under /es/ or /fr/. A language chosen with the switch (a cookie)
    wins over Accept-Language, so choosing English sticks. Only pages a browser asks for as
    HTML move: CSV files, feeds and the admin keep their addresses for every client."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not (
            request.method in ("GET", "HEAD")
            and "text/html" in request.headers.get("Accept", "")
            and not translation.get_language_from_path(request.path_info)
        ):
            return get_response(request)
        preferred = translation.get_language_from_request(request, check_path=False)
        there = page_in(preferred, request) if preferred != settings.LANGUAGE_CODE else None
        response = HttpResponseRedirect(there) if there else get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return middleware


OPEN_PREFIXES = ("/admin/", "/static/", "/healthz")


def login_required_when_private(get_response: Handler) -> Handler:
    """With TRACKER_REQUIRE_LOGIN on, pages and exports need a logged-in user."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if (
            settings.TRACKER_REQUIRE_LOGIN
            and not request.user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            return redirect_to_login(request.get_full_path())
        return get_response(request)

    return middleware


def _refusal(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.endswith(".json"):
        return JsonResponse({"error": message}, status=400)
    if request.path.endswith((".csv", ".atom")):
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    return render(request, "400.html", {"message": message}, status=400)


class RefuseBadParameters:
    """A 400 in plain words for a request no view can read, and for a filter a view refuses.

    The rules live in articles.reading.filters; this applies them to every request (pages,
    exports, admin) before any view runs, and turns a view's FilterError into the same 400.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(path=request.path, params=request.GET)
        if problem:
            return _refusal(request, problem)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Handler, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # ModelAdmin.get_urls() marks each admin view with its ModelAdmin.
        model_admin = getattr(view, "model_admin", None)
        if model_admin is None:
            return None
        name = getattr(view, "__name__", "")
        problem = admin_problem(model_admin, request.GET, view=name)
        return _refusal(request, problem) if problem else None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, FilterError):
            return _refusal(request, str(exception))
        return None
