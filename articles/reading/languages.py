"""The same page in another language: its address under /es/, /fr/ or the plain English one."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation


def page_in(language: str, request: HttpRequest) -> str | None:
    """The address of the page asked for, in `language`, with its query; None when the page
    has no address of its own in that language (the admin, a file, an address that is not
    a page). Built from the path alone, never from a scheme or host a crafted address
    could slip in."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    try:
        with translation.override(language):
            path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        with translation.override(settings.LANGUAGE_CODE):
            english = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return None
    if path == english and language != settings.LANGUAGE_CODE:
        return None  # not under the language prefix: the same address in every language
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path
