"""One text being tagged: its folded copy, sentences, the names found in it, and the results.

Every step of the tagger reads and adds to one `Passage`; positions are offsets into the
text, which folding keeps (see kb.fold).
"""

# Look-alike letters and dashes are the point here; word lists read best as text.
# ruff: noqa: RUF001, SIM905

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import NamedTuple

from articles.tagging.kb import BLOCK, Key, Keys, KnowledgeBase, fold
from articles.tagging.language import text_language

# --- sentences -------------------------------------------------------------------------------

_ABBREVIATIONS = set(
    """
mr mrs ms dr sen rep gov st jr sr sra srta lic gen col lt sgt prof no vs etc dept
jan feb mar apr jun jul aug sep sept oct nov dec ene abr ago dic janv fevr avr juil sept déc
u.s ee.uu d.c u.k u.n m mme mlle
""".split()
)


def _any_case(word: str) -> str:
    """A pattern for a word in any case, as str.lower() reads it (the Kelvin sign is a k)."""
    return "".join(
        r"\." if ch == "." else f"[{ch}{ch.upper()}{_KELVIN if ch == 'k' else ''}]" for ch in word
    )


_KELVIN = "\u212a"


# A stop needs closing quotes or brackets and a space before a capital or a digit.
_STOP_TAIL = r"[\"'”’)\]]*\s+(?=[\"'“‘(¿¡]?[A-Z0-9À-ÞА-ЯΑ-Ω])"
# A full stop after an abbreviation or a single letter ('Mr.', 'U.S.', 'J.'): after a run of
# letters, digits and dots that is one of those, or that is one and ends the line before. Tried
# first, so that the stop, its quotes and its space are passed over as one, as a boundary is.
_NOT_A_STOP = "|".join(
    rf"(?<=(?<![\w.]){words}{newline}\.)"
    for words in [
        r"[\w.]",
        *(
            f"(?:{'|'.join(_any_case(w) for w in sorted(_ABBREVIATIONS) if len(w) == n)})"
            for n in sorted({len(w) for w in _ABBREVIATIONS} - {1})
        ),
    ]
    for newline in ("", "\n")
)
# A newline, or a stop that is no abbreviation's; the group `end` marks a boundary. Written to
# begin with one character class, which lets the regex engine skip to the next stop or newline
# at C speed.
_BOUNDARY = re.compile(
    rf"[.!?\n](?:(?:{_NOT_A_STOP}){_STOP_TAIL}|(?P<end>(?<=\n)|(?<=[.!?]){_STOP_TAIL}))"
)


def _sentence_starts(text: str) -> list[int]:
    return [0, *[m.end() for m in _BOUNDARY.finditer(text) if m.lastgroup]]


class Sentences:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = _sentence_starts(text)
        self._said: dict[int, str] = {}  # sentence() by start: several tags share a sentence

    def index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def span(self, pos: int) -> tuple[int, int]:
        i = self.index(pos)
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end

    def sentence(self, pos: int) -> str:
        start, end = self.span(pos)
        said = self._said.get(start)
        if said is None:
            said = self._said[start] = " ".join(self.text[start:end].split())[:1000]
        return said


# --- bylines ---------------------------------------------------------------------------------

CAP = r"[A-ZÀ-ÞА-ЯΑ-Ω][\w'’.\-]*"
_BYLINE = re.compile(
    rf"(?m)^[ \t]*(?:[Bb]y|BY|[Pp]or|POR|[Pp]ar|PAR|[Tt]exte de|[Ee]scrito por|[Ww]ritten by)"
    rf"[ \t]+{CAP}"
    rf"(?:[ \t]*(?:,|and|y|et|&)?[ \t]*{CAP}){{0,7}}"
    rf"(?:[ \t]*[|/–—•·,][ \t]*(?:{CAP}[ \t]*){{1,5}})?[ \t]*$"
)
_CREDIT = re.compile(
    r"(?im)\([^()\n]{0,60}?\b(?:reporting|editing|writing|reportage|redacci[oó]n|edici[oó]n)\b"
    r"[^()\n]*\)|^[ \t]*(?:additional )?(?:reporting|editing|writing) by\b.*$"
)
# What a byline starts with, after a newline: a cheap test before the full pattern, which the
# regex engine must try at every position of the text.
_BYLINE_START = re.compile(
    r"\n[ \t]*(?:[Bb]y|BY|[Pp]or|POR|[Pp]ar|PAR|[Tt]exte de|[Ee]scrito por|[Ww]ritten by)[ \t]"
)


_CREDIT_WORDS = ("reporting", "editing", "writing", "reportage", "redacci", "edici")
# Parts of those words: four substring tests instead of six before the exact ones.
_CREDIT_HINTS = ("iting", "report", "redacci", "edici")
# Letters that a case-blind pattern reads as 'i' but folding keeps as they are.
_DOTTED_I = ("\u0130", "\u0131")


def _line_matches(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> list[tuple[int, int]]:
    """The matches of a pattern that never crosses a line, in the lines that begin at
    `starts`: the same as in the whole text when those lines hold every match."""
    ranges = []
    for start in sorted(set(starts)):
        end = text.find("\n", start)
        ranges += [m.span() for m in pattern.finditer(text, start, len(text) if end < 0 else end)]
    return ranges


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _excluded_ranges(text: str, folded: str, authors: Sequence[str]) -> list[tuple[int, int]]:
    ranges = []
    if _BYLINE_START.search(text) or _BYLINE_START.match("\n" + text.lstrip(" \t")[:20]):
        ranges += [(m.start(), m.end()) for m in _BYLINE.finditer(text)]
    # A credit lies in one line, with a credit word: only those lines are read (substring
    # tests first, which cost far less than the pattern over the whole text).
    if any(hint in folded for hint in _CREDIT_HINTS):
        lines = [
            _line_start(text, m.start())
            for word in _CREDIT_WORDS
            if word in folded
            for m in re.finditer(word, folded)
        ]
        if lines and any(i in text for i in _DOTTED_I):
            ranges += [m.span() for m in _CREDIT.finditer(text)]
        elif lines:
            ranges += _line_matches(_CREDIT, text, lines)
    for author in authors:
        needle = fold(author).strip()
        if len(needle) < 4:
            continue
        pos = folded.find(needle)
        while pos >= 0:
            ranges.append((pos, pos + len(needle)))
            pos = folded.find(needle, pos + 1)
    return ranges


class Mask:
    """Character positions already claimed, so overlap checks stay linear on long texts."""

    def __init__(self, size: int, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self.bits = bytearray(size + 1)
        for start, end in ranges:
            self.mark(start, end)

    def mark(self, start: int, end: int) -> None:
        self.bits[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self.bits.find(1, start, end) != -1

    def covers(self, start: int, end: int) -> bool:
        return end > start and self.bits.find(0, start, end) == -1


_TOKEN = re.compile(r"[\w.']+")


def tokens_before(folded: str, pos: int, n: int, floor: int = 0) -> list[str]:
    """The last `n` words before `pos` (within 48 characters, not before `floor`)."""
    window = folded[max(floor, pos - 48) : pos]
    return [t.strip(".'") for t in _TOKEN.findall(window)][-n:]


def case_matches(text: str, start: int, case: tuple[tuple[int, int], ...]) -> bool:
    """Whether the all-capitals pieces of a name (kb.case_mask) are capitals in the text."""
    return all(text[start + a : start + b].isupper() for a, b in case)


_WORD_BEFORE_SPAN = re.compile(r"(\w+)\W{1,3}$")
_WORD_AFTER_SPAN = re.compile(r"\W{1,3}(\w+)")


def _shouted(doc: str, start: int, end: int) -> bool:
    """Whether a word beside the span is in capitals too: a headline in capitals, where an
    acronym cannot be told from a common word."""
    before = _WORD_BEFORE_SPAN.search(doc, max(0, start - 30), start)
    after = _WORD_AFTER_SPAN.match(doc, end)
    return any(
        m is not None and len(m.group(1)) > 1 and m.group(1).isupper() for m in (before, after)
    )


def _acronym_fits(doc: str, start: int, end: int, key: Key, language: Callable[[], str]) -> bool:
    """An all-capitals name ('MPP', 'U.S.') must be in capitals in the text; one that is also
    a common word of the text's language ('DANS' in French) must stand amid ordinary case."""
    if not case_matches(doc, start, key.case):
        return False
    # The capitals around it first: the language is guessed only when they are shouted.
    if key.common_in and _shouted(doc, start, end):
        return not (language() in key.common_in or not language())
    return True


# --- the passage -----------------------------------------------------------------------------


class Match(NamedTuple):
    """A name found in the text, with one thing it may stand for."""

    start: int
    end: int
    key: Key


class Place(NamedTuple):
    """A country named in the text (also inside bylines: it still gives a role its country)."""

    start: int
    end: int
    country: int


class PlaceIndex(NamedTuple):
    by_start: dict[int, Place]
    by_end: dict[int, Place]
    starts: list[int]


class Result(NamedTuple):
    confidence: float
    method: str
    at: int  # where the evidence sentence is


@dataclass
class Passage:
    kb: KnowledgeBase
    doc: str  # title and text, NFC-normalised
    folded: str
    on: date
    sentences: Sentences
    excluded: Mask  # bylines, credits and authors' names
    blocks: Mask  # region phrases ('North American') that hide a demonym
    by_kind: dict[str, list[Match]]
    official_spans: Mask  # where an official's name was read: no fuzzy match there
    results: dict[tuple[str, int], Result] = field(default_factory=dict)
    places: list[Place] = field(default_factory=list)
    # Every place an entity was found, not only where its best evidence is.
    mentions: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    @classmethod
    def read(
        cls,
        kb: KnowledgeBase,
        *,
        text: str,
        title: str,
        on: date,
        authors: Sequence[str],
        language: str = "",
    ) -> Passage:
        """Fold the text and find every known name in it, word-bounded."""
        doc = unicodedata.normalize("NFC", f"{title}\n\n{text}" if title else text)
        folded = fold(doc)
        n = len(folded)
        by_kind: defaultdict[str, list[Match]] = defaultdict(list)
        guessed: list[str] = []  # the language, guessed only when an acronym needs it

        def text_lang() -> str:
            if not guessed:
                guessed.append(text_language(folded, declared=language))
            return guessed[0]

        new = tuple.__new__  # Match(...) without a Python call: thousands a text
        keys: Keys
        for end, (klen, keys, prefixes, checked) in kb.automaton.iter(folded):
            start = end - klen + 1
            if start and folded[start - 1].isalnum():
                continue
            stop = end + 1
            if stop < n and folded[stop].isalnum():
                if not prefixes:
                    continue
                keys = prefixes
            if checked:
                fit = [k for k in keys if _acronym_fits(doc, start, stop, k, text_lang)]
                if not fit:
                    continue
                if len(fit) < len(keys):
                    keys = Keys.of(fit)
            for kind, key in keys.filing:
                by_kind[kind].append(new(Match, (start, stop, key)))
        return cls(
            kb=kb,
            doc=doc,
            folded=folded,
            on=on,
            sentences=Sentences(doc),
            excluded=Mask(n, _excluded_ranges(doc, folded, authors)),
            blocks=Mask(n, [(m.start, m.end) for m in by_kind.get(BLOCK, ())]),
            by_kind=dict(by_kind),
            official_spans=Mask(n),
        )

    def record(self, *, kind: str, entity: int, confidence: float, method: str, at: int) -> None:
        """Keep the most confident way an entity was found."""
        key = (kind, entity)
        places = self.mentions.get(key)
        if places is None:
            self.mentions[key] = [at]
        else:
            places.append(at)
        current = self.results.get(key)
        if current is None or confidence > current.confidence:
            self.results[key] = Result(confidence, method, at)

    def longest(self, kinds: Iterable[str]) -> list[Match]:
        """Longest match wins within the kinds: 'Marc Miller' over 'Miller'.

        Every key of a winning span is kept (one name may stand for several entities).
        """
        found = [m for kind in kinds for m in self.by_kind.get(kind, ())]
        if len(found) < 2:
            return found  # most texts name no policy or meeting, many only one
        candidates = sorted(found, key=lambda m: (m.start - m.end, m.start))
        chosen: list[Match] = []
        taken = bytearray(len(self.folded) + 1)  # a Mask's bits, without its calls
        exact: set[tuple[int, int]] = set()
        for m in candidates:
            start, end, _key = m
            if (start, end) not in exact:
                if taken.find(1, start, end) != -1:
                    continue
                taken[start:end] = b"\x01" * (end - start)
                exact.add((start, end))
            chosen.append(m)
        chosen.sort(key=lambda m: m.start)
        return chosen

    @cached_property
    def place_index(self) -> PlaceIndex:
        """The countries by where they start and end; read once countries() has run."""
        return PlaceIndex(
            {pl.start: pl for pl in self.places},
            {pl.end: pl for pl in self.places},
            [pl.start for pl in self.places],
        )

    def found(self, kind: str) -> set[int]:
        return {entity for (k, entity) in self.results if k == kind}
