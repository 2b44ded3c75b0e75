from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

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
