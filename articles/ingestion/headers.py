"""Reading HTTP response header values defensively: a value that is not what the standard
says is treated as absent, never as an exception.

Header values arrive as bytes read as Latin-1, so "\\xb2" is "²": `str.isdigit()` accepts it
and `int()` refuses it. Numbers here are ASCII digits only, dates are HTTP dates, and every
result is clamped to a range the caller can do arithmetic with.
"""

import email.utils
import re
from datetime import UTC, datetime
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_DIGITS = re.compile(r"[0-9]+")
_MAX_AGE = re.compile(
    r"(?:^|,)[ \t]*(?:s-)?max-age[ \t]*=[ \t]*\"?([0-9]+)\"?[ \t]*(?:,|$)", re.IGNORECASE
)
# Printable ASCII, for values we send back to the server (If-None-Match, If-Modified-Since).
_VISIBLE = re.compile(r"[\x20-\x7e]{1,500}")
# Characters left as they are when a URL is made ASCII: reserved, unreserved and "%".
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
# Retry-After is honoured beyond a feed's normal interval, but not forever.
RETRY_AFTER_CEILING = 7 * 24 * 3600


def _digits(value: str) -> int | None:
    """The number written in ASCII digits, or None; a huge number stays huge, never an error."""
    value = (value or "").strip(" \t")
    if not _DIGITS.fullmatch(value):
        return None
    # int() refuses over 4,300 digits; anything over 18 is beyond every clamp here anyway.
    return int(value) if len(value) <= 18 else 10**18


def header_int(value: str, *, maximum: int) -> int | None:
    """A non-negative integer of ASCII digits, at most `maximum`; None for anything else."""
    number = _digits(value)
    return number if number is not None and number <= maximum else None


def content_length(value: str) -> int | None:
    """Content-Length in bytes; a repeated equal value ("12, 12") counts once."""
    values = {part.strip(" \t") for part in (value or "").split(",")}
    if len(values) != 1:
        return None
    # Beyond a petabyte the value is not a length but noise.
    return header_int(values.pop(), maximum=10**15)


def http_date(value: str) -> datetime | None:
    """An HTTP date (RFC 9110: IMF-fixdate and the two obsolete forms) as aware UTC."""
    value = (value or "").strip(" \t")
    if not value or not value.isascii() or len(value) > 100:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def retry_after_seconds(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), clamped to a week."""
    seconds = _digits(value)
    if seconds is None:
        when = http_date(value)
        if when is None:
            return None
        seconds = int(max(0.0, (when - (now or datetime.now(UTC))).total_seconds()))
    return float(min(seconds, RETRY_AFTER_CEILING))


def cache_max_age(cache_control: str) -> int | None:
    """max-age (or s-maxage) in seconds from a Cache-Control header, or None; unclamped."""
    if not cache_control or "no-cache" in cache_control.lower():
        return None
    match = _MAX_AGE.search(cache_control)
    return _digits(match.group(1)) if match else None


def etag_value(value: str) -> str:
    """An ETag kept to send back as If-None-Match: printable ASCII, else ""."""
    value = (value or "").strip(" \t")
    return value if _VISIBLE.fullmatch(value) else ""


def last_modified_value(value: str) -> str:
    """A Last-Modified kept to send back as If-Modified-Since: a readable HTTP date, else ""."""
    value = (value or "").strip(" \t")
    return value if _VISIBLE.fullmatch(value) and http_date(value) else ""


def ascii_url(url: str) -> str:
    """The URL in ASCII: an international host name in IDNA form, anything else outside
    printable ASCII percent-encoded as UTF-8. "%" is left alone, so an encoded URL is unchanged.
    """
    if url.isascii() and url.isprintable() and " " not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return quote(url, safe=_URL_SAFE)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host, colon, port = hostport, "", ""
    if not hostport.endswith("]") and ":" in hostport:
        host, colon, port = hostport.rpartition(":")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
    netloc = quote(userinfo + at, safe=_URL_SAFE) + host + colon + quote(port, safe="")
    rest = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme, netloc, "", "", "")) + quote(rest, safe=_URL_SAFE)


def location_url(value: str, *, base: str) -> str:
    """The absolute address a redirect's Location points to, in ASCII; "" if unreadable.

    The header's bytes were read as Latin-1: UTF-8 bytes are taken as UTF-8 (what browsers
    do), anything else is percent-encoded byte by byte.
    """
    raw = (value or "").strip(" \t")
    try:
        as_bytes = raw.encode("latin-1")
    except UnicodeEncodeError:
        as_bytes = raw.encode("utf-8")
    try:
        location = ascii_url(as_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        location = quote(as_bytes, safe=_URL_SAFE)
    try:
        return urljoin(base, location)
    except ValueError:  # "http://[::1": not an address
        return ""
