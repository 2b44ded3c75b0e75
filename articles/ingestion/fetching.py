"""The only module that talks HTTP: timeouts, size caps, redirects, conditional GET and the
private-network guard. Everything else in the project fetches through `fetch`.

The guard checks the address a connection is actually made to, after DNS resolution, on
every redirect hop, so a public name that resolves (or is re-pointed) to an internal address
is refused too.
"""

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import certifi
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    DecodeError,
    HTTPError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from articles.ingestion.headers import (
    ascii_url,
    content_length,
    etag_value,
    last_modified_value,
    location_url,
    retry_after_seconds,
)

REDIRECT_CODES = {301, 302, 303, 307, 308}
# Client errors that may pass: a timeout, "too early", "too many requests".
TRANSIENT_STATUSES = {408, 425, 429}
CHUNK = 64 * 1024
CGNAT = ipaddress.ip_network("100.64.0.0/10")

AddrInfo = tuple[Any, ...]


def _getaddrinfo(host: str, port: int) -> list[AddrInfo]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


# The resolver seam: tests point a name at 10.0.0.1 here, while the check stays real.
resolve: Callable[[str, int], list[AddrInfo]] = _getaddrinfo


def _exempt(address: str, port: int) -> bool:
    """An `address:port` that the guard lets through: the offline demo's server or a test's.

    A demo- and test-only setting (`TRACKER_FETCH_ALLOW_ADDRESSES`); empty in production.
    """
    return f"{address}:{port}" in settings.TRACKER_FETCH_ALLOW_ADDRESSES


@dataclass
class FetchResult:
    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    not_modified: bool = False
    truncated: bool = False


class FetchError(Exception):
    """A fetch that did not give a body, in plain words.

    `transient`: the same request may well succeed later (a timeout, a refused connection,
    a 5xx, a 429); otherwise asking again will get the same answer (a 404, a refused address,
    a body over the size cap). `permanent`: the address itself is gone or unusable.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
        transient: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent
        self.transient = transient and not permanent


class BlockedAddressError(OSError):
    """A connection to a private, local or otherwise non-public address was refused."""


def address_block_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why the guard refuses `ip`, or "" when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return address_block_reason(mapped)
    checks = [
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "a carrier-grade NAT address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private network address"),
        (not ip.is_global, "not a public internet address"),
    ]
    for hit, reason in checks:
        if hit:
            return reason
    return ""


class _GuardMixin:
    host: str
    port: int
    timeout: Any
    socket_options: Any
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        allow_private = settings.TRACKER_ALLOW_PRIVATE_NETWORKS
        try:
            # "localhost." is localhost: the trailing dot only says the name is complete.
            infos = resolve(self._dns_host.rstrip(".") or self._dns_host, self.port)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"the name {self.host} could not be found in DNS") from exc
        refused: list[str] = []
        last_error: OSError | None = None
        for family, type_, proto, _canon, sockaddr in infos:
            address = str(sockaddr[0]).split("%")[0]
            reason = address_block_reason(ipaddress.ip_address(address))
            if reason and not allow_private and not _exempt(address, self.port):
                refused.append(f"{address} ({reason})")
                continue
            sock = socket.socket(family, type_, proto)
            try:
                for option in self.socket_options or []:
                    sock.setsockopt(*option)
                sock.settimeout(self.timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                last_error = exc
        if refused and last_error is None:
            raise BlockedAddressError(
                f"refused to connect to {self.host}: it resolves to {', '.join(refused)}; "
                "only public internet addresses may be fetched"
            )
        if isinstance(last_error, TimeoutError):
            raise FetchError(
                f"the server at {self.host} did not accept a connection within "
                f"{self.timeout:g} seconds"
            )
        raise FetchError(f"could not connect to {self.host}: {last_error or 'no address found'}")


class GuardedHTTPConnection(_GuardMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardMixin, HTTPSConnection):
    pass


def _status_error(status: int, headers: dict[str, str], url: str) -> FetchError:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "unknown status"
    retry_after = retry_after_seconds(headers.get("retry-after", ""))
    transient = status in TRANSIENT_STATUSES or status >= 500
    if status == 410:
        return FetchError(
            f"the server says {url} is gone for good (410 Gone)", status=status, permanent=True
        )
    if status in (429, 503) and retry_after is not None:
        return FetchError(
            f"the server asked us to wait {retry_after:.0f} seconds before trying again "
            f"({status} {phrase})",
            status=status,
            retry_after=retry_after,
        )
    if status == 429:
        return FetchError(f"the server says we asked too often ({status} {phrase})", status=status)
    if 400 <= status < 500:
        return FetchError(
            f"the server refused the request: {status} {phrase}", status=status, transient=transient
        )
    return FetchError(
        f"the server failed to answer: {status} {phrase}", status=status, transient=transient
    )


def _check_url(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a valid web address", permanent=True) from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            f"only http and https addresses can be fetched, not {parts.scheme or 'no scheme'!r}",
            permanent=True,
        )
    if not parts.hostname:
        raise FetchError(f"{url!r} has no host name", permanent=True)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # The request line is ASCII: an address with "é" in its path is sent percent-encoded.
    path = ascii_url(path)
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def _open(url: str, headers: dict[str, str]) -> tuple[HTTPConnection, Any]:
    scheme, host, port, path = _check_url(url)
    connect_timeout = settings.TRACKER_CONNECT_TIMEOUT
    read_timeout = settings.TRACKER_READ_TIMEOUT
    conn: HTTPConnection
    if scheme == "https":
        conn = GuardedHTTPSConnection(
            host, port, timeout=connect_timeout, cert_reqs="CERT_REQUIRED", ca_certs=certifi.where()
        )
    else:
        conn = GuardedHTTPConnection(host, port, timeout=connect_timeout)
    try:
        conn.connect()
        # Once connected, waits are governed by the read timeout.
        conn.timeout = read_timeout
        conn.request("GET", path, headers=headers, preload_content=False, decode_content=True)
        response = conn.getresponse()
    except BaseException:
        conn.close()
        raise
    return conn, response


def _read_body(response: Any, cap: int, deadline: float, host: str) -> tuple[bytes, bool]:
    length = content_length(response.headers.get("content-length", ""))
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if length is not None and length > cap and encoding in ("", "identity"):
        raise FetchError(_too_large(cap), transient=False)
    chunks: list[bytes] = []
    total = 0
    truncated = False
    try:
        # read1 returns whatever arrived, so a slow drip still meets the deadline check.
        while chunk := response.read1(CHUNK, decode_content=True):
            total += len(chunk)
            if total > cap:
                raise FetchError(_too_large(cap), transient=False)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FetchError(
                    f"the server at {host} was still sending after "
                    f"{settings.TRACKER_TOTAL_TIMEOUT:g} seconds; gave up"
                )
    except ProtocolError:
        # The connection closed before the announced length: keep what arrived.
        truncated = True
    except DecodeError as exc:
        raise FetchError(f"the response from {host} could not be decompressed: {exc}") from exc
    return b"".join(chunks), truncated


def _too_large(cap: int) -> str:
    return f"the response is larger than {cap / 1024 / 1024:g} MB after decompression"


def _request_headers(*, accept: str, etag: str, last_modified: str) -> dict[str, str]:
    headers = {
        "User-Agent": settings.TRACKER_USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
    }
    # Only values that can be sent back as they came (printable ASCII, a readable date).
    if etag := etag_value(etag):
        headers["If-None-Match"] = etag
    if last_modified := last_modified_value(last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


def _connect(url: str, headers: dict[str, str], host: str) -> tuple[HTTPConnection, Any]:
    """_open, with every way a connection fails said in plain words as a FetchError."""
    try:
        return _open(url, headers)
    except FetchError:
        raise
    except BlockedAddressError as exc:
        raise FetchError(str(exc), transient=False) from exc
    except (TimeoutError, ReadTimeoutError) as exc:
        raise FetchError(
            f"the server at {host} did not answer within {settings.TRACKER_READ_TIMEOUT:g} seconds"
        ) from exc
    except SSLError as exc:
        raise FetchError(f"the secure connection to {host} failed: {exc}") from exc
    except (OSError, HTTPError) as exc:
        raise FetchError(f"the connection to {host} failed: {exc}") from exc
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # http.client parse errors on garbage responses
        raise FetchError(f"the server at {host} sent a malformed response: {exc}") from exc


def _redirect_target(status: int, location: str, *, current: str, seen: list[str]) -> str:
    """Where a redirect leads; a FetchError when it leads nowhere or back to a hop seen."""
    if not location.strip():
        raise FetchError(
            f"the server answered {status} without saying where to go", transient=False
        )
    target = location_url(location, base=current)
    if not target:
        raise FetchError(
            f"the server answered {status} with an address that cannot be read: {location[:200]!r}",
            transient=False,
        )
    if target in seen:
        raise FetchError(f"redirect loop: {target} redirects back to itself", transient=False)
    return target


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    max_bytes: int | None = None,
) -> FetchResult:
    """GET `url`, following redirects ourselves so every hop is re-checked; raise FetchError."""
    cap = max_bytes or settings.TRACKER_MAX_BODY_BYTES
    deadline = time.monotonic() + settings.TRACKER_TOTAL_TIMEOUT
    headers = _request_headers(accept=accept, etag=etag, last_modified=last_modified)
    current = ascii_url(url.strip())
    seen = [current]
    for _hop in range(settings.TRACKER_MAX_REDIRECTS + 1):
        host = urlsplit(current).hostname or current
        conn, response = _connect(current, headers, host)
        try:
            status = response.status
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if status in REDIRECT_CODES:
                location = response_headers.get("location", "")
                current = _redirect_target(status, location, current=current, seen=seen)
                seen.append(current)
                continue
            if status == 304:
                return FetchResult(
                    url=current, status=status, headers=response_headers, not_modified=True
                )
            if status >= 400:
                raise _status_error(status, response_headers, current)
            try:
                body, truncated = _read_body(response, cap, deadline, host)
            except (TimeoutError, ReadTimeoutError) as exc:
                raise FetchError(
                    f"the server at {host} stopped sending for more than "
                    f"{settings.TRACKER_READ_TIMEOUT:g} seconds"
                ) from exc
            return FetchResult(
                url=current,
                status=status,
                headers=response_headers,
                body=body,
                truncated=truncated,
            )
        finally:
            conn.close()
    raise FetchError(
        f"more than {settings.TRACKER_MAX_REDIRECTS} redirects, starting at {url}; gave up",
        transient=False,
    )
