"""Canonical article URLs: one spelling per story, so its hash can be the Article's identity."""

import contextlib
import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from articles.ingestion.headers import ascii_url

TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
TRACKING_NAMES = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "ref",
    "ref_src",
    "igshid",
    "_ga",
    "ocid",
    "cmpid",
    "smid",
}
DEFAULT_PORTS = {"http": 80, "https": 443}


def url_canonicalize(url: str, *, keep_fragment: bool = False) -> str:
    """The URL with tracking parameters, fragment, default port and letter-case noise removed.

    `keep_fragment`: the #fragment names a story of its own on a shared page (see README,
    "Which entries are one article").
    """
    url = ascii_url(url.strip())
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not scheme or not host:
        return url
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    netloc = host
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]"
    if port and port != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    path = parts.path or "/"
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), fragment))


def url_hash(url: str, *, keep_fragment: bool = False) -> str:
    """SHA-256 hex of the canonical form of `url`."""
    return canonical_hash(url_canonicalize(url, keep_fragment=keep_fragment))


def canonical_hash(canonical: str) -> str:
    """url_hash of a URL whose canonical form is `canonical`."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def url_fragment(url: str) -> str:
    """The #fragment of `url`, or ""."""
    try:
        return urlsplit(url.strip()).fragment
    except ValueError:
        return ""


def url_domain(url: str) -> str:
    """The lower-case host of `url` without a leading www., for Source.domain."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def url_untracked(url: str) -> str:
    """`url` without its tracking parameters (utm_… and the like), otherwise as written."""
    if "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not _is_tracking(name)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_NAMES or name.startswith(TRACKING_PREFIXES)
