"""Feed bodies (RSS, Atom, RDF, JSON Feed) into plain entries with sanitised HTML.

Never raises on bad bytes: a broken feed yields the entries that could be read and a
`bozo_message` in plain words; something that is not a feed at all has `is_feed=False`.

An entry's date is taken only when it is plausible for news: from 1990 to two days after the
feed was read. Others (year 1 from static-site generators, year 9999, dates that do not
parse) leave `published` empty and keep the text as written in `published_given`.
"""

import calendar
import hashlib
import html
import io
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3
from celery.exceptions import SoftTimeLimitExceeded

from articles.ingestion.bylines import byline_sort, byline_split, feed_author_text
from articles.ingestion.headers import ascii_url

ALLOWED_TAGS = {
    "p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li",
    "blockquote", "q", "cite", "code", "pre", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
JSON_FEED_PREFIX = "https://jsonfeed.org/version/"
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# NUL (which PostgreSQL refuses) and the other C0 controls but tab and newlines; lone
# surrogates (from JSON "\ud800" escapes), which no encoder takes, become U+FFFD.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_WIDE_DECLARATION = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']((?:utf|ucs)-?(?:16|32|2|4)[a-z]*)[\"']",
    re.IGNORECASE,
)
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)
# A guid longer than this many UTF-8 bytes is kept as its hash: it is an identity, not text,
# and the database indexes it.
GUID_MAX_BYTES = 500
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)


@dataclass
class ParsedEntry:
    guid: str
    link: str
    title: str
    summary_html: str  # nh3-sanitised; text/plain content escaped into paragraphs
    published: datetime | None  # aware UTC, plausible (see the module's docstring)
    authors: list[str] = field(default_factory=list)
    language: str = ""
    published_given: str = ""  # the date as written, when it was not taken


@dataclass
class ParsedFeed:
    title: str
    link: str
    language: str
    ttl_minutes: int | None
    entries: list[ParsedEntry]
    bozo_message: str = ""  # what is wrong, in plain words; "" when well-formed
    is_feed: bool = True  # False when the body is not a feed at all, e.g. an HTML page

    @property
    def warning(self) -> str:
        """What is wrong with a feed that was read anyway, saying that its entries were kept."""
        if not (self.bozo_message and self.entries):
            return ""
        return f"{self.bozo_message.rstrip('.')}; the entries that could be read were kept."


def text_clean(value: str) -> str:
    """Text any database and encoder takes: no NUL or control characters, no lone surrogates."""
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", value))


def html_sanitize(html: str) -> str:
    """Entry HTML reduced to a tight allow-list: text formatting and http(s)/mailto links."""
    return nh3.clean(
        text_clean(html),
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "iframe", "object"},
        attributes={"a": {"href"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def text_plain(value: str) -> str:
    """Markup removed, entities decoded, whitespace collapsed: for titles and names."""
    if "<" not in value and "&" not in value:
        # No markup and no entities (most titles): the sanitiser would hand it back as is.
        return _WHITESPACE.sub(" ", text_clean(value)).strip()
    stripped = nh3.clean(text_clean(value), tags=set(), clean_content_tags={"script", "style"})
    return _WHITESPACE.sub(" ", text_clean(html.unescape(stripped))).strip()


def feed_parse(
    *, body: bytes, url: str, content_type: str = "", now: datetime | None = None
) -> ParsedFeed:
    """Entries of an RSS, Atom, RDF or JSON feed; never raises on bad bytes."""
    body = body or b""
    if not body.strip():
        return ParsedFeed("", "", "", None, [], "The response was empty.", is_feed=False)
    if _looks_like_json(body, content_type):
        parsed = _json_feed_parse(body=body, url=url)
    else:
        parsed = _xml_feed_parse(body=body, url=url, content_type=content_type)
        redeclared = _declaration_fixed(body)
        if not parsed.is_feed and redeclared is not None:
            parsed = _xml_feed_parse(body=redeclared, url=url, content_type=content_type)
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    for entry in parsed.entries:
        if entry.published is not None and not EARLIEST_DATE <= entry.published <= latest:
            entry.published = None
        if entry.published is not None:
            entry.published_given = ""
    return parsed


def _declaration_fixed(body: bytes) -> bytes | None:
    """UTF-8 bytes under an XML declaration that says UTF-16 or UTF-32 (a common
    copy-and-paste error that makes feedparser see nothing), declared as UTF-8; else None."""
    match = _WIDE_DECLARATION.match(body)
    if match is None or body.startswith(_WIDE_BOMS):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return body[: match.start(1)] + b"utf-8" + body[match.end(1) :]


def _looks_like_json(body: bytes, content_type: str) -> bool:
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head == b"{" or ("json" in content_type.lower() and head in (b"{", b"["))


def _xml_feed_parse(*, body: bytes, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # A stream, never bytes or str: feedparser would treat those as a path or URL to open.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # feedparser is meant not to raise; a hostile body must not crash us
        return ParsedFeed("", "", "", None, [], f"The feed could not be read: {exc}", False)

    meta = parsed.get("feed", {})
    version = parsed.get("version", "")
    entries: list[ParsedEntry] = []
    feed_language = _language(meta.get("language", ""))
    for raw in parsed.get("entries", []):
        entry = _entry_from_feedparser(raw, url=url, feed_language=feed_language)
        if entry is not None:
            entries.append(entry)

    is_feed = bool(version or entries)
    bozo_message = ""
    if not is_feed:
        if _HTML_START.match(body[:2000]) or "html" in content_type.lower():
            bozo_message = "This address returned a web page, not a feed."
        else:
            bozo_message = "This address did not return a feed (no RSS, Atom or JSON Feed found)."
    elif parsed.get("bozo"):
        problem = _plain_error(parsed.get("bozo_exception"))
        bozo_message = f"The feed has errors ({problem})."
    return ParsedFeed(
        title=text_plain(meta.get("title", "") or ""),
        link=_http_link(meta.get("link", ""), base=url),
        language=feed_language,
        ttl_minutes=_ttl(meta.get("ttl")),
        entries=entries,
        bozo_message=bozo_message,
        is_feed=is_feed,
    )


def _entry_from_feedparser(raw: Any, *, url: str, feed_language: str) -> ParsedEntry | None:
    title = text_plain(raw.get("title", "") or "")
    link = _page_link(raw.get("link", "") or "", feed_url=url)
    # dict.get: feedparser's own .get maps a missing updated_parsed onto published, with a warning.
    published = _struct_to_utc(dict.get(raw, "published_parsed")) or _struct_to_utc(
        dict.get(raw, "updated_parsed")
    )
    given = text_clean(str(dict.get(raw, "published", "") or dict.get(raw, "updated", "") or ""))
    summary_html, language = _entry_html(raw)
    authors = _authors(raw)
    guid = _guid(str(raw.get("id", "") or "")) or link or _stable_guid(title, published)
    if not (title or link or summary_html):
        return None
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        summary_html=summary_html,
        published=published,
        authors=authors,
        language=language or feed_language,
        published_given=given.strip()[:100],
    )


def _entry_html(raw: Any) -> tuple[str, str]:
    """The entry's summary, else its content: sanitised HTML and its language."""
    details = []
    if raw.get("summary_detail"):
        details.append(raw["summary_detail"])
    details.extend(raw.get("content") or [])
    for detail in details:
        value = detail.get("value", "") or ""
        if not value.strip():
            continue
        if (detail.get("type") or "").lower() == "text/plain":
            cleaned = text_to_html(value)
        else:
            cleaned = html_sanitize(value).strip()
        return cleaned, _language(detail.get("language", "") or "")
    return "", ""


def _authors(raw: Any) -> list[str]:
    texts = [
        feed_author_text(
            name=text_plain(str(author.get("name", "") or "")),
            email=str(author.get("email", "") or ""),
        )
        for author in raw.get("authors") or []
        if hasattr(author, "get")
    ]
    if not any(texts) and raw.get("author"):
        texts = [text_plain(str(raw["author"]))]
    return byline_sort([name for text in texts for name in byline_split(text)]).people


def _struct_to_utc(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= 60 * 24 * 365 else None


def _language(value: str) -> str:
    primary = str(value or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


def _http_link(value: str, *, base: str) -> str:
    value = text_clean(str(value or "")).strip()
    if not value:
        return ""
    try:
        resolved = urljoin(base, value) if base else value
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return ""
    return ascii_url(resolved) if scheme in ("http", "https") else ""


def _page_link(value: str, *, feed_url: str) -> str:
    """An entry's link to its page; "" for a fragment-only link ("#editorial"), which points
    into the feed itself, not to a page."""
    link = _http_link(value, base=feed_url)
    if link and feed_url and link.split("#")[0] == ascii_url(feed_url).split("#")[0]:
        return ""
    return link


def _guid(value: str) -> str:
    value = text_clean(value).strip()
    if len(value.encode("utf-8", "surrogatepass")) <= GUID_MAX_BYTES:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped once, blank lines making paragraphs, newlines kept."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text_clean(text)) if p.strip()]
    return "".join(
        "<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


def _stable_guid(title: str, published: datetime | None) -> str:
    seed = f"{title}\n{published.isoformat() if published else ''}"
    return "sha256:" + hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _plain_error(exc: object) -> str:
    text = str(exc or "unknown problem").strip()
    # expat's "<unknown>:12:3: mismatched tag" reads better as "mismatched tag at line 12".
    match = re.match(r"^<unknown>:(\d+):\d+: (.+)$", text)
    if match:
        return f"{match.group(2)} at line {match.group(1)}"
    return text[:300]


def _json_feed_parse(*, body: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        return ParsedFeed("", "", "", None, [], f"The response is not valid JSON: {exc}", False)
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(JSON_FEED_PREFIX):
        message = "This address returned JSON that is not a JSON Feed."
        return ParsedFeed("", "", "", None, [], message, is_feed=False)

    language = _language(_str(data.get("language")))
    entries: list[ParsedEntry] = []
    skipped = 0
    items = data.get("items")
    for item in items if isinstance(items, list) else []:
        entry = (
            _json_entry(item, url=url, feed_language=language) if isinstance(item, dict) else None
        )
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    bozo_message = ""
    if not isinstance(items, list):
        bozo_message = "The JSON Feed has no list of items."
    elif skipped:
        bozo_message = f"The JSON Feed has {skipped} unreadable item(s); the others were kept."
    return ParsedFeed(
        title=text_plain(_str(data.get("title"))),
        link=_http_link(_str(data.get("home_page_url")), base=url),
        language=language,
        ttl_minutes=None,
        entries=entries,
        bozo_message=bozo_message,
    )


def _json_entry(item: dict[str, Any], *, url: str, feed_language: str) -> ParsedEntry | None:
    title = text_plain(_str(item.get("title")))
    link = _page_link(_str(item.get("url")) or _str(item.get("external_url")), feed_url=url)
    if _str(item.get("content_html")).strip():
        summary_html = html_sanitize(_str(item.get("content_html"))).strip()
    elif _str(item.get("summary")).strip():
        summary_html = text_to_html(_str(item.get("summary")))
    else:
        summary_html = text_to_html(_str(item.get("content_text")))
    published = _iso_to_utc(_str(item.get("date_published"))) or _iso_to_utc(
        _str(item.get("date_modified"))
    )
    given = _str(item.get("date_published")) or _str(item.get("date_modified"))
    authors_raw = item.get("authors")
    if not isinstance(authors_raw, list):
        authors_raw = [item["author"]] if isinstance(item.get("author"), dict) else []
    authors = byline_sort(
        name
        for author in authors_raw
        if isinstance(author, dict)
        for name in byline_split(text_plain(_str(author.get("name"))))
    ).people
    if not (title or link or summary_html):
        return None
    guid = _guid(_str(item.get("id"))) or link or _stable_guid(title, published)
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        summary_html=summary_html,
        published=published,
        authors=authors,
        language=_language(_str(item.get("language"))) or feed_language,
        published_given=given.strip()[:100],
    )


def _str(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return text_clean(str(value))


def _iso_to_utc(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
