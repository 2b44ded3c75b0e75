"""Summits and other meetings: by name, by date and participants, and by a date in the text."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, timedelta
from typing import NamedTuple

from articles.models import MentionKind
from articles.tagging.kb import (
    MEETING,
    MONTH,
    OFFICIAL_FULL,
    OFFICIAL_SHORT,
    RECENT,
    REMOTE,
    SUMMIT,
    TRIP,
    SummitEntry,
    fold,
)
from articles.tagging.passage import Match, Passage

_DAY_AFTER = re.compile(r"\.? (\d{1,2})(?:st|nd|rd|th)?(?![\w])")
_DAY_BEFORE = re.compile(r"(?<![\w])(\d{1,2})(?:er|st|nd|rd|th)? (?:de )?$")
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")

# A name cannot yet mean a meeting more than half a year away: in 2019 'Three Amigos' was
# the press's name for three envoys, not the 2021 summit.
_NAME_HORIZON = timedelta(days=180)
# A planned or postponed meeting is talked about from its announcement, a year or more ahead.
_PLANNED_HORIZON = timedelta(days=400)


def summits(p: Passage) -> None:
    """Summits by name, by date and participants, and by an earlier meeting's date."""
    summits_by_name(p)
    summits_held_remotely(p)
    summits_by_participants(p)
    summits_by_date(p)
    summits_described(p)


_LAST_YEAR = r"\b(?:last year|el ano pasado|l'an (?:dernier|passe)|l'annee (?:derniere|passee))"
_NEXT_YEAR = (
    r"\b(?:next year|el (?:proximo ano|ano proximo|ano que viene)|l'an prochain|l'annee prochaine)"
)
_RELATIVE_YEARS = [
    (re.compile(_LAST_YEAR), -1),
    (re.compile(_NEXT_YEAR), 1),
    (re.compile(r"\b(?:this year|este ano|cette annee)\b"), 0),
]
# 'la visita que hará a Washington el próximo mes': a month named by its distance from today.
_RELATIVE_MONTHS = [
    (re.compile(r"\b(?:last month|el mes pasado|le mois (?:dernier|passe))\b"), -1),
    (
        re.compile(
            r"\b(?:next month|el (?:proximo|siguiente) mes|el mes (?:proximo|que viene)|"
            r"le mois prochain)\b"
        ),
        1,
    ),
    (re.compile(r"\b(?:this month|este mes|ce mois)\b"), 0),
]
# The phrases above, looked for as they are written.
_RELATIVE_MONTH_PHRASES: tuple[str, ...] = (
    *("last month", "next month", "this month", "mes pasado", "proximo mes"),
    *("siguiente mes", "mes proximo", "mes que viene", "este mes"),
    *("mois dernier", "mois passe", "mois prochain", "ce mois"),
)
_PAST = re.compile(
    r"\b(?:last|previous|past|earlier|pasad[ao]|anterior|previ[ao]|dernier|derniere|precedente?)\b"
)
_FUTURE = re.compile(r"\b(?:next|upcoming|coming|proxim[ao]|prochaine?|futur[ae]?)\b")


class _TimeCues(NamedTuple):
    years: set[int]
    months: set[int]
    past: bool
    future: bool
    relative_years: set[int]  # 'last year', 'next year': mostly said of the meeting itself


def _time_cues(p: Passage, start: int) -> _TimeCues:
    """What a sentence says about when: years ('2021', 'last year'), months ('in April',
    'next month'), and whether it looks back ('last', 'previa') or ahead ('next', 'prochain')."""
    sent_start, sent_end = p.sentences.span(start)
    sentence = p.folded[sent_start:sent_end]
    years = {int(y.group()) for y in _YEAR.finditer(sentence)}
    relative = {delta for pattern, delta in _RELATIVE_YEARS if pattern.search(sentence)}
    months = _months_named(p, sent_start, sent_end, sentence)
    past, future = bool(_PAST.search(sentence)), bool(_FUTURE.search(sentence))
    years |= {p.on.year + delta for delta in relative}
    # 'this year' is said of much else in a sentence than its meeting.
    relative_years = {p.on.year + delta for delta in relative if delta}
    return _TimeCues(years, months, past, future, relative_years)


def _months_named(p: Passage, sent_start: int, sent_end: int, sentence: str) -> set[int]:
    """The months a sentence names ('in April', not 'Apr' alone) or counts from the article's
    ('next month')."""
    months = {
        m.key.entity
        for m in p.by_kind.get(MONTH, [])
        if sent_start <= m.start < sent_end and _a_month(p, m)
    }
    if any(word in sentence for word in _MONTH_WORDS):  # in every relative month, and rare
        for pattern, delta in _RELATIVE_MONTHS:
            if pattern.search(sentence):
                months.add((p.on.month + delta - 1) % 12 + 1)
    return months


_MONTH_WORDS = ("month", "mes", "mois")
# A short month name is also a word ('may', 'mar', 'mai' in 'mai 2024' is fine): it is the
# month when capitalised and after a preposition of time or before a day or year.
_BEFORE_MONTH = re.compile(
    r"\b(?:in|since|until|by|early|late|mid|last|next|this|from|en|de|desde|hasta|depuis"
    r"|debut|fin|mi|jusqu'en|a partir de) $"
)
_AFTER_MONTH = re.compile(r"\.? (?:\d|(?:19|20)\d\d)")


def _a_month(p: Passage, month: Match) -> bool:
    """'in May', 'May 6', 'en mai': a month; 'may' the verb or 'el mar' the sea: not."""
    if month.end - month.start > 3:
        return True
    if not p.doc[month.start].isupper() and p.doc[month.start : month.end] != "mai":
        return False
    return bool(
        _BEFORE_MONTH.search(p.folded, max(0, month.start - 14), month.start)
        or _AFTER_MONTH.match(p.folded, month.end)
    )


def _horizon(summit: SummitEntry) -> timedelta:
    """How far ahead of its dates a meeting's name may already mean it."""
    return _PLANNED_HORIZON if summit.planned else _NAME_HORIZON


def _edition(p: Passage, candidates: list[SummitEntry], cues: _TimeCues) -> SummitEntry | None:
    """The edition of a recurring meeting the sentence means: the year, month and direction
    it gives, else the nearest; never one more than half a year ahead unless a year says so."""
    if cues.years:
        candidates = [s for s in candidates if s.start.year in cues.years] or candidates
    if not cues.years & {s.start.year for s in candidates}:
        candidates = [s for s in candidates if s.start <= p.on + _horizon(s)]
    candidates = [s for s in candidates if s.start.month in cues.months] or candidates
    if cues.past and not cues.future:
        candidates = [s for s in candidates if s.start < p.on] or candidates
    elif cues.future and not cues.past:
        candidates = [s for s in candidates if s.end >= p.on] or candidates
    if not candidates:
        return None
    return min(candidates, key=lambda s: _distance(s, p.on))


def _distance(summit: SummitEntry, on: date) -> int:
    """Days from an article to a meeting, those ahead counted twice: undated, a series' name
    means the edition just held more often than one months away ('the summit agreed...')."""
    days = (summit.start - on).days
    return 2 * days if days > 0 else -days


def summit_meant_then(p: Passage, summit_id: int, at: int) -> bool:
    """Whether a meeting found by a paraphrase ('next year's G7 summit in Canada') is the one
    the sentence's time cues leave: the series' other editions share the paraphrase, and the
    base holds one. A year the sentence gives or counts ('this year', '2018') must be the
    meeting's, 'last' and 'next' must point its way, and with no year it may be no further
    ahead than its name could mean it."""
    summit = p.kb.summits[summit_id]
    cues = _time_cues(p, at)
    if cues.years:
        return summit.start.year in cues.years
    if summit.start > p.on + _horizon(summit):
        return False
    if cues.past and not cues.future:
        return summit.start < p.on
    if cues.future and not cues.past:
        return summit.end >= p.on
    return True


def _about_a_meeting(p: Passage, name: Match) -> bool:
    """A nickname ('Three Amigos') is the meeting only in a sentence about meeting or naming
    one of its participants: in 2019 the press also called three envoys that."""
    sent_start, sent_end = p.sentences.span(name.start)
    participants = p.kb.summits[name.key.entity].participant_ids
    if any(
        sent_start <= r.at < sent_end
        for (kind, entity), r in p.results.items()
        if kind == MentionKind.OFFICIAL and entity in participants
    ):
        return True
    return any(sent_start <= m.start < sent_end for m in p.by_kind.get(MEETING, []))


# 'next' or 'last' right before a meeting's name, perhaps with one word between ('the next
# leaders' summit', 'la próxima Cumbre', 'le dernier sommet').
_NEXT_BEFORE = re.compile(r"\b(?:next|upcoming|proxim[ao]|siguiente|prochaine?) (?:[\w']+ )?$")
_LAST_BEFORE = re.compile(
    r"\b(?:last|previous|ultim[ao]|pasad[ao]|anterior|dernier|derniere|precedente?) (?:[\w']+ )?$"
)


class _NameReading(NamedTuple):
    """A meeting's name read in its sentence: the edition it points to, and whether the
    sentence dates it (year, month, city)."""

    start: int
    ids: set[int]
    candidates: list[SummitEntry]
    best: SummitEntry
    pinned: bool
    dated: bool


def summits_by_name(p: Passage) -> None:
    """A name several meetings share ('North American Leaders' Summit') means the one the
    sentence's time cues, year or city point to, else the one nearest the article's date.

    A name inside a longer one is not read on its own ('High-Level Security Dialogue' in
    'Third U.S.-Mexico High-Level Security Dialogue'). A name made of its people's names
    ('visita de Trudeau a México', 'llamada Trump-Sheinbaum') describes more than one
    meeting: it means this one only near its dates or with its year or month beside it."""
    at: dict[int, set[int]] = {}
    described: set[int] = set()
    people = p.by_kind.get(OFFICIAL_SHORT, []) + p.by_kind.get(OFFICIAL_FULL, [])
    for m in p.longest([SUMMIT]):
        if m.key.case or _about_a_meeting(p, m):
            at.setdefault(m.start, set()).add(m.key.entity)
            if any(m.start <= o.start and o.end <= m.end for o in people):
                described.add(m.start)
    readings: list[_NameReading] = []
    for start, ids in at.items():
        sentence = fold(p.sentences.sentence(start))
        candidates = [p.kb.summits[i] for i in ids]
        in_city = [s for s in candidates if _in_city(s, sentence)]
        candidates = in_city or candidates
        cues = _time_cues(p, start)
        # 'the next Summit of the Americas', 'la última cumbre': an edition ahead or behind,
        # and none when the base holds none there (the series' other editions are missing).
        ahead = _NEXT_BEFORE.search(p.folded, max(0, start - 24), start)
        behind = _LAST_BEFORE.search(p.folded, max(0, start - 24), start)
        if ahead or behind:
            # 'next year's summit': the year decides, when the base has its edition.
            candidates = [s for s in candidates if s.start.year in cues.years] or [
                s
                for s in candidates
                if (s.end >= p.on if ahead else s.start < p.on) and s.start <= p.on + _horizon(s)
            ]
        best = _edition(p, candidates, cues)
        if best is None:
            continue
        # Its year or month named beside it pins the edition; 'next year's summit' with no
        # edition next year is one the base lacks (a year given as a number may be any
        # other date of the sentence: 'the first summit since 2016').
        pinned = best.start.year in cues.years or best.start.month in cues.months
        if cues.relative_years and best.start.year not in cues.relative_years and not pinned:
            continue
        dated = pinned or bool(cues.relative_years or ahead or behind) or len(in_city) == 1
        readings.append(_NameReading(start, ids, candidates, best, pinned, dated))
    # A text that dates a name once means that edition wherever else it repeats the name
    # undated: 'the summit in Washington last November ... since then, the summit ...'.
    dated_ids = {r.best.id for r in readings if r.dated}
    for start, ids, candidates, best, pinned, dated in readings:
        if not dated and ids & dated_ids:
            best = min(
                (s for s in candidates if s.id in dated_ids),
                key=lambda s: abs((s.start - p.on).days),
                default=best,
            )
            pinned = best.id in dated_ids
        if start in described and not pinned and abs((best.start - p.on).days) > _DESCRIBED_NEAR:
            continue
        # The editions the name could mean on the article's date: not one years ahead.
        plausible = [s for s in candidates if s.start <= p.on + _horizon(s)] or candidates
        if abs((best.start - p.on).days) > _YEAR_DAYS and not pinned:
            # A year or more away and not dated by the text: the series' other edition, one
            # the base lacks ('the G7 summit' a year on), is as likely: reviewed.
            confidence = 0.75
        elif len(plausible) == 1:
            confidence = 0.9 if len(ids) == 1 else 0.85
        else:
            # Several editions left and only the article's date to choose: reviewed, unless
            # the article is of the edition's own days.
            near = abs((best.start - p.on).days) <= _NEWS_DAYS
            confidence = 0.85 if pinned or near else 0.75
        if best.planned:
            # Not held (yet): the press names a postponed meeting loosely ('a summit Canada
            # was meant to host this year'), and its dates are the plan's: reviewed.
            confidence = min(confidence, 0.75)
        p.record(
            kind=MentionKind.SUMMIT,
            entity=best.id,
            confidence=confidence,
            method="summit-name",
            at=start,
        )


# Days from a meeting within which a name made of its people's names still means it.
_DESCRIBED_NEAR = 60
_YEAR_DAYS = 365
_NEWS_DAYS = 14  # an article this close to an edition is news of it


# Spoken on the telephone or by video: a call in its own right, even with no meeting word.
# 'by phone' alone is not: 'they will keep talking by phone' refers to no call in particular.
_CALLS = {"phone call", "video call", "videollamada", "telephonique", "telefonica"}


def summits_held_remotely(p: Passage) -> None:
    """'una reunión virtual previa con Harris': a virtual meeting or call with an official the
    text names, the one its time cues point to, within a year of the article."""
    if REMOTE not in p.by_kind:
        return
    officials_found = p.found(MentionKind.OFFICIAL)
    remote = [s for s in p.kb.summits_attended(officials_found) if s.virtual]
    if not remote:
        return
    meeting_at = [m.start for m in p.by_kind.get(MEETING, [])]
    recent_at = [m.start for m in p.by_kind.get(RECENT, [])]
    for word in p.by_kind.get(REMOTE, []):
        sent_start, sent_end = p.sentences.span(word.start)
        # A call given a day is one call: 'spoke by phone on Monday', 'por teléfono ayer'.
        spoken = (
            p.folded[word.start : word.end] in _CALLS
            or any(sent_start <= at < sent_end for at in recent_at)
            or bool(_WEEKDAY.search(p.folded, sent_start, sent_end))
        )
        if not spoken and not any(sent_start <= at < sent_end for at in meeting_at):
            continue
        cues = _time_cues(p, word.start)
        # Without a date or 'last' the call is the news of the day, not one months back
        # ('the dialogue continues by telephone'); 'their last call' is one of the last
        # weeks: leaders call often, and the base holds few of their calls.
        earliest = -365 if cues.years or cues.months else -60 if cues.past else -14
        near = [s for s in remote if earliest <= (s.start - p.on).days <= 30]
        # A call is news once held: one still ahead is meant only when the sentence looks
        # ahead ('will speak by phone'), and one the sentence looks back on ('su llamada ... la
        # semana pasada') is not one of the weeks ahead.
        if (cues.past and not cues.future) or not (
            cues.future or _AHEAD.search(p.folded, sent_start, sent_end)
        ):
            near = [s for s in near if s.start <= p.on]
        # The call with the most of its participants named: 'a call with Trump' in a story
        # about Sheinbaum is her call, not Trudeau's of the same day.
        most = max((len(s.participant_ids & officials_found) for s in near), default=0)
        near = [s for s in near if len(s.participant_ids & officials_found) == most]
        if cues.months:
            # 'their call in March' is not February's: calls are many, the base holds few.
            near = [s for s in near if s.start.month in cues.months]
        days = _weekdays_named(p.on, p.folded[sent_start:sent_end])
        if days:
            # 'spoke by phone on Sunday': a call of another day is another call.
            near = [s for s in near if any(_held_within(s, day, 1) for day in days)]
        best = _edition(p, near, cues)
        if best is None:
            continue
        # 'Biden spoke by phone on Friday with López Obrador and Trudeau': two calls.
        for s in near:
            if s.start == best.start:
                p.record(
                    kind=MentionKind.SUMMIT,
                    entity=s.id,
                    confidence=0.7,
                    method="virtual-meeting",
                    at=word.start,
                )


_DAY = timedelta(days=1)
_WIDEST_WINDOW = 31  # days: a month


def summits_by_participants(p: Passage) -> None:
    """Unnamed: near its dates, naming at least two of its participants."""
    officials_found = p.found(MentionKind.OFFICIAL)
    if len(officials_found) < 2:
        return
    countries_found = {pl.country for pl in p.places}
    first_pos = {e: r.at for (k, e), r in p.results.items() if k == MentionKind.OFFICIAL}
    # The sentences that speak of meeting: a participant named in one of them is met.
    meeting_sentences = {p.sentences.index(m.start) for m in p.by_kind.get(MEETING, [])}
    meeting_sentences |= {p.sentences.index(m.start) for m in p.by_kind.get(TRIP, [])}
    remote = bool(p.by_kind.get(REMOTE))
    # From a week before a meeting to three days after it.
    latest_first, earliest_last = p.on + timedelta(days=7), p.on - timedelta(days=3)
    for summit in p.kb.summits_attended(officials_found):
        first, last = summit.first or summit.start, summit.last or summit.end
        if first > latest_first or last < earliest_last:
            continue
        # A call or video meeting is one only in a text that speaks of calling; a meeting
        # known only to its year is not met by whoever is named near its dates.
        if (summit.virtual and not remote) or (last - first).days > _WIDEST_WINDOW:
            continue
        named = summit.participant_ids & officials_found
        if len(named) < 2:
            continue
        place = _in_city(summit, p.folded) or summit.country_id in countries_found
        if (summit.planned or last > first + timedelta(days=7)) and not place:
            continue  # a whole month of dates, or none held: its place must be named
        # Away from its days, a story that names two of its people is about the meeting
        # only when one of them is said to meet or travel: 'Trump and Sheinbaum traded
        # words on tariffs' four days before they met is not.
        close = first - timedelta(days=1) <= p.on <= last + timedelta(days=1)
        if close or any(
            p.sentences.index(at) in meeting_sentences
            for o in named
            for at in p.mentions.get((MentionKind.OFFICIAL, o), ())
        ):
            p.record(
                kind=MentionKind.SUMMIT,
                entity=summit.id,
                confidence=0.7,
                method="date+participants",
                at=min(first_pos[o] for o in named),
            )


def _day_named(p: Passage, month: Match) -> date | None:
    """The date a month name with a day beside it means: the nearest to the article's date
    within 400 days before it or 200 after ('el próximo 8 de junio' a month ahead is this
    year's, not last year's)."""
    after = _DAY_AFTER.match(p.folded, month.end)
    before = None if after else _DAY_BEFORE.search(p.folded, max(0, month.start - 10), month.start)
    day_match = after or before
    if day_match is None:
        return None
    day = int(day_match.group(1))
    options = []
    for year in (p.on.year - 1, p.on.year, p.on.year + 1):
        try:
            options.append(date(year, month.key.entity, day))
        except ValueError:
            continue  # 29 February in a year without one, or no such day at all
    options = [d for d in options if -400 <= (d - p.on).days <= 200]
    if not options:
        return None
    return min(options, key=lambda d: abs((d - p.on).days))


def _named_in(p: Passage, start: int, end: int) -> set[int]:
    """The officials named (or referred to by their role) between two offsets."""
    return {
        entity
        for (kind, entity), at in p.mentions.items()
        if kind == MentionKind.OFFICIAL and any(start <= a < end for a in at)
    }


# A city's name in the other languages, and the capital named by its country.
_CITY_NAMES = {
    "mexico city": (
        "mexico city",
        "ciudad de mexico",
        "cdmx",
        "capital mexicana",
        "capitale mexicaine",
    ),
    "washington": ("washington", "capital estadounidense", "capitale americaine"),
    "panama city": ("panama city", "ciudad de panama"),
    "guatemala city": ("guatemala city", "ciudad de guatemala"),
}


def _in_city(summit: SummitEntry, text: str) -> bool:
    """Whether a folded text names the meeting's city, in any of the three languages."""
    if not summit.city:
        return False
    return any(name in text for name in _CITY_NAMES.get(summit.city, (summit.city,)))


_WEEKDAYS = {
    **dict.fromkeys(["monday", "lunes", "lundi"], 0),
    **dict.fromkeys(["tuesday", "martes", "mardi"], 1),
    **dict.fromkeys(["wednesday", "miercoles", "mercredi"], 2),
    **dict.fromkeys(["thursday", "jueves", "jeudi"], 3),
    **dict.fromkeys(["friday", "viernes", "vendredi"], 4),
    **dict.fromkeys(["saturday", "sabado", "samedi"], 5),
    **dict.fromkeys(["sunday", "domingo", "dimanche"], 6),
}
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")


def _weekdays_named(on: date, sentence: str) -> list[date]:
    """The days a folded sentence's weekdays may mean: the last one on or before the
    article's date, and the next one after it ('will meet on Friday')."""
    days = []
    for m in _WEEKDAY.finditer(sentence):
        target = _WEEKDAYS[m.group(1)]
        days.append(on - timedelta(days=(on.weekday() - target) % 7))
        days.append(on + timedelta(days=(target - on.weekday() - 1) % 7 + 1))
    return days


def _held_within(summit: SummitEntry, day: date, days: int) -> bool:
    """Whether a day is one of the meeting's or at most `days` away from them."""
    slack = timedelta(days=days)
    return (summit.first or summit.start) - slack <= day <= (summit.last or summit.end) + slack


def _held_on(summit: SummitEntry, day: date) -> bool:
    return (summit.first or summit.start) <= day <= (summit.last or summit.end)


def summits_by_date(p: Passage) -> None:
    """An earlier (or coming) meeting named by its date: 'talks that began on Dec. 27', or
    with no meeting word, its day with its city and one of its participants in the sentence:
    'the numbers that greeted Antony Blinken in Mexico City on December 27'. A day beside
    the meeting's counts when no meeting was held on the day itself: 'Ebrard left
    Washington on June 8 with an agreement' after talks that ended on the 7th."""
    meeting_at = sorted(m.start for m in p.by_kind.get(MEETING, []))
    officials_found = p.found(MentionKind.OFFICIAL)
    for month in p.by_kind.get(MONTH, []):
        when = _day_named(p, month)
        if when is None:
            continue
        around = [
            s
            for s in p.kb.summits.values()
            if (s.first or s.start) - _DAY <= when <= (s.last or s.end) + _DAY
        ]
        if not around:
            continue
        sent_start, sent_end = p.sentences.span(month.start)
        sentence = p.folded[sent_start:sent_end]
        i = bisect_right(meeting_at, sent_start - 1)
        if i >= len(meeting_at) or meeting_at[i] >= sent_end:
            named = _named_in(p, sent_start, sent_end)
            fits = [s for s in around if _in_city(s, sentence) and s.participant_ids & named]
        else:
            in_sentence = {pl.country for pl in p.places if sent_start <= pl.start < sent_end}
            fits = [s for s in around if _placed(s, sentence, in_sentence, officials_found)]
        held = [s for s in fits if _held_on(s, when)] or [
            s for s in fits if _held_on(s, when - _DAY) or _held_on(s, when + _DAY)
        ]
        for summit in held:
            p.record(
                kind=MentionKind.SUMMIT,
                entity=summit.id,
                confidence=0.75,
                method="date-reference",
                at=month.start,
            )


# A year right after a month, perhaps with its day: 'June 2021', 'junio de 2021', '8 juin 2021'.
_YEAR_OF_MONTH = re.compile(
    r"\.?(?: \d{1,2}(?:st|nd|rd|th)?,?)?(?: de| del)? ((?:19|20)\d\d)(?!\d)"
)


def _placed(
    summit: SummitEntry, sentence: str, countries: set[int], officials_found: set[int]
) -> bool:
    place = _in_city(summit, sentence) or (summit.country_id in countries)
    return bool(place or summit.participant_ids & officials_found)


# The seat of a government stands for its city: 'a visit to the White House'.
_SEATS = {
    "washington": ("white house", "casa blanca", "maison blanche", "oval office"),
    "ottawa": ("parliament hill", "rideau hall"),
    "mexico city": ("palacio nacional", "national palace", "palais national"),
    "palm beach": ("mar a lago",),
}


# The days ahead: 'next week', 'this weekend', 'la próxima semana', 'la semaine prochaine'.
_SOON = re.compile(
    r"\b(?:next week(?:end)?|this (?:coming )?weekend|la (?:proxima|siguiente) semana"
    r"|la semana (?:proxima|que viene)|el (?:proximo )?fin de semana|este fin de semana"
    r"|la semaine prochaine|le week-end prochain|ce week-end)\b"
)
_SOON_DAYS = 14

# A trip still to come: 'will travel', 'viajará', 'se rendra'.
_AHEAD = re.compile(
    r"\b(?:will|would|scheduled|planned|plans|expected|set to|viajara|visitara|hara|ira"
    r"|realizara|visitera|se rendra|fera)\b"
)
# Characters after a trip word within which its destination is named: 'visit to Ottawa',
# 'viaje a la Ciudad de México'.
_TRIP_REACH = 30


def _placed_in(summit: SummitEntry, sentence: str) -> bool:
    """Whether a folded sentence names the meeting's city or its seat of government."""
    return _in_city(summit, sentence) or any(
        seat in sentence for seat in _SEATS.get(summit.city, ())
    )


def _visitor_named(p: Passage, summit: SummitEntry, named: set[int]) -> bool:
    """Whether one of the meeting's participants from another country than its host's is
    among those named."""
    return any(
        p.kb.officials[o].country_id != summit.country_id for o in summit.participant_ids & named
    )


def summits_described(p: Passage) -> None:
    """A meeting described, not named: a visit or trip by one of its participants to its place,
    in a sentence that names the meeting's month or says 'last week', near the article's date:
    'Harris is scheduled to travel to Guatemala and Mexico in early June'. A meeting word
    ('dialogue', 'meeting') instead of a trip needs the city itself ('in Washington'), not
    only its country; and a day the sentence gives must be one of the meeting's."""
    officials_found = p.found(MentionKind.OFFICIAL)
    if not officials_found:
        return
    attended = [
        s for s in p.kb.summits_attended(officials_found) if not s.virtual and not s.planned
    ]
    near = [s for s in attended if -400 <= (s.start - p.on).days <= 90]
    # Years back, read only in a sentence that gives a month its year ('in June 2021').
    earlier = [s for s in attended if (s.start - p.on).days < -400]
    # The years the sentences give their months ('in June 2021'), by sentence.
    month_years: dict[int, set[int]] = {}
    for m in p.by_kind.get(MONTH, []):
        if y := _YEAR_OF_MONTH.match(p.folded, m.end):
            month_years.setdefault(p.sentences.span(m.start)[0], set()).add(int(y.group(1)))
    if not month_years:
        earlier = []
    if not near and not earlier:
        return
    summits_at = [r.at for (kind, _), r in p.results.items() if kind == MentionKind.SUMMIT]
    seen: set[int] = set()
    worded: set[int] = set()
    trips: set[int] = set()
    meetings: set[int] = set()
    for word in p.by_kind.get(TRIP, []) + p.by_kind.get(MEETING, []):
        start = p.sentences.span(word.start)[0]
        if word.key.kind == TRIP:
            trips.add(start)
        else:
            meetings.add(start)
        worded.add(start)
    # Without a trip or meeting word, a visitor in the meeting's city in its month: 'in
    # October, when Trudeau spent two days in Mexico City'.
    dated = {p.sentences.span(m.start)[0] for m in p.by_kind.get(MONTH, [])}
    # ... or a month counted from the article's: 'came to the White House last month'.
    for phrase in _RELATIVE_MONTH_PHRASES:
        at = p.folded.find(phrase)
        while at >= 0:
            dated.add(p.sentences.span(at)[0])
            at = p.folded.find(phrase, at + 1)
    recent = [(m.start, m.end) for m in p.by_kind.get(RECENT, [])]
    # With no meeting of the last year or so, only the sentences that date a month by its year.
    for sent_start in sorted(worded | dated if near else month_years):
        _, sent_end = p.sentences.span(sent_start)
        sentence = p.folded[sent_start:sent_end]
        # A meeting already found in the sentence by its name or date is the one it
        # describes.
        if any(sent_start <= at < sent_end for at in summits_at):
            continue
        # Only the months count here: the years and directions of _time_cues are not read.
        months = _months_named(p, sent_start, sent_end, sentence)
        named: set[int] | None = None  # the officials of the sentence, read when needed
        years = month_years.get(sent_start, set()) if months else set()
        visits = near + [s for s in earlier if s.start.year in years] if years else near
        if sent_start not in worded:
            visits = [s for s in visits if _placed_in(s, sentence)] if months else []
            if not visits:
                continue
            named = _named_in(p, sent_start, sent_end)
            visits = [s for s in visits if _visitor_named(p, s, named)]
        in_sentence = {pl.country for pl in p.places if sent_start <= pl.start < sent_end}
        lately = any(sent_start <= start and end <= sent_end for start, end in recent)
        soon = ("week" in sentence or "semana" in sentence or "semaine" in sentence) and bool(
            _SOON.search(sentence)
        )
        # 'Mexico will open the tournament on June 11': a day given is not any day that month.
        days_given = [
            day
            for m in p.by_kind.get(MONTH, [])
            if sent_start <= m.start < sent_end and (day := _day_named(p, m))
        ]
        weekdays: list[date] | None = None
        weekday_meeting: bool | None = None  # a meeting word and a weekday in the sentence
        fits = []
        for s in visits:
            if days_given and not any(
                (s.first or s.start) - _DAY <= day <= (s.last or s.end) + _DAY for day in days_given
            ):
                continue
            days = (s.start - p.on).days
            # Further back than 400 days only with its year in the sentence: 'her first
            # foreign trip, in June 2021, took her to Mexico City'.
            if soon:
                # 'Next weekend, Ebrard is scheduled to host Pompeo in Mexico City': the
                # meeting of the days ahead with one of its people, whatever else the sentence
                # dates.
                if named is None:
                    named = _named_in(p, sent_start, sent_end)
                if not (0 <= days <= _SOON_DAYS and s.participant_ids & named):
                    continue
            elif months:
                # 'in June 2021' is not June 2024.
                if s.start.month not in months or (years and s.start.year not in years):
                    continue
            elif lately:
                if not -14 <= days <= 0:
                    continue
            else:
                # 'the three days of talks in Washington with Pence and Pompeo': two of its
                # participants together pin a meeting of the last weeks, or of the week ahead;
                # fewer, with no month and no 'last week', are too loose.
                # On the meeting's days, or with one of them named ('on Friday'), one
                # participant is enough: 'Blinken today joined ministers at a meeting in Lima'.
                if named is None:
                    named = _named_in(p, sent_start, sent_end)
                met = len(s.participant_ids & named)
                if weekday_meeting is None:
                    weekday_meeting = sent_start in meetings and bool(_WEEKDAY.search(sentence))
                if weekdays is None and (
                    met == 1 or (not met and weekday_meeting and _in_city(s, sentence))
                ):
                    weekdays = _weekdays_named(p.on, sentence)
                its_day = met == 1 and (
                    _held_within(s, p.on, 2) or any(_held_on(s, day) for day in weekdays or ())
                )
                # A meeting word, its city and one of its days: 'Thursday's meeting in Lima'.
                its_day = its_day or bool(
                    weekdays
                    and weekday_meeting
                    and any(_held_on(s, day) for day in weekdays)
                    and _in_city(s, sentence)
                )
                # A visitor's trip to its city in the last weeks needs no date: 'since Biden's
                # visit to Ottawa'.
                visited = (
                    -45 <= days <= 0
                    and any(
                        _in_city(s, p.folded[t.end : t.end + _TRIP_REACH])
                        for t in p.by_kind.get(TRIP, [])
                        if sent_start <= t.start < sent_end
                    )
                    and not _FUTURE.search(sentence)
                    and not _AHEAD.search(sentence)
                    and _visitor_named(p, s, named)
                )
                if not ((met >= 2 and -45 <= days <= 7) or its_day or visited):
                    continue
            if _placed_in(s, sentence) or (sent_start in trips and s.country_id in in_sentence):
                fits.append(s)
        # The nearest meeting in each place the sentence names: 'two days in Mexico City, a
        # day after a tense Oval Office session' is two meetings.
        by_city: dict[str, SummitEntry] = {}
        for s in sorted(fits, key=lambda s: abs((s.start - p.on).days)):
            by_city.setdefault(s.city, s)
        for best in by_city.values():
            if best.id not in seen:
                seen.add(best.id)
                p.record(
                    kind=MentionKind.SUMMIT,
                    entity=best.id,
                    confidence=0.7,
                    method="described",
                    at=sent_start,
                )
