"""What the public may read of an article, for the publishers' rights.

Anyone may see an article's title, outlet, date, the evidence sentence of each tag, a link to
its canonical address and an excerpt of its opening; the full extracted text is for signed-in
staff. Pages and CSV exports follow the same rule, written here once.
"""

from django.utils.html import strip_tags

EXCERPT_CHARS = 300


def article_excerpt(*, body: str, summary: str = "", limit: int = EXCERPT_CHARS) -> str:
    """The first ~`limit` characters of the text, cut between words, ending … when cut.

    `body` may be just its first `limit` + 1 characters (enough to know whether it was cut).
    Without extracted text, the feed's summary (HTML) stands in for it.
    """
    text = body if body.strip() else strip_tags(summary)
    if not text:
        return ""
    words = text[: limit + 1].split()
    cut = len(text) > limit
    if cut and len(words) > 1:
        words.pop()  # the last word may be cut in half
    return " ".join(words) + ("…" if cut else "")
