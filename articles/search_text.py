"""The folded text that search reads: one definition, used on every database.

An article's title, summary (its HTML tags dropped) and body become lower-case ASCII words
(Unidecode folds accents and other scripts) separated by single spaces, with a space at each
end. A search term folded the same way, with a space at each end, is then found by a plain
substring match — whole words and phrases alike — on PostgreSQL and SQLite identically.
"""

import html
import re

from unidecode import unidecode

# The old full-text vector indexed this much of a body; most bodies are 2 to 10 kB.
BODY_LIMIT = 100_000
_TAG = re.compile(r"<[^>]*>")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words joined by single spaces ('López-Obrador' → 'lopez obrador')."""
    ascii_text = _NOT_ASCII.sub(lambda m: unidecode(m.group()), text)
    return " ".join(_WORD.findall(ascii_text.lower()))


def search_text(*, title: str, summary: str, body: str) -> str:
    """What an article is searched by: its folded words, padded with a space at both ends."""
    summary_text = html.unescape(_TAG.sub(" ", summary or ""))
    words = fold(" ".join((title or "", summary_text, (body or "")[:BODY_LIMIT])))
    return f" {words} " if words else ""
