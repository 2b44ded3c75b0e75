"""What makes a source citable: a link to the document itself, not to a site or a section."""

import re
from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ValidationError

# Path prefixes that only pick a language or an edition.
_LANGUAGE = re.compile(r"^(?:[a-z]{2}(?:[-_][a-z]{2})?|english|espanol|francais)$", re.IGNORECASE)
_PAGE_EXTENSION = re.compile(r"\.(?:html?|php|aspx?|shtml)$", re.IGNORECASE)
_DOCUMENT_EXTENSION = re.compile(r"\.(?:pdf|txt|docx?)$", re.IGNORECASE)
_ITEM_ID = re.compile(r"\d{3,}")
_WORDS = re.compile(r"[-_+]|%20")
# A slug of four or more words names one page; "briefing-room" or "news-releases" is a section.
MIN_SLUG_WORDS = 4

SECONDARY_HOSTS = ("wikipedia.org",)


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s and not _LANGUAGE.match(s)]


def _names_one_item(query: str) -> bool:
    """A query that picks one numbered item: WordPress's ?p=576005, notas.asp?id=594897."""
    return any(_ITEM_ID.fullmatch(value) for _, value in parse_qsl(query))


def is_deep_link(url: str) -> bool:
    """Whether a URL names one document (a readout, a notice, an article), not a home page."""
    if _names_one_item(urlsplit(url).query):
        return True
    segments = _segments(url)
    if not segments:
        return False
    if is_secondary_url(url):
        return len(segments) >= 2  # /wiki/Article_title
    last = segments[-1]
    if _DOCUMENT_EXTENSION.search(last):
        return True
    if _PAGE_EXTENSION.search(last) and urlsplit(url).query:
        return True  # a script that picks one document: nota_detalle.php?codigo=…
    last = _PAGE_EXTENSION.sub("", last)
    # A dated path or a numbered document, or a slug long enough to name one page.
    return any(ch.isdigit() for s in segments for ch in s) or (
        len([w for w in _WORDS.split(last) if w]) >= MIN_SLUG_WORDS
    )


def is_secondary_url(url: str) -> bool:
    """An encyclopedia page: useful for orientation, never a record's only source."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in SECONDARY_HOSTS)


def validate_deep_link(url: str) -> None:
    if not is_deep_link(url):
        raise ValidationError(
            "%(url)s is a home or section page, not a document: link the page itself "
            "(the readout, statement, notice or article).",
            params={"url": url},
            code="bare_page",
        )
