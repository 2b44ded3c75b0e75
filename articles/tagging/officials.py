"""Officials: by full name, by surname in context, by role alone, and by a mangled name.

A surname that is also a common word needs a first name, a title or the full name elsewhere;
a role without a name ("the Mexican foreign minister") is resolved through the role tenures
on the article's date; a mangled name is matched fuzzily only inside a capitalised span, and
with lower confidence.
"""

# ruff: noqa: RUF001, SIM905

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from articles.models import MentionKind
from articles.tagging.kb import (
    OFFICIAL_FULL,
    OFFICIAL_SHORT,
    ROLE_ANCHOR,
    STOPWORDS,
    TITLE_WORDS,
    Key,
    KnowledgeBase,
    compact,
    fold,
    phonetic,
    sound_prefix,
)
from articles.tagging.language import common_in
from articles.tagging.passage import CAP, Match, Passage, Place, tokens_before

# --- context words ---------------------------------------------------------------------------

_ROLE_HINTS = {
    "immigration": "immigration_minister",
    "inmigracion": "immigration_minister",
    "foreign": "foreign_minister",
    "state": "foreign_minister",
    "canciller": "foreign_minister",
    "exteriores": "foreign_minister",
    "etrangeres": "foreign_minister",
    "homeland": "security_minister",
    "safety": "public_safety_minister",
    "president": "head_of_government",
    "presidente": "head_of_government",
    "presidenta": "head_of_government",
    "prime": "head_of_government",
    "adviser": "adviser",
    "advisor": "adviser",
    "ambassador": "ambassador",
    "embajador": "ambassador",
    "ambassadeur": "ambassador",
}
_FIRM = re.compile(r"&\s?$")
_FIRM_AFTER = re.compile(r"\s?(?:&|LLP\b|Inc\b|Ltd\b|Corp\b|& Co\b)")
_FORMER = {
    "former",
    "ex",
    "then",
    "ancien",
    "ancienne",
    "late",
    "previous",
    "past",
    "outgoing",
    "exsecretario",
    "excanciller",
    "expresidente",
    "antiguo",
    "antigua",
}


def resolve_by_title(kb: KnowledgeBase, ids: set[int], before: list[str], on: date) -> int | None:
    """Of several officials a name may mean, the one whose title is before it, in office."""
    roles = {_ROLE_HINTS[t] for t in before if t in _ROLE_HINTS}
    for role in roles:
        holding = [i for i in ids if kb.in_office(official_id=i, on=on, role=role)]
        if len(holding) == 1:
            return holding[0]
    active = [i for i in ids if kb.in_office(official_id=i, on=on)]
    return active[0] if len(active) == 1 else None


# --- names -----------------------------------------------------------------------------------


class _Surname(NamedTuple):
    start: int
    end: int
    keys: list[Key]


def officials_by_name(p: Passage) -> None:
    """Full names first (each one also vouches for its surname later), then surnames."""
    full_found: set[int] = set()
    surnames: list[_Surname] = []
    grouped: dict[tuple[int, int], list[Key]] = {}
    for m in p.longest([OFFICIAL_FULL, OFFICIAL_SHORT]):
        grouped.setdefault((m.start, m.end), []).append(m.key)
    for (start, end), keys in grouped.items():
        if p.excluded.covers(start, end):
            p.official_spans.mark(start, end)
            continue
        if _FIRM.search(p.doc, max(0, start - 3), start) or _FIRM_AFTER.match(p.doc, end):
            continue  # 'Frost & Sullivan', 'Miller LLP': a firm, not a person
        words = p.doc[start:end].split()
        last_word = words[-1] if words else ""
        if not last_word[:1].isupper():
            continue
        full = [k for k in keys if k.kind == OFFICIAL_FULL]
        if not full:
            surnames.append(_Surname(start, end, keys))
            continue
        ids = {k.entity for k in full}
        if len(ids) > 1:
            ids = {i for i in ids if p.kb.in_office(official_id=i, on=p.on)} or ids
        if len(ids) == 1:
            official = ids.pop()
            full_found.add(official)
            p.official_spans.mark(start, end)
            p.record(
                kind=MentionKind.OFFICIAL, entity=official, confidence=0.95, method="name", at=start
            )
    for surname in surnames:
        _surname(p, surname, full_found)


_WORD_BEFORE = re.compile(r"([A-ZÀ-ÞА-ЯΑ-Ω][\w'’\-]+)[ ]$")


_TITLE_CASE = re.compile(r" [A-ZÀ-Þ]")
_TITLE_CASE_BEFORE = re.compile(r"[A-ZÀ-Þ][\w'’\-]* $")


def _other_first_name(p: Passage, start: int, end: int) -> bool:
    """Whether a capitalised word that is no title, place or known surname comes right
    before: 'Soledad Durazo' is someone else than Alfonso Durazo."""
    m = _WORD_BEFORE.search(p.doc, max(0, start - 30), start)
    if m is None or _TITLE_CASE.match(p.doc, end) or _TITLE_CASE_BEFORE.search(p.doc, 0, m.start()):
        return False  # a headline in Title Case: 'Trump Says Sheinbaum Agreed'
    word = _POSSESSIVE.sub("", _fold_word(m.group(1))).strip(".'")
    return not (
        word in TITLE_WORDS
        or word in STOPWORDS
        or word in p.kb.known_words
        or word in _NOT_NAMES
        or compact(word) in p.kb.surname_set
        or (_opens_sentence(p, m.start(1)) and common_in(word))
    )


_OPENING = re.compile(r"[\s\"'“‘(¿¡«—–-]*$")


def _opens_sentence(p: Passage, pos: int) -> bool:
    """Whether only quotes or dashes stand between the sentence's start and `pos`: there a
    common word is capitalised for the sentence ('Since Biden's inauguration'), not a name."""
    start = p.sentences.span(pos)[0]
    return bool(_OPENING.match(p.doc, start, pos))


def _surname(p: Passage, surname: _Surname, full_found: set[int]) -> None:
    """A surname alone: the person named in full elsewhere in the text, or one in office
    near the article's date (with a title before it, more surely); never after someone
    else's first name."""
    ids = {k.entity for k in surname.keys}
    if _other_first_name(p, surname.start, surname.end):
        return
    common = any(k.needs_context for k in surname.keys)
    sent_start = p.sentences.span(surname.start)[0]
    before = tokens_before(p.folded, surname.start, 3, floor=sent_start)
    titled = bool(set(before) & TITLE_WORDS)
    if not ids & full_found:
        ids = {i for i in ids if p.kb.in_office_near(official_id=i, on=p.on)}
        if not ids:
            p.official_spans.mark(surname.start, surname.end)  # read, and no one in office
            return
    chosen: int | None = None
    confidence = 0.85
    method = "surname"
    if ids & full_found:
        chosen = next(iter(ids & full_found)) if len(ids & full_found) == 1 else None
        confidence = 0.9
    elif len(ids) == 1 and not common:
        chosen = next(iter(ids))
        confidence, method = (0.9, "title+surname") if titled else (0.75, "surname+date")
    elif titled:
        chosen = resolve_by_title(p.kb, ids, before, p.on)
        confidence, method = 0.8, "title+surname"
    elif not common:
        # Two people share the surname: the press means the one in office that day.
        active = [i for i in ids if p.kb.in_office(official_id=i, on=p.on)]
        chosen = active[0] if len(active) == 1 else None
        confidence, method = 0.75, "surname+date"
    if chosen is not None:
        p.official_spans.mark(surname.start, surname.end)
        p.record(
            kind=MentionKind.OFFICIAL,
            entity=chosen,
            confidence=confidence,
            method=method,
            at=surname.start,
        )


# --- roles without names ---------------------------------------------------------------------


class _RolePattern(NamedTuple):
    regex: str  # over folded text
    role: str
    implied: str = ""  # ISO2 implied when no country is next to it
    office: str = ""  # words of the office's title, for roles the role list does not name
    destination: bool = False  # 'ambassador to X': X is where, not whose


_ADJ = r"(?: [\w.]+)?"
_ROLE_PATTERNS: list[_RolePattern] = [
    # A Mexican 'secretario de Estado' is any cabinet member, a Spanish or French one also a
    # junior minister ('de Migraciones', 'aux Sports'): the US one only when the US or a stop
    # follows.
    _RolePattern(
        r"(?:secretary of state|(?:secretari[oa] de estado|secretaire d'etat)(?= (?:de los "
        r"estados unidos|de estados unidos|estadounidense|norteamericano|americain|des etats "
        r"unis)\b|[,.;:)]))",
        "foreign_minister",
        "US",
    ),
    _RolePattern(
        r"(?:homeland security (?:secretary|chief)|secretary of homeland security|dhs (?:secretary"
        r"|chief))",
        "security_minister",
        "US",
    ),
    _RolePattern(
        r"(?:foreign (?:minister|secretary|affairs minister|affairs secretary)"
        r"|minister of foreign affairs|secretary of foreign affairs|top diplomat|canciller"
        r"|ministr[oa] de (?:relaciones|asuntos) exteriores"
        r"|secretari[oa] de relaciones exteriores|ministre"
        + _ADJ
        + r" des affaires etrangeres|chef de la diplomatie|jef[ea] de la diplomacia)",
        "foreign_minister",
    ),
    _RolePattern(
        r"(?:immigration minister|minister of immigration|ministr[eao]"
        + _ADJ
        + r" (?:de l'immigration|de l immigration|de inmigracion|d'immigration))",
        "immigration_minister",
    ),
    _RolePattern(
        r"(?:public safety minister|minister of public safety|ministr[eao]"
        + _ADJ
        + r" de la securite publique|ministr[oa] de seguridad publica)",
        "public_safety_minister",
    ),
    _RolePattern(
        r"(?:interior minister|secretari[oa] de gobernacion|ministre de l'interieur)",
        "security_minister",
    ),
    _RolePattern(
        r"(?:vice president|vicepresident[ea]|vice presidente?|vice presidenta)",
        "",
        office="vice president",
    ),
    _RolePattern(r"(?:ambassad(?:or|eur|rice)|embajador[a]?)", "ambassador", destination=True),
    _RolePattern(
        r"(?:prime minister|premier ministre|premiere ministre|primer ministro|primera ministra"
        r"|president|presidente|presidenta|presidente|mandatari[oa])",
        "head_of_government",
    ),
]
# The word boundaries stand outside the alternatives, so that the regex engine tests them once
# per position, not once per alternative (a third of the cost; the same matches).
_ROLE_RE = re.compile(
    r"(?<![\w])(?:"
    + "|".join(rf"(?P<r{i}>{pattern.regex})" for i, pattern in enumerate(_ROLE_PATTERNS))
    + r")(?![\w])"
)
_LEFT_GAP = re.compile(r"^(?:'s|')? $")
_RIGHT_GAP = re.compile(r"^ (?:(?:of|de|du|del|d'|des)(?: |(?<=')))?(?:(?:the|la|le|l') ?)?$")
_TO_GAP = re.compile(r"^ (?:to|in|a|en|au|aux|ante|in the|to the|en los|aux)(?: the| los| les)? $")
# 'President-elect', 'secretario designado': the role's next holder, not today's.
_INCOMING_AFTER = re.compile(
    r" (?:elect|electo|electa|elu|elue|designate|designado|designada|designe|designee|nominee)"
    r"(?![\w])"
)
_INCOMING = {"incoming", "entrante", "future", "futur", "futura", "futuro", "next", "nominated"}
_ACTING = {"acting", "interim", "interino", "interina", "encargado", "encargada"}
# A capitalised word right after a role is the name it titles: 'President-elect Donald Trump'.
_NAME_AFTER = re.compile(r"[ ,]{1,2}([A-ZÀ-ÞА-ЯΑ-Ω][\w'’.\-]+)")
_NOT_NAMES = set(
    "monday tuesday wednesday thursday friday saturday sunday lunes martes miercoles jueves "
    "viernes sabado domingo lundi mardi mercredi jeudi vendredi samedi dimanche".split()
)


def _role_matches(folded: str, anchors: list[Match]) -> list[re.Match[str]]:
    """Role phrases, searched only around words every role phrase contains ('minister')."""
    found: dict[tuple[int, int], re.Match[str]] = {}
    for a in anchors:
        for m in _ROLE_RE.finditer(folded, max(0, a.start - 40), a.end + 60):
            if m.start() <= a.start and a.end <= m.end():
                found.setdefault(m.span(), m)
    return [found[span] for span in sorted(found)]


class _Role(NamedTuple):
    start: int  # where the phrase starts, a country before it included
    end: int  # where it ends, a country after it included
    country: int | None
    destination: int | None = None  # 'ambassador to the United States'


def _country_after(p: Passage, end: int, gap: re.Pattern[str]) -> Place | None:
    by_start = p.place_index.by_start
    for width in range(1, 16):
        right = by_start.get(end + width)
        if right and gap.match(p.folded[end : end + width]):
            return right
    return None


def _role_country(p: Passage, m: re.Match[str], pattern: _RolePattern) -> _Role:
    """The country a role phrase belongs to: before it, inside it, after it, or implied."""
    start, end = m.span()
    destination = _country_after(p, end, _TO_GAP) if pattern.destination else None
    to = destination.country if destination else None
    by_end = p.place_index.by_end
    for gap in range(0, 4):
        left = by_end.get(start - gap)
        if left is not None and _LEFT_GAP.match(p.folded[start - gap : start]):
            return _Role(left.start, destination.end if destination else end, left.country, to)
    starts = p.place_index.starts
    i = bisect_right(starts, start)
    if i < len(starts) and p.places[i].end <= end:
        return _Role(start, end, p.places[i].country, to)
    if destination is None:
        right = _country_after(p, end, _RIGHT_GAP)
        if right is not None:
            return _Role(start, right.end, right.country)
    country = None
    if pattern.implied:
        country = p.kb.country_of_iso(pattern.implied)
    return _Role(start, destination.end if destination else end, country, to)


def _titles_a_name(p: Passage, end: int) -> bool:
    """Whether a capitalised word (not a title, weekday or known word) follows the role."""
    m = _NAME_AFTER.match(p.doc, end)
    if m is None:
        return False
    word = fold(m.group(1)).strip(".'")
    return not (
        word in TITLE_WORDS or word in _NOT_NAMES or word in STOPWORDS or word in p.kb.known_words
    )


def officials_by_role(p: Passage) -> None:
    """Roles named without a person, resolved to whoever held the role on the date; an
    '-elect' or 'incoming' role to its next holder; a 'former' or 'acting' one to nobody."""
    for m in _role_matches(p.folded, p.by_kind.get(ROLE_ANCHOR, [])):
        pattern = _ROLE_PATTERNS[int(str(m.lastgroup)[1:])]
        start, end = m.span()
        before = tokens_before(p.folded, start, 2)
        if before and before[-1] == "vice" and not pattern.office:
            continue
        role = _role_country(p, m, pattern)
        if role.country is None or (pattern.destination and role.destination is None):
            continue  # an ambassador is resolved only with the country they are posted to
        qualifiers = set(tokens_before(p.folded, role.start, 2))
        if qualifiers & (_FORMER | _ACTING):
            continue
        incoming = _INCOMING_AFTER.match(p.folded, end)
        if _titles_a_name(p, max(role.end, incoming.end() if incoming else end)):
            continue
        office = pattern.office
        if role.destination is not None:
            office = fold(p.kb.countries[role.destination])  # 'ambassador to the united states'
        holders = p.kb.holders(
            country_id=role.country,
            role=pattern.role,
            on=p.on,
            office=office,
            incoming=bool(incoming or qualifiers & _INCOMING),
        )
        if len(holders) == 1 and not p.excluded.covers(start, end):
            p.record(
                kind=MentionKind.OFFICIAL,
                entity=holders[0],
                confidence=0.75,
                method="role",
                at=start,
            )


_COUNTERPART = re.compile(r"(?<![\w])(?:counterparts?|homologue?s?|homolog[oa]s?)(?![\w])")


def officials_by_counterpart(p: Passage) -> None:
    """'his Canadian counterpart', 'su homólogo canadiense': the holder, in that country, of
    the role the official named just before holds."""
    anchors = [m for m in p.by_kind.get(ROLE_ANCHOR, []) if _COUNTERPART.match(p.folded, m.start)]
    named = sorted((r.at, e) for (k, e), r in p.results.items() if k == MentionKind.OFFICIAL)
    for a in anchors:
        place = next(
            (pl for pl in p.places if 0 <= a.start - pl.end <= 2 or 0 <= pl.start - a.end <= 2),
            None,
        )
        earlier = [e for at, e in named if at < a.start]
        if place is None or not earlier:
            continue
        tenure = p.kb.role_on(official_id=earlier[-1], on=p.on)
        if tenure is None or tenure.country_id == place.country:
            continue
        holders = p.kb.holders(country_id=place.country, role=tenure.role, on=p.on)
        if len(holders) == 1:
            p.record(
                kind=MentionKind.OFFICIAL,
                entity=holders[0],
                confidence=0.7,
                method="counterpart",
                at=a.start,
            )


# --- fuzzy names -----------------------------------------------------------------------------

# A lone word shorter than this is not matched fuzzily: too many short words sound alike.
_MIN_SINGLE = 5
_PARTICLES = r"[ ](?:(?:de|del|la|van|von|der|da|di|du|le)[ ])*"
_CAPITAL = r"[A-ZÀ-ÞА-ЯΑ-Ω]"
# A capitalised run of words. The lookahead passes over one short word alone ('The', 'It',
# 'Ebro'): most runs, and none can name anybody fuzzily.
_RUN = re.compile(
    rf"{_CAPITAL}(?=[\w'’.\-]{{{_MIN_SINGLE - 1}}}|[\w'’.\-]*{_PARTICLES}{_CAPITAL})"
    rf"[\w'’.\-]*(?:{_PARTICLES}{CAP})*"
)
_FUZZY_CACHE_MAX = 50_000
_POSSESSIVE = re.compile(r"['’]s$")
_fold_word = lru_cache(maxsize=100_000)(fold)
_UNFOLDED = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")


class _Guess(NamedTuple):
    official: int
    confidence: float
    method: str


def _best(kb: KnowledgeBase, name: str, query: str, cutoff: int) -> tuple[str, float, int] | None:
    """rapidfuzz's best choice in the list `name` (a KnowledgeBase field) scoring `cutoff` or
    more, looked for only among the choices long or short enough to reach it: a ratio counts
    the letters two strings share, so it is at most 200 * min(a, b) / (a + b). The same
    best, first of equals, as over the whole list, at a fraction of the cost."""
    size = len(query)
    subsets: dict[tuple[int, int], tuple[list[str], list[int]]]
    subsets = kb.fuzzy_cache.setdefault(("lengths", name), {})
    subset = subsets.get((size, cutoff))
    if subset is None:
        choices: list[str] = getattr(kb, name)
        by_length: dict[int, list[int]] | None = kb.fuzzy_cache.get(("by length", name))
        if by_length is None:
            by_length = kb.fuzzy_cache[("by length", name)] = {}
            for i, choice in enumerate(choices):
                by_length.setdefault(len(choice), []).append(i)
        at = sorted(
            chain.from_iterable(
                indices
                for length, indices in by_length.items()
                if 200 * min(size, length) >= cutoff * (size + length)
            )
        )
        subset = subsets[(size, cutoff)] = (list(map(choices.__getitem__, at)), at)
    found = process.extractOne(query, subset[0], scorer=fuzz.ratio, score_cutoff=cutoff)
    if found is None:
        return None
    return found[0], found[1], subset[1][found[2]]


def _sounds_near(kb: KnowledgeBase, name: str, words: str, cutoff: float) -> bool:
    """Whether the sound key of `words` scores `cutoff` or more against some entry of the list
    `name` (a KnowledgeBase field); once per distinct words and compilation."""
    memo = kb.fuzzy_cache.setdefault(("near", name), {})
    near = memo.get(words)
    if near is None:
        choices = kb.fuzzy_cache.get(("distinct", name))
        if choices is None:
            choices = kb.fuzzy_cache[("distinct", name)] = list(dict.fromkeys(getattr(kb, name)))
        near = process.extractOne(phonetic(words), choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        near = near is not None
        if len(memo) < _FUZZY_CACHE_MAX:
            memo[words] = near
    return near


def _fuzzy_full(kb: KnowledgeBase, tokens: list[str]) -> _Guess | None:
    # The name chosen below must have a first word that sounds like this first word (70) and
    # a rest like this rest (80). Most runs have neither: ruled out by their words alone, each
    # looked up once, before the whole run is compared with every name (the cutoffs a point
    # lower, so that no rounding in the lookup rules out a name that passes the test below).
    if not _sounds_near(kb, "full_first", tokens[0], 69) or not _sounds_near(
        kb, "full_rest", " ".join(tokens[1:]), 79
    ):
        return None
    key = compact(" ".join(tokens))
    key_ph = phonetic(" ".join(tokens))
    best = _best(kb, "full_variants", key, 85)
    best_ph = _best(kb, "full_phonetic", key_ph, 88)
    candidates = [b for b in (best, best_ph) if b]
    if not candidates:
        return None
    score, index = max((b[1], b[2]) for b in candidates)
    first = phonetic(tokens[0])
    rest = phonetic(" ".join(tokens[1:]))
    if fuzz.ratio(first, kb.full_first[index]) < 70 or fuzz.ratio(rest, kb.full_rest[index]) < 80:
        return None
    confidence = 0.85 if score >= 99 else 0.6 + 0.2 * (score - 85) / 15
    return _Guess(kb.full_owner[index], round(confidence, 2), "fuzzy-name")


class _SingleGuess(NamedTuple):
    owners: set[int]
    confidence: float
    method: str
    needs_title: bool


def _fuzzy_single(kb: KnowledgeBase, token: str) -> _SingleGuess | None:
    """Officials a lone capitalised word may name; needs_title: only after a title."""
    key = compact(token)
    if len(key) < _MIN_SINGLE:
        return None
    if key in kb.surname_set:
        owners = kb.surname_owners[kb.surname_variants.index(key)]
        return _SingleGuess(owners, 0.8, "joined-name", key in kb.surname_common)
    best = _best(kb, "surname_phonetic", phonetic(token), 85)
    if best is None:
        best = _best(kb, "surname_variants", key, 88)
        if best is None:
            return None
    common = kb.surname_variants[best[2]] in kb.surname_common
    return _SingleGuess(kb.surname_owners[best[2]], 0.55, "fuzzy-surname", common)


@lru_cache(maxsize=100_000)
def _run_sound(run: str) -> str | None:
    """The start of the sound key of a run's last word (the surname ends a name), or None for
    a run still in another script once look-alike letters are folded: that script's own word
    ('Москва'), not a mangled Latin name. The same for every knowledge base."""
    if not run.isascii() and len(_UNFOLDED.findall(_fold_word(run))) > 1:
        return None
    last = run[run.rfind(" ") + 1 :]
    if last.endswith(_POSSESSIVE_ENDINGS):
        last = last[:-2]
    return sound_prefix(last.rstrip("."))


_POSSESSIVE_ENDINGS = ("'s", "’s")
_NO_GUESS = object()


def _memo(kb: KnowledgeBase, what: str, tokens: list[str], guess: Callable[..., Any]) -> Any:
    """A fuzzy guess depends on the words alone: each distinct group of words is matched once
    per compilation (different runs share them: 'President Joe Biden', 'Joe Biden')."""
    memo = kb.fuzzy_cache.setdefault((what,), {})
    key = " ".join(tokens)
    found = memo.get(key, _NO_GUESS)
    if found is _NO_GUESS:
        found = guess(kb, tokens)
        if len(memo) < _FUZZY_CACHE_MAX:
            memo[key] = found
    return found


class _RunGuess(NamedTuple):
    """What a capitalised run may name wherever it stands: a full name or a lone surname,
    starting `skip` characters in (after the titles before it)."""

    skip: int
    full: _Guess | None
    single: _SingleGuess | None


# A run that passed the cheap gates and was never yet matched.
_GATED = object()


def officials_by_fuzzy_name(p: Passage) -> None:
    """Mangled names, only inside capitalised spans no exact name was read in.

    What a run may name depends on its words alone, so each distinct run is gated and matched
    once per compilation (news repeats its capitalised phrases, and rapidfuzz is most of the
    cost); only where it stands (a byline, an exact name) and its sentence are read per text.
    """
    runs: dict[str, Any] = p.kb.fuzzy_cache.setdefault(("run",), {})
    for m in _RUN.finditer(p.doc):
        run = m.group()
        guess = runs.get(run, _NO_GUESS)
        if guess is None:
            continue
        if guess is _NO_GUESS:
            guess = _GATED if _worth_matching(p.kb, run) else None
            if len(runs) < _FUZZY_CACHE_MAX:
                runs[run] = guess
            if guess is None:
                continue
        start, end = m.span()
        if p.excluded.covers(start, end) or p.official_spans.overlaps(start, end):
            continue
        if guess is _GATED:
            guess = _run_guess(p.kb, run)
            if run in runs:
                runs[run] = guess
            if guess is None:
                continue
        at = start + guess.skip
        if guess.full is not None:
            p.record(
                kind=MentionKind.OFFICIAL,
                entity=guess.full.official,
                confidence=guess.full.confidence,
                method=guess.full.method,
                at=at,
            )
        else:
            _fuzzy_surname(p, guess.single, at)


def _worth_matching(kb: KnowledgeBase, run: str) -> bool:
    """A cheap gate before any fuzzy matching: a run whose last word sounds like no official's
    surname is no official's (most runs)."""
    sound = _run_sound(run)
    return sound is not None and sound in kb.sound_prefixes


def _run_tokens(kb: KnowledgeBase, run: str) -> tuple[list[str], int]:
    """The run's words with leading titles, stopwords and known words dropped, and how many
    characters were dropped before them."""
    tokens = run.split(" ")
    skip = 0
    while tokens:
        first = _fold_word(tokens[0])
        if not (first.strip(".'") in TITLE_WORDS or first in STOPWORDS or first in kb.known_words):
            break
        skip += len(tokens.pop(0)) + 1
    if tokens:
        tokens[-1] = _POSSESSIVE.sub("", tokens[-1]).rstrip(".")
    return tokens, skip


def _run_guess(kb: KnowledgeBase, run: str) -> _RunGuess | None:
    """Match one capitalised run; None when it can name no official in any context."""
    tokens, skip = _run_tokens(kb, run)
    if not tokens:
        return None
    if all(_fold_word(t) in kb.known_words for t in tokens):
        return None
    if len(tokens) == 1 and len(tokens[0]) < _MIN_SINGLE:  # folding never lengthens a word
        return None
    if len(tokens) >= 2:
        guess = _memo(kb, "full", tokens[-4:], _fuzzy_full)
        if guess is None and len(tokens) > 2:
            guess = _memo(kb, "full", tokens[-2:], _fuzzy_full)
        return None if guess is None else _RunGuess(skip, guess, None)
    single = _memo(kb, "single", tokens[:1], lambda kb, tokens: _fuzzy_single(kb, tokens[0]))
    return None if single is None else _RunGuess(skip, None, single)


def _fuzzy_surname(p: Passage, single: _SingleGuess, at: int) -> None:
    sent_start, sent_end = p.sentences.span(at)
    before = tokens_before(p.folded, at, 3, floor=sent_start)
    titled = bool(set(before) & TITLE_WORDS)
    if single.needs_title and not titled:
        return
    owners = {o for o in single.owners if p.kb.in_office_near(official_id=o, on=p.on)}
    if single.method == "fuzzy-surname":
        nearby = {pl.country for pl in p.places if sent_start <= pl.start < sent_end}
        owners = {o for o in owners if titled or p.kb.officials[o].country_id in nearby}
    if len(owners) > 1:
        chosen = resolve_by_title(p.kb, owners, before, p.on) if titled else None
    else:
        chosen = next(iter(owners), None)
    if chosen is not None:
        p.record(
            kind=MentionKind.OFFICIAL,
            entity=chosen,
            confidence=single.confidence,
            method=single.method,
            at=at,
        )
