"""Properties of the tagger on text made up by Hypothesis from names, look-alike letters,
capitals and punctuation: it never fails, its evidence is the text's own sentence, and an
acronym never matches a text in lower case."""

# Look-alike letters are the point here.
# ruff: noqa: RUF001

import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.tagging.tagger import knowledge_base_reset, text_tag

FRAGMENTS = [
    "MPP", "DANS", "dans", "US", "us", "TPS", "CBPOne", "CBP One", "Salvador", "El Salvador",
    "Cienfuegos", "Durazo", "Soledad", "Trump", "President-elect", "the former", "acting",
    "vice president of the United States", "son homologue canadien", "su homólogo", "visa",
    "mexicanos", "Mexicains", "Canadá", "Ottawa", "G7", "next year's", "last year",
    "North American Leaders Summit", "North American Leaders' Summit", "Three Amigos",
    "reunión virtual", "National Guard", "deploy", "tariff pause", "ambassador to",
    "Mexican", "New Mexico", "Sheinbаum", "López Obrador", "Lopez-Obrador", "Title 42",
    "in April", "Dec. 27", "By Ana Durazo", "\n", ". ", ", ", "’s", "—", "\u0301", "LE CANADA",
]  # fmt: skip
WORDS = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéñçаеоΑ'’.-"),
    min_size=1,
    max_size=12,
)
TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), WORDS), min_size=1, max_size=40).map(
    " ".join
)
DATES = st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 12, 31))
LANGUAGES = st.sampled_from(["", "en", "es", "fr", "de"])


@pytest.fixture
def curated(reference: None) -> None:
    """Loaded once per test: Hypothesis runs every example inside it."""
    knowledge_base_reset()
    yield
    knowledge_base_reset()


FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(text=TEXTS, title=TEXTS, on=DATES, language=LANGUAGES)
def test_it_never_fails_and_quotes_its_own_text(curated, text, title, on, language) -> None:
    found = text_tag(text=text, title=title, on=on, language=language)
    doc = " ".join(unicodedata.normalize("NFC", f"{title}\n\n{text}").split())
    assert len({(f.kind, f.entity_id) for f in found}) == len(found)
    for f in found:
        assert 0.5 <= f.confidence <= 1.0
        assert f.evidence and f.evidence in doc
    assert found == text_tag(text=text, title=title, on=on, language=language)


@FUZZ
@given(text=TEXTS, on=DATES)
def test_no_acronym_matches_a_text_in_lower_case(curated, text, on) -> None:
    found = text_tag(text=text.lower(), on=on)
    assert not [f for f in found if f.method == "acronym"]
