"""Bylines into people's names: each form the feeds and pages use, and generated ones."""

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.ingestion.bylines import _ORG_WORDS, byline_parse
from articles.ingestion.extraction import page_extract
from articles.ingestion.parsing import feed_parse
from articles.models import Article
from tests.articles.ingestion.feeds import HTML, RSS


@pytest.mark.parametrize(
    ("byline", "people", "organisations"),
    [
        ("news@borderwire.example (Priya Castellanos)", ["Priya Castellanos"], []),
        ("jdoe@example.com (John Doe)", ["John Doe"], []),
        ("Priya Castellanos (news@borderwire.example)", ["Priya Castellanos"], []),
        ("John Doe <jdoe@example.com>", ["John Doe"], []),
        ("news@borderwire.example", [], []),
        ("By Ana Pérez and Luis Gómez", ["Ana Pérez", "Luis Gómez"], []),
        (
            "by Alice Smith, Bob Jones and Carol White",
            ["Alice Smith", "Bob Jones", "Carol White"],
            [],
        ),
        ("Por Lucía Herrera y Tomás Garza", ["Lucía Herrera", "Tomás Garza"], []),
        ("Por: María de la Fuente e Inés Ortiz", ["María de la Fuente", "Inés Ortiz"], []),
        ("Par Élise Tremblay et Jean-François Roy", ["Élise Tremblay", "Jean-François Roy"], []),
        ("Texte : Élise Tremblay", ["Élise Tremblay"], []),
        ("BY DANA WHITFIELD", ["Dana Whitfield"], []),
        ("Dana Whitfield, Staff Writer", ["Dana Whitfield"], []),
        ("Luis Gómez - Corresponsal", ["Luis Gómez"], []),
        ("John E Smith", ["John E Smith"], []),
        ("Juan Pérez / EFE", ["Juan Pérez"], ["EFE"]),
        ("Ana Pérez | Agencia EFE", ["Ana Pérez"], ["Agencia EFE"]),
        ("By The Associated Press", [], ["The Associated Press"]),
        ("AP", [], ["AP"]),
        ("Reuters", [], ["Reuters"]),
        ("AFP", [], ["AFP"]),
        ("La Presse Canadienne", [], ["La Presse Canadienne"]),
        ("Dana Whitfield with files from Reuters", ["Dana Whitfield"], ["Reuters"]),
        ("Staff and agencies", [], []),
        ("Redacción", [], []),
        ("@jdoe", [], []),
        ("Border Wire staff", [], ["Border Wire staff"]),
        # A name that starts like a lead word is not cut after it (Hypothesis found it).
        ("By Texta Aaa", ["Texta Aaa"], []),
        ("Storyanne Lee and Wordsworth Diaz", ["Storyanne Lee", "Wordsworth Diaz"], []),
    ],
)
def test_each_byline_form_gives_the_people_credited(byline, people, organisations):
    parsed = byline_parse(byline, site_name="Border Wire")
    assert (parsed.people, parsed.organisations) == (people, organisations)


# Names as the press writes them: capitalised words with accents and hyphens, particles.
_letters = "abcdefghijklmnopqrstuvwxyzáéíóúñçèêëïôü"
# Words a byline reads as something other than a name ("Ltd", "Post", "Por") are not names.
_NOT_NAMES = {"by", "por", "par", "and", "text", "texto", "texte", "story", "words", "written",
              "reported", "reporting", "escrito", "auteur", "autor", "autora", "author",
              "reportage", "cronica", "crónica"}  # fmt: skip
_word = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("ABCDEFGHIJKLMNOPRSTUVWYZÁÉÍÓÚÑÇ"),
    st.text(alphabet=_letters, min_size=2, max_size=9),
).filter(lambda w: w.lower() not in _NOT_NAMES and not _ORG_WORDS.search(w))
_hyphenated = st.builds(lambda a, b: f"{a}-{b}", _word, _word)
_name = st.builds(
    lambda first, particle, last: " ".join(p for p in (first, particle, last) if p),
    st.one_of(_word, _hyphenated),
    st.sampled_from(["", "", "", "de", "de la", "van", "del"]),
    st.one_of(_word, _hyphenated),
)
_FORMS = {
    "en": ("By {}", " and ", ", "),
    "es": ("Por {}", " y ", ", "),
    "fr": ("Par {}", " et ", ", "),
    "plain": ("{}", " & ", "; "),
}


def _join(names: list[str], last: str, comma: str) -> str:
    return names[0] if len(names) == 1 else comma.join(names[:-1]) + last + names[-1]


@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(_name, min_size=1, max_size=4, unique=True), form=st.sampled_from(sorted(_FORMS))
)
def test_generated_lists_of_names_come_back_in_order(names, form):
    lead, last, comma = _FORMS[form]
    byline = lead.format(_join(names, last, comma))
    assert byline_parse(byline).people == names


@settings(max_examples=200, deadline=None)
@given(
    name=_name,
    user=st.from_regex(r"[a-z][a-z0-9.]{0,12}", fullmatch=True),
    domain=st.from_regex(r"[a-z]{2,12}\.[a-z]{2,10}", fullmatch=True),
    form=st.sampled_from(["{e} ({n})", "{n} <{e}>", "{n} ({e})", "mailto:{e} ({n})"]),
)
def test_generated_addresses_are_dropped_and_the_name_kept(name, user, domain, form):
    text = form.format(n=name, e=f"{user}@{domain}")
    assert byline_parse(text).people == [name]


@given(st.text(max_size=200))
def test_any_text_gives_names_without_addresses_or_brackets(text):
    parsed = byline_parse(text)
    for name in parsed.people:
        assert "@" not in name and "<" not in name and "(" not in name and name.strip() == name


def _rss_with_author(author: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Border Wire</title>'
        "<link>https://borderwire.example/</link><description>x</description>"
        f"<item><title>Visa talks</title><link>https://borderwire.example/a</link>"
        f"<author>{author}</author></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "author",
    [
        "news@borderwire.example (Priya Castellanos)",
        "priya@borderwire.com (Priya Castellanos)",
        "Priya Castellanos &lt;priya@borderwire.example&gt;",
        "By Priya Castellanos",
    ],
)
def test_a_feed_entrys_author_field_gives_the_name(author):
    parsed = feed_parse(body=_rss_with_author(author), url="https://borderwire.example/feed")
    assert parsed.entries[0].authors == ["Priya Castellanos"]


def test_an_atom_entry_with_two_authors_gives_both():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>C</title>
<id>urn:c</id><entry><title>T</title><id>urn:1</id><link href="https://cronica.example/1"/>
<author><name>Luc\xc3\xada Herrera</name><email>lh@cronica.example</email></author>
<author><name>Por Tom\xc3\xa1s Garza y Ana Ruiz</name></author></entry></feed>"""
    parsed = feed_parse(body=atom, url="https://cronica.example/feed")
    assert parsed.entries[0].authors == ["Lucía Herrera", "Tomás Garza", "Ana Ruiz"]


def _page(head: str, byline_html: str = "") -> bytes:
    text = "".join(
        f"<p>Paragraph {n} about the visa talks between Mexico and Canada in Ottawa.</p>"
        for n in range(8)
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Visa talks</title>'
        f"{head}</head><body><article><h1>Visa talks</h1>{byline_html}{text}</article>"
        "</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("head", "people"),
    [
        ('<meta name="author" content="Priya Castellanos">', ["Priya Castellanos"]),
        (
            '<meta name="author" content="By Dana Whitfield and Marcus Ybarra">',
            ["Dana Whitfield", "Marcus Ybarra"],
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Visa talks",'
            ' "author": [{"@type": "Person", "name": "Élise Tremblay"},'
            ' {"@type": "Organization", "name": "La Presse Canadienne"}]}</script>',
            ["Élise Tremblay"],
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Visa talks",'
            ' "author": {"@type": "Person", "name": "Por Lucía Herrera y Tomás Garza"}}</script>',
            ["Lucía Herrera", "Tomás Garza"],
        ),
    ],
)
def test_a_pages_meta_or_json_ld_author_gives_the_names(head, people):
    assert page_extract(html=_page(head), url="https://borderwire.example/a").authors == people


@pytest.mark.django_db
def test_the_pages_author_wins_over_the_feeds(http_server):
    page_url = http_server.add(
        "/story.html",
        body=_page('<meta name="author" content="Dana Whitfield">'),
        headers=HTML,
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Border Wire</title>'
        "<link>https://borderwire.example/</link><description>x</description>"
        f"<item><title>Visa talks</title><link>{page_url}</link><guid>s1</guid>"
        "<author>news@borderwire.example (Priya Castellanos)</author></item></channel></rss>"
    ).encode()
    feed_url = http_server.add("/feed.xml", body=feed, headers=RSS)
    call_command("add_feed", feed_url, stdout=StringIO())
    # The feed credits Priya Castellanos, the page Dana Whitfield.
    call_command("ingest", stdout=StringIO())
    assert Article.objects.get(url=page_url).authors == ["Dana Whitfield"]


@pytest.mark.django_db
def test_the_demo_articles_credit_their_reporters_by_name(reference, settings):
    settings.TRACKER_ALLOW_PRIVATE_NETWORKS = False  # the demo server alone is let through
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    call_command("load_demo", "--port", port, stdout=StringIO())
    authors = [
        name for names in Article.objects.values_list("authors", flat=True) for name in names
    ]
    assert len(authors) >= 13
    assert all(name.count(" ") >= 1 and not set(name) & set("()@<>") for name in authors), authors
    assert {"Priya Castellanos", "Élise Tremblay", "Lucía Herrera"} <= set(authors)
