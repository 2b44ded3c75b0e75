"""An article page into clean text and metadata: title, date, authors, site, canonical URL,
language, and the outlet it was republished from.

Main text is trafilatura in precision mode without comments: first without its fallback
extractors, then with them (its readability and jusText comparison) only when that first pass
comes back shorter than trafilatura's own minimum. Lines that are boilerplate cues in English,
Spanish or French ("Related stories", "Deja un comentario", "Laisser un commentaire", a
newsletter pitch, a photo credit) are dropped. Each of these choices is judged by held-out F1
on site folds in bench/bench_extraction.py, and its alternatives are measured there too.

Work is bounded: a page is read up to its first MAX_ELEMENTS elements, and only short lines
are tested as cues, so a 5 MB page costs about what its first few thousand paragraphs do.
"""

import contextlib
import html as html_lib
import itertools
import json
import logging
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import trafilatura
from dateutil import parser as dateparser
from lxml.etree import ParserError
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
    find_date,
)
from trafilatura.settings import DEFAULT_CONFIG, set_date_params
from trafilatura.utils import decode_file, load_html

from articles.ingestion.bylines import byline_sort, byline_split

logger = logging.getLogger(__name__)

# Far more than an article page has (the 88 development pages have at most 1,600), few enough
# that trafilatura, whose XPath passes grow faster than linearly, stays well under a second.
MAX_ELEMENTS = 10_000
# trafilatura's own threshold for "too short": below it, its fallback extractors are tried.
MIN_EXTRACTED_SIZE = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")
# Boilerplate cues are short lines; a long line is text, and never runs the cue patterns.
MAX_CUE_LINE = 300


@dataclass(frozen=True)
class TextRules:
    """How the main text is read. The defaults are what cross-validation chose; the extraction
    benchmark passes the alternatives to measure them."""

    focus: Literal["precision", "balanced", "recall"] = "precision"
    fast_first: bool = True  # trafilatura's fallback extractors only when the fast pass is short
    cues: bool = True  # drop boilerplate cue lines


TEXT_RULES = TextRules()


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

# Whole lines that are site furniture in English, Spanish or French: cues, not site rules.
# Each group is one kind of furniture said in the three languages.
_CUE_LINE = re.compile(
    r"""^(?:
        # a comment section's heading or prompt
        (?:\d+\s+)?(?:comments?|comentarios?|commentaires?)(?:\s*\(\d+\))?
        |(?:leave|post|add)\s+a\s+(?:reply|comment)|join\s+the\s+(?:discussion|conversation)
        |deja\s+(?:un|tu)\s+comentario|escribe\s+un\s+comentario
        |laisse[rz]\s+un\s+commentaire|r[ée]agi(?:r|ssez)
        # headings of related, recommended and most-read lists
        |related(?:\s+(?:stories|articles|posts|coverage|content|news|reading))?
        |you\s+(?:may|might)\s+also\s+like|more\s+stories|recommended(?:\s+for\s+you)?
        |most\s+(?:read|popular|viewed|shared)|trending(?:\s+now)?|(?:what\s+to\s+)?read\s+next
        |noticias\s+relacionadas|art[íi]culos\s+relacionados|(?:tambi[ée]n\s+)?te\s+puede\s+interesar
        |lo\s+m[áa]s\s+le[íi]do|m[áa]s\s+le[íi]d[oa]s
        |(?:[àa]\s+)?lire\s+aussi|sur\s+le\s+m[êe]me\s+sujet|les\s+plus\s+lus
        |articles\s+similaires|vous\s+aimerez\s+aussi
        # a link to another story, introduced as such
        |(?:related|read\s+(?:more|also)|see\s+also|more|tambi[ée]n\s+lee|lee\s+tambi[ée]n
           |(?:[àa]\s+)?lire\s+aussi)\s*:.*
        # newsletter pitches
        |.*\b(?:sign\s+up|subscribe)\b.{0,80}\bnewsletters?\b.*
        |.*\bsuscr[íi]bete\b.*|.*\babonnez-vous\b.*
        # share bars and advertising labels
        |share\s+(?:this|on|via)\b.{0,60}|compartir(?:\s+en\s+\w+)?|partager(?:\s+sur\s+\w+)?
        |(?:share|tweet|email|print)(?:\s*[|/·]\s*\w+)+
        |advertisement|publicidad|publicit[ée]|sponsored(?:\s+content)?
        |contenido\s+patrocinado|contenu\s+sponsoris[ée]
        # copyright and credit lines
        |.*\ball\s+rights\s+reserved\b.*|.*\btodos\s+los\s+derechos\s+reservados\b.*
        |.*\btous\s+droits\s+r[ée]serv[ée]s\b.*|(?:copyright|©)\s.{0,120}
        |(?:photo|image|foto|cr[ée]dit\s+photo)\s*:.{0,100}|\(?(?:photo|foto)\s+(?:by|de|par)\s.{0,100}
        # cookie banners
        |.*\bcookies?\b.{0,80}\b(?:accept|consent|policy|settings)\b.{0,80}
    )[\s:.!]*$""",
    re.IGNORECASE | re.VERBOSE,
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
_TZ_NAMES = {
    name: offset * 3600
    for name, offset in {
        "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    }.items()
}  # fmt: skip
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "was", "said"},
    "es": {"el", "la", "de", "que", "y", "en", "los", "las", "del", "por", "con", "una", "para"},
    "fr": {"le", "la", "les", "de", "des", "et", "est", "une", "dans", "que", "pour", "du", "sur"},
}


def page_extract(*, html: bytes | str, url: str = "", rules: TextRules = TEXT_RULES) -> Extracted:
    """Main text and metadata of an article page; never raises on bad HTML."""
    try:
        source = decode_file(html) if isinstance(html, bytes) else html
    except (UnicodeError, LookupError, ValueError):
        source = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else ""
    source = source.lstrip("\ufeff")
    if not source.strip():
        return Extracted()
    try:
        tree = load_html(source)
    except (ParserError, ValueError):
        tree = None
    if tree is None:
        return Extracted()
    if _tree_bound(tree, MAX_ELEMENTS):
        logger.info("%s has more than %s elements; read up to there", url or "a page", MAX_ELEMENTS)
    meta = _metadata(tree, url=url)
    main_text = _main_text(tree, url=url, rules=rules)
    text, credited = _text_clean(main_text, cues=rules.cues)

    fallback: Any = None
    missing = {k for k in ("title", "site_name", "published", "authors") if not meta.get(k)}
    if missing:
        fallback = _trafilatura_metadata(tree, url=url, missing=missing)
    title = meta.get("title") or (getattr(fallback, "title", "") or "")
    site_name = meta.get("site_name") or (getattr(fallback, "sitename", "") or "")
    canonical = meta.get("canonical_url") or ""
    published = meta.get("published") or _date_parse(getattr(fallback, "date", "") or "")
    byline_names = meta.get("authors") or byline_split(getattr(fallback, "author", "") or "")
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


def _tree_bound(tree: Any, limit: int) -> bool:
    """Cut the tree after its first `limit` elements in document order; True if it was cut."""
    element = next(itertools.islice(tree.iter(), limit, None), None)
    if element is None:
        return False
    node = element
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)
    return True


def _main_text(tree: Any, *, url: str, rules: TextRules) -> str:
    text = _trafilatura_text(tree, url=url, focus=rules.focus, fast=rules.fast_first)
    if rules.fast_first and len(text) < MIN_EXTRACTED_SIZE:
        text = _trafilatura_text(tree, url=url, focus=rules.focus, fast=False)
    return text


def _trafilatura_text(tree: Any, *, url: str, focus: str, fast: bool) -> str:
    try:
        # trafilatura works on its own copy of the tree
        doc = trafilatura.bare_extraction(
            tree, url=url or None, fast=fast, favor_precision=focus == "precision",
            favor_recall=focus == "recall", include_comments=False,
        )  # fmt: skip
    except Exception:  # a hostile page must not stop the pipeline
        logger.warning("trafilatura failed on %s", url or "a page", exc_info=True)
        return ""
    return (getattr(doc, "text", "") or "") if doc is not None else ""


def _trafilatura_metadata(tree: Any, *, url: str, missing: set[str]) -> Any:
    """trafilatura's metadata, for the fields the page's own tags leave empty.

    The steps of trafilatura's extract_metadata for those fields only, in its order: its
    categories, tags and licence, and its date search when the page gave a date, cost a page
    with many links tens of milliseconds, for fields we do not read.
    """
    try:
        found = examine_meta(tree)
        if found.author and " " not in found.author:
            found.author = None
        with contextlib.suppress(Exception):  # as trafilatura: JSON-LD is a bonus
            found = extract_meta_json(tree, found)
        if "title" in missing and not found.title:
            found.title = extract_title(tree)
        if "authors" in missing and not found.author:
            found.author = extract_author(tree)
        if missing & {"published", "site_name"} and not found.url:
            found.url = extract_url(tree, url or None)
        if "published" in missing:
            # htmldate's extensive search hands odd strings to dateparser, which can take
            # seconds loading every locale; the page's own metadata is read first anyway.
            found.date = find_date(tree, **{**set_date_params(extensive=False), "url": found.url})
        if "site_name" in missing:
            if not found.sitename:
                found.sitename = extract_sitename(tree)
            if found.sitename:
                found.sitename = found.sitename.lstrip("@")
                if "." not in found.sitename and not found.sitename[:1].isupper():
                    found.sitename = found.sitename.title()
            elif found.url and (match := META_URL.match(found.url)):
                found.sitename = match[1]
        found.clean_and_trim()
        return found
    except Exception:  # metadata is a bonus; the text stands without it
        logger.warning("trafilatura metadata failed on %s", url or "a page", exc_info=True)
        return None


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _text_clean(text: str, *, cues: bool = True) -> tuple[str, list[str]]:
    """Cue lines removed; also returns outlets credited on "Source: X" lines (removed too)."""
    kept: list[str] = []
    credited: list[str] = []
    for line in text.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        bare = line.strip(" -\u2013—•*|:")
        if len(bare) <= MAX_CUE_LINE:
            source = _SOURCE_LINE.match(bare)
            if source:
                credited.append(source.group("name").strip())
                continue
            if cues and _CUE_LINE.match(bare):
                continue
        kept.append(line)
    return "\n".join(kept), credited


# --- metadata -----------------------------------------------------------------------------


def _meta_tags(tree: Any) -> dict[str, str]:
    """<meta> contents by lower-case property, name or itemprop; the first of each wins."""
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = element.get("content")
        if key and content and key.lower() not in tags:
            tags[key.lower()] = content.strip()
    return tags


def _canonical_link(tree: Any) -> str:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link.get("href")).strip()
    return ""


def _published(tree: Any, tags: dict[str, str], ld: dict[str, Any]) -> datetime | None:
    """The first readable publication date: JSON-LD, then meta tags, then <time>."""
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
        if published := _date_parse(candidate):
            return published
    for element in tree.iter("time"):
        if published := _date_parse(element.get("datetime") or ""):
            return published
    return None


def _page_language(tree: Any, tags: dict[str, str], ld: dict[str, Any]) -> str:
    root = tree if tree.tag == "html" else tree.getroottree().getroot()
    language = _language_code(
        root.get("lang", "")
        or root.get("{http://www.w3.org/XML/1998/namespace}lang", "")
        or tags.get("content-language", "")
        or tags.get("og:locale", "")
        or tags.get("language", "")
        or _ld_str(ld.get("inLanguage"))
    )
    for element in tree.iter("meta"):
        if (element.get("http-equiv") or "").lower() == "content-language" and not language:
            language = _language_code(element.get("content") or "")
    return language


def _metadata(tree: Any, *, url: str) -> dict[str, Any]:
    tags = _meta_tags(tree)
    ld = _json_ld_article(tree)
    meta: dict[str, Any] = {}
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
    canonical = _canonical_link(tree) or tags.get("og:url", "")
    meta["canonical_url"] = _absolute_http(canonical, base=url)
    if published := _published(tree, tags, ld):
        meta["published"] = published
    people, orgs = _ld_authors(ld.get("author"))
    if not people and not orgs:
        people = byline_split(tags.get("author", "") or tags.get("article:author", ""))
        people = [p for p in people if not p.lower().startswith(("http://", "https://"))]
    meta["authors"] = people
    meta["org_authors"] = orgs
    meta["language"] = _page_language(tree, tags, ld)
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
