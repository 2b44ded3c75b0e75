"""How the tagger reads a text: sentence boundaries, credit lines, and mangled names met again.

The boundary and credit patterns are written for speed; each is checked here against the
plain rule it stands for, on text made up by Hypothesis. Fuzzy name matches are kept per
capitalised run across texts; what depends on where a run stands is read in each text.
"""

# Look-alike letters are the point here.
# ruff: noqa: RUF001

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.tagging.kb import fold
from articles.tagging.passage import _ABBREVIATIONS, _excluded_ranges, _sentence_starts
from articles.tagging.tagger import knowledge_base_reset, text_tag
from summits.services import reference_load

GOLD_KB = Path(__file__).parent / "gold" / "kb"

_STOP = re.compile(r"[.!?\n](?:(?<=\n)|(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(¿¡]?[A-Z0-9À-ÞА-ЯΑ-Ω]))")
_WORD_BEFORE = re.compile(r"[\w.]{1,12}$")


def plain_sentence_starts(text: str) -> list[int]:
    """The rule: a newline, or a stop before a capital, unless the letters, digits and dots
    before the full stop (at most 12) are one character or an abbreviation."""
    starts = [0]
    for m in _STOP.finditer(text):
        dot = m.start()
        if text[dot] == ".":
            word = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
            if word and (len(word.group()) == 1 or word.group().lower() in _ABBREVIATIONS):
                continue
        starts.append(m.end())
    return starts


SENTENCE_PIECES = [
    *sorted(_ABBREVIATIONS), "MR", "Mr", "U.K", "u.\u212a", "DÉC", "J", "x", "Smith", "2021",
    ".", ". ", ".\n", "\n", "\n\n", "! ", "? ", " ", "\t", "”", "’ ", ") ", "\"", "(", "¿", "Él",
    "Москва", "Obrador",
]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=25).map("".join))
def test_sentence_boundaries_are_those_of_the_plain_rule(text: str) -> None:
    assert _sentence_starts(text) == plain_sentence_starts(text)


def test_a_stop_after_a_single_letter_ending_the_line_before_is_no_boundary() -> None:
    # The rule reads the letters before the line's end as the word before the stop.
    text = "It was J\n. Then it rained."
    assert _sentence_starts(text) == plain_sentence_starts(text) == [0, 9]


_CREDIT = re.compile(
    r"(?im)\([^()\n]{0,60}?\b(?:reporting|editing|writing|reportage|redacci[oó]n|edici[oó]n)\b"
    r"[^()\n]*\)|^[ \t]*(?:additional )?(?:reporting|editing|writing) by\b.*$"
)


def whole_text_credits(text: str) -> list[tuple[int, int]]:
    folded = fold(text)
    if not any(
        w in folded for w in ("reporting", "editing", "writing", "reportage", "redacci", "edici")
    ):
        return []
    return [m.span() for m in _CREDIT.finditer(text)]


CREDIT_PIECES = [
    "(Reporting by Dave Graham; Editing by Sandra Maler)", "Reporting by ", "Editing by ",
    "Additional reporting by ", "(Redacción: ", "edición", "writing", "rewriting", "report",
    "EDİTİNG", "wrıting", "(", ")", "\n", "\n\n", "\r\n", " ", "; ", "Ana Durazo", "Reuters",
]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(CREDIT_PIECES), max_size=15).map("".join))
def test_credits_are_those_a_search_of_the_whole_text_finds(text: str) -> None:
    assert set(_excluded_ranges(text, fold(text), ())) == set(whole_text_credits(text))


@pytest.fixture
def kb(db: None) -> None:
    reference_load(directory=GOLD_KB)
    knowledge_base_reset()
    yield
    knowledge_base_reset()


def officials(text: str) -> set[str]:
    return {f.name for f in text_tag(text=text, on=date(2023, 5, 10)) if f.kind == "official"}


def test_a_mangled_name_first_met_in_a_credit_is_still_read_in_the_next_text(kb: None) -> None:
    credited = "Talks went on. (Reporting by Alexandro Mallorkas)"
    assert "Alejandro Mayorkas" not in officials(credited)
    assert "Alejandro Mayorkas" in officials("Alexandro Mallorkas met Mexican officials.")


def test_a_mangled_surname_is_read_again_in_each_sentence_it_stands_in(kb: None) -> None:
    # A surname alone needs a title, or the official's country in its sentence: that is
    # read in every text, though the surname's match is kept from the first.
    assert "Alejandro Mayorkas" not in officials("On Tuesday, Mallorkas spoke at length.")
    assert "Alejandro Mayorkas" in officials("The security chief Mallorkas spoke on Tuesday.")
    assert "Alejandro Mayorkas" not in officials("On Tuesday, Mallorkas spoke at length.")
