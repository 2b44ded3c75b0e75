"""Tag articles with the countries, officials, policies and summits they are about.

One automaton pass over folded text finds every known name; context rules then decide what
counts: a surname that is also a common word needs a first name, a title or the full name
elsewhere; a role without a name ("the Mexican foreign minister") is resolved through the
role tenures on the article's date; a mangled name is matched fuzzily only inside a
capitalised span, and with lower confidence. Editors' decisions on mentions are final.
"""

# Look-alike letters and dashes are the point here; word lists read best as text.
# ruff: noqa: RUF001, SIM905

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from rapidfuzz import fuzz, process

from articles.models import Article, Mention, MentionKind, MentionStatus
from articles.tagging.kb import (
    BLOCK,
    CONCEPT,
    COUNTRY,
    MEETING,
    MONTH,
    OFFICIAL_FULL,
    OFFICIAL_SHORT,
    POLICY,
    ROLE_ANCHOR,
    STOPWORDS,
    SUMMIT,
    TITLE_WORDS,
    KnowledgeBase,
    compact,
    fold,
    knowledge_base_get,
    knowledge_base_is_pinned,
    phonetic,
    sound_prefix,
)
from articles.tagging.kb import knowledge_base_reset as _kb_reset
from summits.models import Country, Official, Policy, Summit

TAGGER_VERSION = "2025.1"

MIN_CONFIDENCE = 0.5


@dataclass
class Found:
    kind: str
    entity_id: int
    name: str
    confidence: float
    method: str
    evidence: str
    date: date | None = None  # summits: start date


@dataclass
class _Hit:
    start: int
    end: int
    payloads: tuple[tuple, ...]


def knowledge_base_reset() -> None:
    """Drop the compiled knowledge base, e.g. after reference data changed."""
    _kb_reset()


# --- sentences -------------------------------------------------------------------------------

_ABBREVIATIONS = set(
    """
mr mrs ms dr sen rep gov st jr sr sra srta lic gen col lt sgt prof no vs etc dept
jan feb mar apr jun jul aug sep sept oct nov dec ene abr ago dic janv fevr avr juil sept déc
u.s ee.uu d.c u.k u.n m mme mlle
""".split()
)
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(¿¡]?[A-Z0-9À-ÞА-ЯΑ-Ω])|\n")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == ".":
            before = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start() + 1)
            if before and (before.group(1).lower() in _ABBREVIATIONS or len(before.group(1)) == 1):
                continue
        starts.append(m.end())
    return starts


class _Sentences:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = _sentence_starts(text)

    def index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def span(self, pos: int) -> tuple[int, int]:
        i = self.index(pos)
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end

    def sentence(self, pos: int) -> str:
        start, end = self.span(pos)
        return " ".join(self.text[start:end].split())[:1000]


# --- bylines ---------------------------------------------------------------------------------

_CAP = r"[A-ZÀ-ÞА-ЯΑ-Ω][\w'’.\-]*"
_BYLINE = re.compile(
    rf"(?m)^[ \t]*(?:[Bb]y|BY|[Pp]or|POR|[Pp]ar|PAR|[Tt]exte de|[Ee]scrito por|[Ww]ritten by)"
    rf"[ \t]+{_CAP}"
    rf"(?:[ \t]*(?:,|and|y|et|&)?[ \t]*{_CAP}){{0,7}}"
    rf"(?:[ \t]*[|/–—•·,][ \t]*(?:{_CAP}[ \t]*){{1,5}})?[ \t]*$"
)
_CREDIT = re.compile(
    r"(?im)\([^()\n]{0,60}?\b(?:reporting|editing|writing|reportage|redacci[oó]n|edici[oó]n)\b"
    r"[^()\n]*\)|^[ \t]*(?:additional )?(?:reporting|editing|writing) by\b.*$"
)


def _excluded_ranges(text: str, folded: str, authors: Sequence[str]) -> list[tuple[int, int]]:
    ranges = [(m.start(), m.end()) for m in _BYLINE.finditer(text)]
    ranges += [(m.start(), m.end()) for m in _CREDIT.finditer(text)]
    for author in authors:
        needle = fold(author).strip()
        if len(needle) < 4:
            continue
        pos = folded.find(needle)
        while pos >= 0:
            ranges.append((pos, pos + len(needle)))
            pos = folded.find(needle, pos + 1)
    return ranges


class _Mask:
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
_TOKEN = re.compile(r"[\w.']+")


def _tokens_before(folded: str, pos: int, n: int, floor: int = 0) -> list[str]:
    window = folded[max(floor, pos - 48) : pos]
    return [t.strip(".'") for t in _TOKEN.findall(window)][-n:]


# --- roles without names ---------------------------------------------------------------------

_ADJ = r"(?: [\w.]+)?"
_ROLE_PATTERNS: list[tuple[str, str, str]] = [
    # (regex over folded text, role, ISO2 implied when no country is next to it)
    (r"secretary of state", "foreign_minister", "US"),
    (
        r"(?:homeland security (?:secretary|chief)|secretary of homeland security|dhs (?:secretary"
        r"|chief))",
        "security_minister",
        "US",
    ),
    (
        r"(?:foreign (?:minister|secretary|affairs minister|affairs secretary)"
        r"|minister of foreign affairs|secretary of foreign affairs|top diplomat|canciller"
        r"|ministr[oa] de (?:relaciones|asuntos) exteriores"
        r"|secretari[oa] de relaciones exteriores|ministre"
        + _ADJ
        + r" des affaires etrangeres|chef de la diplomatie|jef[ea] de la diplomacia)",
        "foreign_minister",
        "",
    ),
    (
        r"(?:immigration minister|minister of immigration|ministr[eao]"
        + _ADJ
        + r" (?:de l'immigration|de l immigration|de inmigracion|d'immigration))",
        "immigration_minister",
        "",
    ),
    (
        r"(?:public safety minister|minister of public safety|ministr[eao]"
        + _ADJ
        + r" de la securite publique|ministr[oa] de seguridad publica)",
        "public_safety_minister",
        "",
    ),
    (
        r"(?:interior minister|secretari[oa] de gobernacion|ministre de l'interieur)",
        "security_minister",
        "",
    ),
    (
        r"(?:prime minister|premier ministre|premiere ministre|primer ministro|primera ministra"
        r"|president|presidente|presidenta|presidente|mandatari[oa])",
        "head_of_government",
        "",
    ),
]
_ROLE_RE = re.compile(
    "|".join(
        rf"(?P<r{i}>(?<![\w]){pattern}(?![\w]))"
        for i, (pattern, _role, _implied) in enumerate(_ROLE_PATTERNS)
    )
)
_LEFT_GAP = re.compile(r"^(?:'s|')? $")
_RIGHT_GAP = re.compile(r"^ (?:(?:of|de|du|del|d'|des)(?: |(?<=')))?(?:(?:the|la|le|l') ?)?$")


def _role_matches(folded: str, anchors: list[tuple[_Hit, tuple]]) -> list[re.Match[str]]:
    """Role phrases, searched only around words every role phrase contains ('minister')."""
    found: dict[tuple[int, int], re.Match[str]] = {}
    for h, _p in anchors:
        for m in _ROLE_RE.finditer(folded, max(0, h.start - 40), h.end + 60):
            if m.start() <= h.start and h.end <= m.end():
                found.setdefault(m.span(), m)
    return [found[span] for span in sorted(found)]


def _roles(
    kb: KnowledgeBase,
    folded: str,
    anchors: list[tuple[_Hit, tuple]],
    country_hits: list[tuple[int, int, int]],
    on: date,
) -> list[tuple[int, int, int, float, str]]:
    """(official, start, end, confidence, method) for roles named without a person."""
    out = []
    by_end = {end: (start, cid) for start, end, cid in country_hits}
    by_start = {start: (end, cid) for start, end, cid in country_hits}
    starts = [start for start, _end, _cid in country_hits]
    for m in _role_matches(folded, anchors):
        _pattern, role, implied = _ROLE_PATTERNS[int(str(m.lastgroup)[1:])]
        start, end = m.span()
        before = _tokens_before(folded, start, 2)
        if before and before[-1] == "vice":
            continue
        country = None
        left_start = start
        for gap in range(0, 4):
            left = by_end.get(start - gap)
            if left is not None and _LEFT_GAP.match(folded[start - gap : start]):
                left_start, country = left
                break
        if country is None:
            i = bisect_right(starts, start)
            if i < len(starts) and country_hits[i][1] <= end:
                country = country_hits[i][2]
        if country is None:
            for gap in range(1, 12):
                hit = by_start.get(end + gap)
                if hit and _RIGHT_GAP.match(folded[end : end + gap]):
                    country = hit[1]
                    break
        if country is None and implied:
            country = next((c for c, iso in kb.country_iso.items() if iso == implied), None)
        if country is None:
            continue
        if set(_tokens_before(folded, left_start, 2)) & _FORMER:
            continue
        holders = kb.holders(country_id=country, role=role, on=on)
        if len(holders) == 1:
            out.append((holders[0], start, end, 0.75, "role"))
    return out


# --- fuzzy names -----------------------------------------------------------------------------

_RUN = re.compile(rf"{_CAP}(?:[ ](?:(?:de|del|la|van|von|der|da|di|du|le)[ ])*{_CAP})*")
_FUZZY_CACHE_MAX = 50_000
_POSSESSIVE = re.compile(r"['’]s$")
_fold_word = lru_cache(maxsize=100_000)(fold)


def _fuzzy_full(kb: KnowledgeBase, tokens: list[str]) -> tuple[int, float, str] | None:
    key = compact(" ".join(tokens))
    key_ph = phonetic(" ".join(tokens))
    best = process.extractOne(key, kb.full_variants, scorer=fuzz.ratio, score_cutoff=85)
    best_ph = process.extractOne(key_ph, kb.full_phonetic, scorer=fuzz.ratio, score_cutoff=88)
    candidates = [b for b in (best, best_ph) if b]
    if not candidates:
        return None
    score, index = max((b[1], b[2]) for b in candidates)
    first = phonetic(tokens[0])
    rest = phonetic(" ".join(tokens[1:]))
    if fuzz.ratio(first, kb.full_first[index]) < 70 or fuzz.ratio(rest, kb.full_rest[index]) < 80:
        return None
    confidence = 0.85 if score >= 99 else 0.6 + 0.2 * (score - 85) / 15
    return kb.full_owner[index], round(confidence, 2), "fuzzy-name"


def _fuzzy_single(kb: KnowledgeBase, token: str) -> tuple[set[int], float, str, bool] | None:
    """Officials a lone capitalised word may name; the flag says it needs a title before it."""
    key = compact(token)
    if len(key) < 5:
        return None
    if key in kb.surname_variants:
        owners = kb.surname_owners[kb.surname_variants.index(key)]
        return owners, 0.8, "joined-name", key in kb.surname_common
    best = process.extractOne(
        phonetic(token), kb.surname_phonetic, scorer=fuzz.ratio, score_cutoff=85
    )
    if best is None:
        best = process.extractOne(key, kb.surname_variants, scorer=fuzz.ratio, score_cutoff=88)
        if best is None:
            return None
    common = kb.surname_variants[best[2]] in kb.surname_common
    return kb.surname_owners[best[2]], 0.55, "fuzzy-surname", common


# --- the tagger ------------------------------------------------------------------------------

_DAY_AFTER = re.compile(r"\.? (\d{1,2})(?:st|nd|rd|th)?(?![\w])")
_DAY_BEFORE = re.compile(r"(?<![\w])(\d{1,2})(?:er|st|nd|rd|th)? (?:de )?$")
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def _check_case(text: str, start: int, mask: tuple[tuple[int, int], ...]) -> bool:
    for a, b in mask:
        piece = text[start + a : start + b]
        if not piece.isupper():
            return False
    return True


def text_tag(*, text: str, title: str = "", on: date, authors: Sequence[str] = ()) -> list[Found]:
    """Countries, officials, policies and summits a text is about, one Found per entity."""
    kb = knowledge_base_get(max_unchecked_seconds=1.0)
    return _tag(kb, text=text, title=title, on=on, authors=authors)


def _tag(
    kb: KnowledgeBase, *, text: str, title: str, on: date, authors: Sequence[str]
) -> list[Found]:
    import unicodedata

    doc = unicodedata.normalize("NFC", f"{title}\n\n{text}" if title else text)
    folded = fold(doc)
    n = len(folded)
    sentences = _Sentences(doc)
    excluded = _Mask(n, _excluded_ranges(doc, folded, authors))

    hits: list[_Hit] = []
    for end, (klen, payloads) in kb.automaton.iter(folded):
        start = end - klen + 1
        if start > 0 and folded[start - 1].isalnum():
            continue
        if end + 1 < n and folded[end + 1].isalnum():
            continue
        hits.append(_Hit(start, end + 1, payloads))

    blocks = _Mask(n, [(h.start, h.end) for h in hits if h.payloads[0][0] == BLOCK])
    by_kind: dict[str, list[tuple[_Hit, tuple]]] = {}
    for h in hits:
        for p in h.payloads:
            by_kind.setdefault(p[0], []).append((h, p))
    results: dict[tuple[str, int], tuple[float, str, int]] = {}

    def record(kind: str, entity: int, confidence: float, method: str, pos: int) -> None:
        key = (kind, entity)
        current = results.get(key)
        if current is None or confidence > current[0]:
            results[key] = (confidence, method, pos)

    # Longest match wins within a kind: 'Marc Miller' over 'Miller'.
    def longest(kinds: Iterable[str]) -> list[tuple[_Hit, tuple]]:
        chosen: list[tuple[_Hit, tuple]] = []
        candidates = sorted(
            (hp for kind in kinds for hp in by_kind.get(kind, ())),
            key=lambda hp: (hp[0].start - hp[0].end, hp[0].start),
        )
        taken = _Mask(n)
        exact: set[tuple[int, int]] = set()
        for h, p in candidates:
            span = (h.start, h.end)
            if span not in exact:
                if taken.overlaps(*span):
                    continue
                taken.mark(*span)
                exact.add(span)
            chosen.append((h, p))
        chosen.sort(key=lambda hp: hp[0].start)
        return chosen

    # Countries.
    country_hits: list[tuple[int, int, int]] = []
    for h, p in longest([COUNTRY]):
        if blocks.covers(h.start, h.end):
            continue
        if not _check_case(doc, h.start, p[4]):
            continue
        country_hits.append((h.start, h.end, p[1]))
        if not excluded.covers(h.start, h.end):
            record(MentionKind.COUNTRY, p[1], p[3], p[2], h.start)

    # Officials by name.
    official_spans = _Mask(n)
    full_found: set[int] = set()
    shorts: list[tuple[_Hit, list[tuple]]] = []
    chosen_officials = longest([OFFICIAL_FULL, OFFICIAL_SHORT])
    grouped: dict[tuple[int, int], list[tuple]] = {}
    for h, p in chosen_officials:
        grouped.setdefault((h.start, h.end), []).append(p)
    for (start, end), payloads in grouped.items():
        if excluded.covers(start, end):
            official_spans.mark(start, end)
            continue
        if _FIRM.search(doc, max(0, start - 3), start) or _FIRM_AFTER.match(doc, end):
            continue  # 'Frost & Sullivan', 'Miller LLP': a firm, not a person
        last_word = doc[start:end].split()[-1] if doc[start:end].split() else ""
        if not last_word[:1].isupper() or not _check_case(doc, start, payloads[0][4]):
            continue
        full = [p for p in payloads if p[0] == OFFICIAL_FULL]
        if full:
            ids = {p[1] for p in full}
            if len(ids) > 1:
                ids = {i for i in ids if kb.in_office(official_id=i, on=on)} or ids
            if len(ids) == 1:
                official = ids.pop()
                full_found.add(official)
                official_spans.mark(start, end)
                record(MentionKind.OFFICIAL, official, 0.95, "name", start)
            continue
        shorts.append((_Hit(start, end, tuple(payloads)), payloads))
    for h, payloads in shorts:
        ids = {p[1] for p in payloads}
        common = any(p[5] for p in payloads)
        sent_start = sentences.span(h.start)[0]
        before = _tokens_before(folded, h.start, 3, floor=sent_start)
        titled = bool(set(before) & TITLE_WORDS)
        chosen: int | None = None
        confidence = 0.85
        method = "surname"
        if ids & full_found:
            chosen = next(iter(ids & full_found)) if len(ids & full_found) == 1 else None
            confidence = 0.9
        elif len(ids) == 1 and not common:
            chosen = next(iter(ids))
            if titled:
                confidence, method = 0.9, "title+surname"
        elif titled:
            chosen = _resolve_by_title(kb, ids, before, on)
            confidence, method = 0.8, "title+surname"
        elif not common:
            # Two people share the surname: the press means the one in office that day.
            active = [i for i in ids if kb.in_office(official_id=i, on=on)]
            chosen = active[0] if len(active) == 1 else None
            confidence, method = 0.75, "surname+date"
        if chosen is not None:
            official_spans.mark(h.start, h.end)
            record(MentionKind.OFFICIAL, chosen, confidence, method, h.start)

    # Officials by role alone.
    for official, start, end, confidence, method in _roles(
        kb, folded, by_kind.get(ROLE_ANCHOR, []), country_hits, on
    ):
        if not excluded.covers(start, end):
            record(MentionKind.OFFICIAL, official, confidence, method, start)

    # Mangled names, only inside capitalised spans.
    _fuzzy_officials(kb, doc, folded, sentences, official_spans, excluded, country_hits, on, record)

    # Policies by name, then translated word by word.
    for h, p in longest([POLICY]):
        if not _check_case(doc, h.start, p[4]) or excluded.covers(h.start, h.end):
            continue
        if not _policy_exists(kb, p[1], on):
            continue
        confidence = p[3]
        if p[5] and not doc[h.start].isupper():
            # 'remain in Mexico' in lower case is often just a phrase, not the programme.
            after = folded[h.end : h.end + 30]
            if not re.match(
                r"[ \"']*(?:policy|program|programme|programa|politica|politique|"
                r"rule|regla|protocols?|agreement|accord)\b",
                after,
            ):
                continue
            confidence = 0.7
        record(MentionKind.POLICY, p[1], confidence, p[2], h.start)
    _translated_policies(kb, doc, by_kind.get(CONCEPT, []), on, record)

    # Summits by name, by date and participants, and by an earlier meeting's date.
    _summits(kb, folded, sentences, hits, by_kind, country_hits, results, on, record)

    found = []
    for (kind, entity), (confidence, method, pos) in results.items():
        if confidence < MIN_CONFIDENCE:
            continue
        name, day = _entity_name(kb, kind, entity)
        found.append(
            Found(
                kind=kind,
                entity_id=entity,
                name=name,
                confidence=confidence,
                method=method,
                evidence=sentences.sentence(pos),
                date=day,
            )
        )
    order: dict[str, int] = {
        MentionKind.COUNTRY: 0,
        MentionKind.OFFICIAL: 1,
        MentionKind.POLICY: 2,
        MentionKind.SUMMIT: 3,
    }
    found.sort(key=lambda f: (order[f.kind], -f.confidence, f.name))
    return found


def _policy_exists(kb: KnowledgeBase, policy: int, on: date) -> bool:
    """An article written long before a policy's first dated event is not about it."""
    since = kb.policy_since.get(policy)
    return since is None or on >= since - timedelta(days=45)


def _entity_name(kb: KnowledgeBase, kind: str, entity: int) -> tuple[str, date | None]:
    if kind == MentionKind.COUNTRY:
        return kb.countries[entity], None
    if kind == MentionKind.OFFICIAL:
        return kb.officials[entity].name, None
    if kind == MentionKind.POLICY:
        return kb.policies[entity], None
    summit = kb.summits[entity]
    return summit.title, summit.start


def _resolve_by_title(kb: KnowledgeBase, ids: set[int], before: list[str], on: date) -> int | None:
    roles = {_ROLE_HINTS[t] for t in before if t in _ROLE_HINTS}
    for role in roles:
        holding = [i for i in ids if kb.in_office(official_id=i, on=on, role=role)]
        if len(holding) == 1:
            return holding[0]
    active = [i for i in ids if kb.in_office(official_id=i, on=on)]
    return active[0] if len(active) == 1 else None


def _fuzzy_officials(
    kb: KnowledgeBase,
    doc: str,
    folded: str,
    sentences: _Sentences,
    official_spans: _Mask,
    excluded: _Mask,
    country_hits: list[tuple[int, int, int]],
    on: date,
    record,
) -> None:
    nothing = kb.fuzzy_cache.setdefault(("no-official",), set())
    for m in _RUN.finditer(doc):
        run = m.group()
        if run in nothing:
            continue
        start, end = m.span()
        if excluded.covers(start, end):
            continue
        if official_spans.overlaps(start, end):
            continue
        matched = _fuzzy_run(kb, folded, sentences, run, start, country_hits, on, record)
        if not matched and len(nothing) < _FUZZY_CACHE_MAX:
            nothing.add(run)


def _fuzzy_run(
    kb: KnowledgeBase,
    folded: str,
    sentences: _Sentences,
    run: str,
    start: int,
    country_hits: list[tuple[int, int, int]],
    on: date,
    record,
) -> bool:
    """Match one capitalised run; False when it can name no official in any context."""
    tokens = run.split(" ")
    offsets = []
    pos = start
    for tok in tokens:
        offsets.append(pos)
        pos += len(tok) + 1
    while tokens and (
        _fold_word(tokens[0]).strip(".'") in TITLE_WORDS
        or _fold_word(tokens[0]) in STOPWORDS
        or _fold_word(tokens[0]) in kb.known_words
    ):
        tokens.pop(0)
        offsets.pop(0)
    if not tokens:
        return False
    tokens[-1] = _POSSESSIVE.sub("", tokens[-1]).rstrip(".")
    if all(_fold_word(t) in kb.known_words for t in tokens):
        return False
    if not any(sound_prefix(t) in kb.sound_prefixes for t in tokens[1:] or tokens):
        return False
    if len(tokens) >= 2:
        result = _fuzzy_full(kb, tokens[-4:])
        if result is None and len(tokens) > 2:
            result = _fuzzy_full(kb, tokens[-2:])
        if result is not None:
            official, confidence, method = result
            record(MentionKind.OFFICIAL, official, confidence, method, offsets[0])
            return True
        return False
    single = _fuzzy_single(kb, tokens[0])
    if single is None:
        return False
    owners, confidence, method, needs_title = single
    tok_start = offsets[0]
    sent_start, sent_end = sentences.span(tok_start)
    before = _tokens_before(folded, tok_start, 3, floor=sent_start)
    titled = bool(set(before) & TITLE_WORDS)
    if needs_title and not titled:
        return True
    if method == "fuzzy-surname":
        nearby_countries = {c for s, _e, c in country_hits if sent_start <= s < sent_end}
        owners = {o for o in owners if titled or kb.officials[o].country_id in nearby_countries}
    if len(owners) > 1:
        chosen = _resolve_by_title(kb, owners, before, on) if titled else None
    else:
        chosen = next(iter(owners), None)
    if chosen is not None:
        record(MentionKind.OFFICIAL, chosen, confidence, method, tok_start)
    return True


def _translated_policies(
    kb: KnowledgeBase, doc: str, concept_hits: list[tuple[_Hit, tuple]], on: date, record
) -> None:
    present = {p[1] for _h, p in concept_hits}
    if len(present) < 2:
        return
    hits = sorted((h.start, h.end, p[1]) for h, p in concept_hits)
    for concepts, policy in kb.policy_concepts:
        if not concepts <= present:
            continue
        size = len(concepts)
        span_limit = 16 * size + 8
        relevant = [c for c in hits if c[2] in concepts]
        for i, (start, _end, _c) in enumerate(relevant):
            seen: set[str] = set()
            for s, _e, c in relevant[i:]:
                if s - start > span_limit:
                    break
                seen.add(c)
                if seen == concepts:
                    if doc[start].isupper() and _policy_exists(kb, policy, on):
                        record(MentionKind.POLICY, policy, 0.7, "translated-name", start)
                    break


def _summits(
    kb: KnowledgeBase,
    folded: str,
    sentences: _Sentences,
    hits: list[_Hit],
    by_kind: dict[str, list[tuple[_Hit, tuple]]],
    country_hits: list[tuple[int, int, int]],
    results: dict[tuple[str, int], tuple[float, str, int]],
    on: date,
    record,
) -> None:
    # Named: a recurring name ('North American Leaders' Summit') means the edition nearest
    # the article's date, or the one whose year or city the sentence gives.
    summit_hits: dict[int, list[int]] = {}
    for h, p in by_kind.get(SUMMIT, []):
        summit_hits.setdefault(h.start, []).append(p[1])
    for start, ids in summit_hits.items():
        h = _Hit(start, start, ())
        sentence = fold(sentences.sentence(h.start))
        # A name cannot yet mean a meeting more than half a year away: in 2019 'Three Amigos'
        # was the press's name for three envoys, not the 2021 summit.
        horizon = on + timedelta(days=180)
        candidates = [kb.summits[i] for i in ids if kb.summits[i].start <= horizon]
        if not candidates:
            continue
        years = {int(y.group()) for y in _YEAR.finditer(sentence)}
        by_year = [s for s in candidates if s.start.year in years]
        candidates = by_year or candidates
        by_city = [s for s in candidates if s.city and s.city in sentence]
        candidates = by_city or candidates
        best = min(candidates, key=lambda s: abs((s.start - on).days))
        record(MentionKind.SUMMIT, best.id, 0.9 if len(ids) == 1 else 0.85, "summit-name", h.start)

    officials_found = {e for (k, e) in results if k == MentionKind.OFFICIAL}
    countries_found = {c for s, e, c in country_hits}
    first_pos = {e: v[2] for (k, e), v in results.items() if k == MentionKind.OFFICIAL}
    meeting_at = sorted(h.start for h, _p in by_kind.get(MEETING, []))
    has_meeting = bool(meeting_at)

    # Unnamed: near its dates, naming at least two of its participants.
    for summit in kb.summits.values():
        if not (summit.start - timedelta(days=7) <= on <= summit.end + timedelta(days=3)):
            continue
        named = summit.participant_ids & officials_found
        if len(named) < 2:
            continue
        place = (summit.city and summit.city in folded) or summit.country_id in countries_found
        close = summit.start - timedelta(days=1) <= on <= summit.end + timedelta(days=1)
        if close or place or has_meeting:
            pos = min(first_pos[o] for o in named)
            record(MentionKind.SUMMIT, summit.id, 0.7, "date+participants", pos)

    # An earlier (or coming) meeting named by its date: 'talks that began on Dec. 27'.
    for h, p in by_kind.get(MONTH, []):
        after = _DAY_AFTER.match(folded, h.end)
        before = None if after else _DAY_BEFORE.search(folded, max(0, h.start - 10), h.start)
        day_match = after or before
        if day_match is None:
            continue
        try:
            day = int(day_match.group(1))
            options = [date(on.year + dy, p[1], day) for dy in (-1, 0, 1)]
        except ValueError:
            continue
        options = [d for d in options if -400 <= (d - on).days <= 30]
        if not options:
            continue
        when = min(options, key=lambda d: abs((d - on).days))
        sent_start, sent_end = sentences.span(h.start)
        i = bisect_right(meeting_at, sent_start - 1)
        if i >= len(meeting_at) or meeting_at[i] >= sent_end:
            continue
        sentence = folded[sent_start:sent_end]
        in_sentence = {c for s, _e, c in country_hits if sent_start <= s < sent_end}
        for summit in kb.summits.values():
            if not (summit.start <= when <= summit.end):
                continue
            place = (summit.city and summit.city in sentence) or (summit.country_id in in_sentence)
            if place or summit.participant_ids & officials_found:
                record(MentionKind.SUMMIT, summit.id, 0.75, "date-reference", h.start)


# --- writing mentions ------------------------------------------------------------------------

_FK: dict[str, str] = {
    MentionKind.COUNTRY: "country_id",
    MentionKind.OFFICIAL: "official_id",
    MentionKind.POLICY: "policy_id",
    MentionKind.SUMMIT: "summit_id",
}
_ENTITY_MODEL: dict[str, type[Country | Official | Policy | Summit]] = {
    MentionKind.COUNTRY: Country,
    MentionKind.OFFICIAL: Official,
    MentionKind.POLICY: Policy,
    MentionKind.SUMMIT: Summit,
}


def article_tag(*, article: Article) -> list[Mention]:
    """Tag an article; editors' approved, added and rejected mentions are left as they are."""
    article_mentions_write(article=article)
    return list(
        article.mentions.exclude(status=MentionStatus.REJECTED).select_related(
            "country", "official", "policy", "summit"
        )
    )


def article_mentions_write(*, article: Article, new: bool = False) -> None:
    """Tag an article and write its mentions without reading them back (the ingestion path).

    `new`: the article was stored a moment ago, so there are no mentions to read first.
    """
    text = article.body or strip_tags(article.summary or "")
    on = timezone.localdate(article.published_at) if article.published_at else timezone.localdate()
    for attempt in (1, 2):
        # Inside knowledge_base_pinned() the base is not checked per article; a row deleted
        # since it was checked then fails a foreign key here, and one recompile settles it.
        founds = _tag(
            knowledge_base_get(),
            text=text,
            title=article.title,
            on=on,
            authors=article.authors or [],
        )
        try:
            # A mention an editor added meanwhile breaks a unique constraint: the second
            # attempt reads the article's mentions after all.
            _mentions_save(article, founds, fresh=new and attempt == 1)
        except IntegrityError:
            if attempt == 2:
                raise
            knowledge_base_reset()
        else:
            return


def _mentions_save(article: Article, founds: list[Found], *, fresh: bool) -> None:
    # Foreign keys are checked when the transaction commits: inside someone else's
    # transaction that would be too late to tag again, so there rows are looked up first.
    verify = knowledge_base_is_pinned() and transaction.get_connection().in_atomic_block
    now = timezone.now()
    with transaction.atomic():
        # Writing the article's row first also locks it: two taggers of one article take turns.
        stamped = Article.objects.filter(pk=article.pk).update(
            tagged_at=now, tagger_version=TAGGER_VERSION
        )
        if not stamped:
            raise Article.DoesNotExist(f"article {article.pk} no longer exists")
        existing: dict[tuple[str, int], Mention] = {}
        if not fresh:
            existing = {(m.kind, getattr(m, _FK[m.kind])): m for m in article.mentions.all()}
        wanted = set()
        new: list[Mention] = []
        changed: list[Mention] = []
        for f in founds:
            key = (f.kind, f.entity_id)
            wanted.add(key)
            mention = existing.get(key)
            confidence = round(min(1.0, max(0.0, f.confidence)), 3)
            if mention is None:
                mention = Mention(
                    article=article,
                    kind=f.kind,
                    confidence=confidence,
                    method=f.method[:40],
                    evidence=f.evidence,
                    status=MentionStatus.AUTO,
                )
                setattr(mention, _FK[f.kind], f.entity_id)
                new.append(mention)
                existing[key] = mention
            elif mention.status == MentionStatus.AUTO and (
                mention.confidence,
                mention.method,
                mention.evidence,
            ) != (confidence, f.method, f.evidence):
                mention.confidence, mention.method = confidence, f.method
                mention.evidence = f.evidence
                mention.updated_at = now
                changed.append(mention)
        if new and verify and _entities_missing(new):
            raise IntegrityError("a tagged entity was deleted from the knowledge base")
        if new:
            Mention.objects.bulk_create(new)
        if changed:
            Mention.objects.bulk_update(changed, ["confidence", "method", "evidence", "updated_at"])
        stale = [
            m.pk
            for key, m in existing.items()
            if key not in wanted and m.status == MentionStatus.AUTO
        ]
        if stale:
            Mention.objects.filter(pk__in=stale, status=MentionStatus.AUTO).delete()
    article.tagged_at, article.tagger_version = now, TAGGER_VERSION


def _entities_missing(mentions: list[Mention]) -> bool:
    """Whether any mention points at a country, official, policy or summit that is gone."""
    wanted: dict[str, set[int]] = {}
    for m in mentions:
        wanted.setdefault(m.kind, set()).add(getattr(m, _FK[m.kind]))
    parts, params = [], []
    for kind, ids in wanted.items():
        table = connection.ops.quote_name(_ENTITY_MODEL[kind]._meta.db_table)
        marks = ", ".join(["%s"] * len(ids))
        # Table names come from our own models; the ids are parameters.
        parts.append(f"SELECT COUNT(*) FROM {table} WHERE id IN ({marks})")  # noqa: S608
        params += sorted(ids)
    # Raw SQL: this runs once per article, and building it through the ORM cost more than
    # running it.
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = sum(row[0] for row in cursor.fetchall())
    return found != sum(len(ids) for ids in wanted.values())
