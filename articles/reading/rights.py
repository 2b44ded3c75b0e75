"""What the public may read of an article, for the publishers' rights.

Anyone may see an article's title, outlet, date, the evidence sentence of each tag, a link to
its canonical address and an excerpt of its opening; the full extracted text is for signed-in
staff. Pages and CSV exports follow the same rule, and quote the same excerpt, written here.
"""

import html
import re

from django.utils.html import strip_tags

EXCERPT_CHARS = 300
# Enough of the text to cut an excerpt from without reading all of it (the CSV export reads
# only this much): whitespace runs shrink to one space before the cut, and an opening needs
# more than EXCERPT_CHARS of blank space to come out short.
EXCERPT_SOURCE_CHARS = 2 * EXCERPT_CHARS + 1
# Where a block of the summary's HTML ends, its words part.
_BLOCK_END = re.compile(r"<(?:br|/p|/div|/li|/h[1-6]|/blockquote|/tr|/td)\b[^>]*>", re.I)


def article_excerpt(*, body: str, summary: str = "", limit: int = EXCERPT_CHARS) -> str:
    """About the first `limit` characters of the text (or the feed's HTML summary), cut at a
    word, ending with … when cut: what the public may quote of a publisher's article."""
    # The summary is stored as sanitised HTML: its text is the tags' text, unescaped once.
    text = body or html.unescape(strip_tags(_BLOCK_END.sub(" ", summary or "")))
    # str.split() splits on the same whitespace as \s and drops it at both ends: three times
    # quicker than a regular expression, and the CSV export cuts one excerpt per row.
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"
