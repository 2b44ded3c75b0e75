"""An article page into clean text and metadata: title, date, authors, site, canonical URL,
language, and the outlet it was republished from.

Main text is trafilatura (precision mode) checked against readability-lxml: paragraphs at the
edges of trafilatura's text that readability does not have are teasers and trailers, and when
trafilatura keeps only a fraction of what readability finds, readability's text is used. A line
filter then drops the boilerplate both let through (comment counts, newsletter pitches, related
links, copyright lines).
"""

import html as html_lib
import json
import logging
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from dateutil import parser as dateparser
from lxml.etree import ParserError
from readability import Document
from trafilatura.utils import decode_file

from articles.ingestion.bylines import byline_sort, byline_split

logger = logging.getLogger(__name__)


@dataclass
class Extracted:
    title: str = ""
    text: str = ""
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str = ""
    canonical_url: str = ""
    language: str = ""
    original_source: str = ""


_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "reportingarticle", "webpage", "report",
    "liveblogposting", "scholarlyarticle", "techarticle", "socialmediaposting",
}  # fmt: skip

# Whole lines that are site furniture, never article text.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        \d+\s+comments?|comments?|all\s+comments|show\s+comments|loading\s+comments.*
        |join\s+(?:the\s+)?discussion|leave\s+a\s+(?:reply|comment).*
        |want\s+to\s+join\s+the\s+discussion\??|feel\s+free\s+to\s+contribute!?
        |tell\s+us\s+what\s+you\s+think.*|(?:post\s+a\s+)?comment\s+below.*
        |trend(?:s|ing)(?:\s+(?:now|24h|stories|today))?:?|most\s+(?:read|popular|viewed):?
        |related(?:\s+(?:posts?|articles?|stories|coverage|content|reading|links))?:.*
        |related\s+(?:posts?|articles?|stories)|you\s+may\s+also\s+like.*|see\s+more:.*
        |read\s+(?:more|also|next):.*|don'?t\s+miss:?|more\s+from\s+.{1,60}
        |recommended(?:\s+for\s+you)?:?|advertisement|sponsored(?:\s+content)?
        |(?:like\s+this\s+(?:story|article)\?\s+)?share\s+(?:it|this)(?:\s+(?:article|story))?.*
        |share\s+(?:on|via)\s+\w+.*|(?:share|tweet|email|print|whatsapp)(?:\s*[|/·]\s*\w+)+
        |.*\ball\s+rights\s+reserved\b.*|(?:copyright|©|\(c\))\s.{0,120}
        |.*\bcookies?\b.*\b(?:accept|consent|policy|settings|use)\b.{0,80}
        |.*\bsign\s+up\b.{0,80}\bnewsletters?\b.*|.*\bsubscribe\s+to\b.{0,60}\bnewsletters?\b.*
        |.{0,40}\bnewsletters?$|follow\s+(?:us|him|her|them)\s+on\s+.{0,120}
        |in\s+reply\s+to.*|reply
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# A comment section starts here: drop the line and everything after it.
_COMMENTS_START = re.compile(
    r"^(?:\d+\s+comments?|comments?|all\s+comments|leave\s+a\s+(?:reply|comment)"
    r"|join\s+(?:the\s+)?discussion|loading\s+comments.*"
    r"|tell\s+us\s+what\s+you\s+think.*|comentarios|commentaires|kommentare|комментарии)$",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(
    r"^\(?(?:source|fuente|source\s+originale?|quelle)\s*:\s*(?P<name>[^\n]{2,80}?)\)?\.?$",
    re.IGNORECASE,
)
_ORIGINALLY = re.compile(
    r"(?:originally\s+(?:published|appeared|posted)|first\s+(?:published|appeared))"
    r"\s+(?:by|in|on|at)\s+(?:the\s+website\s+of\s+)?(?P<name>[A-Z][\w&.'\u2019\- ]{1,60}?)"
    r"(?=\s*(?:[.,;:()]|\s+(?:on|and|under|in|at)\s|$))",
    re.IGNORECASE,
)
_WIRES = {
    "reuters": "Reuters",
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "efe": "EFE",
    "canadian press": "The Canadian Press",
    "the canadian press": "The Canadian Press",
    "bloomberg": "Bloomberg",
    "dpa": "dpa",
    "notimex": "Notimex",
    "xinhua": "Xinhua",
    "ansa": "ANSA",
}
_WIRE_NAMES = "|".join(sorted((re.escape(w) for w in _WIRES), key=len, reverse=True))
# "MEXICO CITY (Reuters) -", "OTTAWA, Ont. (AP) —", a closing "— Reuters" or "(AFP)".
_WIRE_DATELINE = re.compile(rf"^[^\n]{{0,60}}?\((?P<wire>{_WIRE_NAMES})\)\s*[-—\u2013:]", re.I)
_WIRE_CLOSING = re.compile(rf"(?:^|\n)\s*(?:[-—\u2013]\s*|\()(?P<wire>{_WIRE_NAMES})\)?\s*$", re.I)
_GENERIC_SOURCES = {
    "news agencies", "agencies", "agency", "wires", "wire services", "staff", "internet",
    "social media", "press release", "file", "files", "archive", "photo", "getty images",
    "editorial", "editor", "editors", "admin", "staff writer", "our correspondent",
}  # fmt: skip
_ORG_WORDS = re.compile(
    r"\b(?:staff|desk|team|editors?|editorial|bureau|news|newsroom|agency|agencies|press|"
    r"reuters|associated|afp|wire|media|inc|ltd|llc|corp|group|times|post|journal|tribune|"
    r"herald|gazette|daily|magazine|online|network|tv|radio)\b",
    re.IGNORECASE,
)
_TZ_NAMES = {
    name: offset * 3600
    for name, offset in {
        "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    }.items()
}  # fmt: skip
_ROLE_WORDS = re.compile(
    r"\b(?:writer|reporter|correspondent|contributor|columnist|editor|admin|jdadmin|"
    r"webmaster|author|guest|ministr(?:y|ies)|department|office)\b",
    re.IGNORECASE,
)
# Two to five capitalised words, allowing name particles: a person, not a phrase.
_PERSON = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][\w.'\u2019\-]*|de|del|la|las|los|van|der|von|da|dos|du|le|bin|al|y)"
    r"(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w.'\u2019\-]*|de|del|la|las|los|van|der|von|da|dos|du|le|bin|al|y)){0,4}$"
)
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "was", "said"},
    "es": {"el", "la", "de", "que", "y", "en", "los", "las", "del", "por", "con", "una", "para"},
    "fr": {"le", "la", "les", "de", "des", "et", "est", "une", "dans", "que", "pour", "du", "sur"},
}


def page_extract(*, html: bytes | str, url: str = "") -> Extracted:
    """Main text and metadata of an article page; never raises on bad HTML."""
    try:
        source = decode_file(html) if isinstance(html, bytes) else html
    except (UnicodeError, LookupError, ValueError):
        source = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else ""
    source = source.lstrip("\ufeff")
    if not source.strip():
        return Extracted()
    try:
        tree = trafilatura.utils.load_html(source)
    except (ParserError, ValueError):
        tree = None
    meta = _metadata(tree, url=url) if tree is not None else {}

    doc = None
    try:
        doc = trafilatura.bare_extraction(
            source, url=url or None, favor_precision=True, include_comments=False,
            with_metadata=True,
            # htmldate's extensive search hands odd strings to dateparser, which can take
            # seconds loading every locale; the page's own metadata is read above anyway.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )  # fmt: skip
    except Exception:  # a hostile page must not stop the pipeline; readability may still read it
        logger.warning("trafilatura failed on %s", url or "a page", exc_info=True)
    main_text = (getattr(doc, "text", "") or "") if doc is not None else ""
    text = _text_combine(main_text, _readability_text(source))
    text, credited = _text_clean(text)

    title = meta.get("title") or (getattr(doc, "title", "") or "")
    site_name = meta.get("site_name") or (getattr(doc, "sitename", "") or "")
    canonical = meta.get("canonical_url") or ""
    published = meta.get("published") or _date_parse(getattr(doc, "date", "") or "")
    byline_names = meta.get("authors") or byline_split(getattr(doc, "author", "") or "")
    byline = byline_sort(byline_names, site_name=site_name)
    authors, org_bylines = byline.people, byline.organisations
    language = meta.get("language") or _language_guess(text)
    original = _original_source(
        text=main_text + "\n" + text,
        credited=credited,
        org_bylines=org_bylines + meta.get("org_authors", []),
        canonical_url=canonical,
        url=url,
        site_name=site_name,
    )
    return Extracted(
        title=_title_trim(_clean(html_lib.unescape(title)), site_name=site_name),
        text=text,
        published=published,
        authors=authors,
        site_name=_clean(site_name),
        canonical_url=canonical,
        language=language,
        original_source=original,
    )


# --- main text ---------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _norm(text: str) -> str:
    return " ".join(_tokens(text))


def _readability_text(source: str) -> str:
    try:
        summary = Document(source).summary(html_partial=True)
        root = lxml.html.fromstring(summary)
    except Exception:  # readability raises a variety of parser errors on hostile markup
        return ""
    lines = []
    for element in root.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote",
                             "td", "dd", "figcaption"):  # fmt: skip
        if any(a.tag in ("p", "li", "blockquote", "td") for a in element.iterancestors()):
            continue
        line = _SPACES.sub(" ", element.text_content()).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def _text_combine(main: str, alternative: str) -> str:
    """Trafilatura's text, trimmed at its edges and rescued when cut short, by readability's."""
    if not alternative.strip():
        return main
    if not main.strip():
        return alternative
    main_tokens, alt_tokens = len(_tokens(main)), len(_tokens(alternative))
    alt_norm = _norm(alternative)
    paragraphs = [p for p in main.split("\n") if p.strip()]
    found = [_norm(p) in alt_norm for p in paragraphs if _norm(p)]
    share_found = sum(found) / len(found) if found else 0.0
    # Trafilatura sometimes stops at an inline widget; readability then has the whole story.
    if share_found >= 0.95 and alt_tokens >= 1.8 * main_tokens:
        return alternative
    if share_found < 0.5:
        return main  # the two disagree about where the article is; trust trafilatura
    keep = [bool(_norm(p)) and _norm(p) in alt_norm for p in paragraphs]
    start = 0
    while start < len(paragraphs) and not keep[start] and start < 3:
        start += 1
    if start < len(paragraphs) and not keep[start]:
        start = 0  # a long unmatched opening is article text readability missed
    end = len(paragraphs)
    while end > start and not keep[end - 1] and len(paragraphs) - end < 8:
        end -= 1
    if end > start and not keep[end - 1]:
        end = len(paragraphs)
    return "\n".join(paragraphs[start:end])


def _text_clean(text: str) -> tuple[str, list[str]]:
    """Boilerplate lines removed; also returns outlets credited on "Source: X" lines."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    total = sum(len(_tokens(line)) for line in lines)
    kept: list[str] = []
    credited: list[str] = []
    seen = 0
    for line in lines:
        bare = line.strip(" -\u2013—•*|:")
        if seen >= 0.5 * total and _COMMENTS_START.match(bare):
            break
        seen += len(_tokens(line))
        source = _SOURCE_LINE.match(bare)
        if source:
            credited.append(source.group("name").strip())
            continue
        if _BOILERPLATE_LINE.match(bare):
            continue
        kept.append(line)
    return "\n".join(kept), credited


# --- metadata -----------------------------------------------------------------------------


def _metadata(tree: Any, *, url: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = element.get("content")
        if key and content and key.lower() not in tags:
            tags[key.lower()] = content.strip()
    ld = _json_ld_article(tree)

    meta["title"] = _clean(
        _ld_str(ld.get("headline"))
        or tags.get("og:title", "")
        or tags.get("twitter:title", "")
        or _title_tag(tree)
    )
    publisher = ld.get("publisher")
    meta["site_name"] = _clean(
        tags.get("og:site_name", "")
        or (_ld_str(publisher.get("name")) if isinstance(publisher, dict) else "")
        or tags.get("application-name", "")
    )
    canonical = ""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    meta["canonical_url"] = _absolute_http(canonical or tags.get("og:url", ""), base=url)

    for candidate in (
        _ld_str(ld.get("datePublished")),
        tags.get("article:published_time", ""),
        tags.get("og:published_time", ""),
        tags.get("datepublished", ""),
        tags.get("publishdate", ""),
        tags.get("pubdate", ""),
        tags.get("date", ""),
        tags.get("dc.date.issued", ""),
        tags.get("dc.date", ""),
        tags.get("sailthru.date", ""),
    ):
        published = _date_parse(candidate)
        if published:
            meta["published"] = published
            break
    if "published" not in meta:
        for element in tree.iter("time"):
            published = _date_parse(element.get("datetime") or "")
            if published:
                meta["published"] = published
                break

    people, orgs = _ld_authors(ld.get("author"))
    if not people and not orgs:
        people = byline_split(tags.get("author", "") or tags.get("article:author", ""))
        people = [p for p in people if not p.lower().startswith(("http://", "https://"))]
    meta["authors"] = people
    meta["org_authors"] = orgs

    root = tree if tree.tag == "html" else tree.getroottree().getroot()
    meta["language"] = _language_code(
        root.get("lang", "")
        or root.get("{http://www.w3.org/XML/1998/namespace}lang", "")
        or tags.get("content-language", "")
        or tags.get("og:locale", "")
        or tags.get("language", "")
        or _ld_str(ld.get("inLanguage"))
    )
    for element in tree.iter("meta"):
        if (element.get("http-equiv") or "").lower() == "content-language" and not meta["language"]:
            meta["language"] = _language_code(element.get("content") or "")
    return meta


def _json_ld_article(tree: Any) -> dict[str, Any]:
    """The first Article-like object in the page's JSON-LD, or {}."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                types = item.get("@type", "")
                types = types if isinstance(types, list) else [types]
                if any(str(t).lower() in _ARTICLE_TYPES for t in types) and (
                    item.get("headline") or item.get("datePublished") or item.get("author")
                ):
                    return item
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity"))
    return {}


def _ld_str(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    return str(value or "").strip()


def _ld_authors(value: Any) -> tuple[list[str], list[str]]:
    people: list[str] = []
    orgs: list[str] = []
    for author in value if isinstance(value, list) else [value]:
        if isinstance(author, dict):
            name = _clean(_ld_str(author.get("name")))
            kind = str(author.get("@type", "")).lower()
            target = orgs if "organization" in kind else people
        else:
            name, target = _clean(str(author or "")), people
        for part in byline_split(name) if target is people else [name]:
            if part and part not in target:
                target.append(part)
    return people, orgs


def _split_names(value: str) -> list[str]:
    value = re.sub(r"^\s*by\s+", "", _clean(value), flags=re.I)
    parts = re.split(r"\s*(?:;|,|\band\b|&|\by\b|\bet\b)\s*", value)
    return [p.strip() for p in parts if p.strip() and len(p.strip()) <= 80]


def _authors_split(names: list[str], *, site_name: str) -> tuple[list[str], list[str]]:
    """Journalists' names, and the organisations that stood in a byline instead."""
    people: list[str] = []
    orgs: list[str] = []
    for name in names:
        if not name or "@" in name or name.lower().startswith("http"):
            continue
        if _ORG_WORDS.search(name) or _same_outlet(name, site_name) or _WIRE_KEY(name):
            orgs.append(name)
        elif _ROLE_WORDS.search(name) or name.lower().startswith("the "):
            continue
        elif _PERSON.match(name) and name not in people:
            people.append(name)
    return people, orgs


def _WIRE_KEY(name: str) -> str:
    return _WIRES.get(name.strip().lower().rstrip("."), "")


def _title_tag(tree: Any) -> str:
    for element in tree.iter("title"):
        title = _clean(element.text_content())
        # "Headline | Outlet" or "Headline - Outlet": keep the headline.
        return re.split(r"\s+[|\u2013—-]\s+(?=[^|\u2013—-]{2,40}$)", title)[0] if title else ""
    return ""


def _title_trim(title: str, *, site_name: str) -> str:
    """ "Headline | Outlet" loses the outlet."""
    parts = re.split(r"\s+[|\u2013—-]\s+", title)
    if len(parts) > 1 and site_name and _same_outlet(parts[-1], site_name):
        return title[: title.rfind(parts[-1])].rstrip(" |\u2013—-")
    return title


def _date_parse(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value or len(value) > 64:
        return None
    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        try:
            with warnings.catch_warnings():
                # An unknown zone name ("IST") is ambiguous; the date then stands as UTC.
                warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
                parsed = dateparser.parse(value, tzinfos=_TZ_NAMES)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _language_code(value: str) -> str:
    primary = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if re.fullmatch(r"[a-z]{2}", primary) else ""


def _language_guess(text: str) -> str:
    """A cheap stopword vote among English, Spanish and French."""
    words = _tokens(text[:5000])
    if len(words) < 20:
        return ""
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 0.08 * len(words) else ""


def _absolute_http(href: str, *, base: str) -> str:
    href = (href or "").strip()
    if not href:
        return ""
    try:
        resolved = urljoin(base, href) if base else href
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return ""
    return resolved if scheme in ("http", "https") else ""


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value or "").strip()


# --- republication ------------------------------------------------------------------------


def _domain(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _same_outlet(name: str, site_name: str, domain: str = "") -> bool:
    squash = re.sub(r"[^a-z0-9]", "", name.lower())
    if not squash:
        return True
    for other in (site_name, domain.split(".")[0] if domain else ""):
        other_squash = re.sub(r"[^a-z0-9]", "", other.lower().removeprefix("the "))
        if other_squash and (other_squash in squash or squash in other_squash):
            return True
    return False


def _original_source(
    *,
    text: str,
    credited: list[str],
    org_bylines: list[str],
    canonical_url: str,
    url: str,
    site_name: str,
) -> str:
    """The outlet a republished page comes from, or "" when the page is the original."""
    domain = _domain(url)
    candidates: list[str] = list(credited)
    match = _ORIGINALLY.search(text)
    if match:
        candidates.append(match.group("name"))
    # The dateline is on one of the first lines (a headline or kicker may come before it).
    head = [line for line in text.strip().split("\n")[:4] if line.strip()]
    wire = next(filter(None, (_WIRE_DATELINE.search(line) for line in head)), None)
    wire = wire or _WIRE_CLOSING.search(text.strip()[-200:])
    if wire:
        candidates.append(_WIRES[wire.group("wire").lower()])
    candidates.extend(_WIRE_KEY(name) or name for name in org_bylines)
    for name in candidates:
        name = _clean(name).strip(" .,;:")
        if not name or name.lower() in _GENERIC_SOURCES:
            continue
        if not _same_outlet(name, site_name, domain):
            return name
    canonical_domain = _domain(canonical_url)
    if canonical_domain and domain and not _same_site(canonical_domain, domain):
        return canonical_domain
    return ""


def _same_site(a: str, b: str) -> bool:
    """news.example.com and example.com are one outlet; a rough registrable-domain check."""
    return a == b or a.endswith("." + b) or b.endswith("." + a) or _base(a) == _base(b)


def _base(host: str) -> str:
    parts = host.split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in ("co", "com", "org", "gob", "gc"):
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])
