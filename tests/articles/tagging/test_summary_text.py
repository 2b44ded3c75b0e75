"""The tagger reads a feed summary without its tags: a fast path for simple tags, and
strip_tags for the rest, which must agree on every summary."""

from django.utils.html import strip_tags
from hypothesis import given
from hypothesis import strategies as st

from articles.tagging.tagger import summary_text

PIECES = st.sampled_from(
    ["<p>", "</p>", "<br>", "<b>", "</b>", "<em>", "</a>", "<a href='x'>", "<p class=x>",
     "<script>", "</script>", "<STYLE>", "<scripts>", "<!-- c -->", "<", ">", "&", "&amp;",
     "&amp", "&#233;", "& ",
     "</", "<3", "a", "Mexico", " ", "\n", "\r", "é", "\x00", "'", '"', "/", "h1", "<h1>"]
)  # fmt: skip


@given(st.lists(PIECES, max_size=12).map("".join))
def test_it_reads_a_summary_as_strip_tags_does(summary: str) -> None:
    assert summary_text(summary) == strip_tags(summary)


def test_it_reads_a_paragraph_of_words() -> None:
    summary = "<p>Mexican and US officials met in Mexico City.</p>"
    assert summary_text(summary) == "Mexican and US officials met in Mexico City."
