"""The tagger's knowledge base: names folded and compiled once per process into an automaton.

Text and names are folded the same way before matching: lower-cased, accents dropped,
look-alike letters from other scripts mapped to Latin, hyphens and dashes read as spaces.
Folding keeps every character at its offset, so a match in the folded text points straight
back at the original sentence.
"""

# Look-alike letters and dashes are the point here; word lists read best as text.
# ruff: noqa: RUF001, SIM905

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, Self

import ahocorasick
from django.db import connection

from articles.tagging.language import common_in
from summits.cues import cue_groups_marked, word_forms
from summits.dates import span_window
from summits.models import (
    Country,
    Official,
    OfficialAlias,
    Policy,
    PolicyAlias,
    PolicyEvent,
    Recogniser,
    RoleTenure,
    Summit,
    SummitParticipant,
    SummitStatus,
)

# Cyrillic and Greek letters that machine translation and spam swap in for Latin ones.
_CONFUSABLES = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ӏ": "l",
    "һ": "h",
    "ԛ": "q",
    "ԝ": "w",
    "ь": "b",
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "μ": "m",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ζ": "z",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "′": "'",
    "`": "'",
    "´": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "-": " ",
    "‐": " ",
    "‑": " ",
    "‒": " ",
    "–": " ",
    "—": " ",
    "―": " ",
    "\u00ad": " ",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\n": " ",
    "\r": " ",
    "\t": " ",
}
_TABLE: dict[int, str] = {ord(k): v for k, v in _CONFUSABLES.items()}


def _fold_char(ch: str) -> str:
    if ch in _CONFUSABLES:
        return _CONFUSABLES[ch]
    low = ch.lower()
    if len(low) != 1:
        return ch
    low = _CONFUSABLES.get(low, low)
    bare = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
    return bare if len(bare) == 1 else low


def fold(text: str) -> str:
    """Lower-case, accent- and script-folded text of exactly the same length."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    # str.translate looks up every character; the few that change are rare in news text, so
    # a regex finds them at C speed and only those go through Python.
    for ch, repl in _FREQUENT:
        if ch in low:
            low = low.replace(ch, repl)
    if low.isascii():
        return low
    # Text in another script (Cyrillic, Greek) is mostly letters to fold: one table lookup per
    # character beats a Python call per letter once more than about one in twelve needs it.
    if (len(low.encode()) - len(low)) * 12 > len(low):
        return low.translate(_FOLD_TABLE)
    return _NEEDS_FOLDING.sub(_fold_match, low)


# Newlines, dashes and curly quotes are everywhere in news text: str.replace is cheaper.
_FREQUENT = [(ch, _CONFUSABLES[ch]) for ch in "\n-’—–“”\t\r\u00a0"]
_NEEDS_FOLDING = re.compile(r"[^\x20-\x2c\x2e-\x5f\x61-\x7e]")


class _FoldTable(dict[int, str]):
    """Every character's folded form, computed the first time it is met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def _fold_match(match: re.Match[str]) -> str:
    ch = match.group()
    folded = _TABLE.get(ord(ch))
    if folded is None:
        folded = _TABLE[ord(ch)] = _fold_char(ch)
    return folded


_COMPACT = re.compile(r"[\s'.\"]+")


@lru_cache(maxsize=100_000)
def compact(text: str) -> str:
    """Folded with spaces, hyphens, dots and apostrophes removed: 'Mayor-kas' == 'Mayorkas'."""
    return _COMPACT.sub("", fold(text))


# The sound key's rules, applied in this order: 'eau|au' -> o, 'ph' -> f, 'th' -> t,
# 'ck|qu|q' -> k, 'c' before e/i/y -> s, other 'c' -> k, z -> s, 'll' -> y, j/x/h dropped,
# y -> i, v -> b, w -> u, and repeated letters once. Literal rules are str.replace (the same
# left-to-right, non-overlapping replacement as a regex, at a fraction of the call's cost).
_SOFT_C = re.compile(r"c(?=[eiy])")
_REPEATS = re.compile(r"(.)\1+")
_SOUND_LETTERS = str.maketrans({"c": "k", "z": "s", "j": "", "x": "", "h": "", "y": "i",
                                "v": "b", "w": "u"})  # fmt: skip


@lru_cache(maxsize=100_000)
def phonetic(text: str) -> str:
    """A crude cross-language sound key for names: Alexandro ~ Alejandro, Trudo ~ Trudeau."""
    key = compact(text)
    if "au" in key:
        key = key.replace("eau", "o").replace("au", "o")
    if "h" in key:
        key = key.replace("ph", "f").replace("th", "t")
    if "q" in key or "ck" in key:
        key = key.replace("ck", "k").replace("qu", "k").replace("q", "k")
    if "c" in key:
        key = _SOFT_C.sub("s", key)
    if "ll" in key:
        key = key.replace("ll", "y")
    key = key.translate(_SOUND_LETTERS)
    # A template (r"\1") is expanded in Python on every match; most words have no repeat.
    return _REPEATS.sub(_first_group, key) if _REPEATS.search(key) else key


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)


TITLE_WORDS = set(
    """
president presidente presidenta prime premier minister ministre ministro ministra secretary
secretario secretaria secretaire canciller chancellor adviser advisor ambassador embajador
embajadora ambassadeur ambassadrice senator senador senadora sen rep gov governor gobernador
gobernadora mr mrs ms dr m mme sr sra lic vice deputy envoy enviado envoye czar chief homeland
security state foreign affairs immigration public safety white house mandatario mandataria
premiere primer primera vicepresidente vicepresidenta pm vp
""".split()
)

PARTICLES = {
    "de",
    "del",
    "la",
    "las",
    "los",
    "van",
    "von",
    "der",
    "da",
    "das",
    "do",
    "dos",
    "di",
    "du",
    "le",
    "y",
}

# Surnames shared by many people, or that are ordinary words: alone, they need context.
COMMON_SURNAMES = set(
    """
miller blair rice johnson harris brown smith jones williams davis wilson anderson taylor thomas
moore martin jackson white lee clark lewis walker hall allen young king wright scott green baker
adams nelson hill campbell mitchell roberts carter phillips evans turner parker collins edwards
stewart morris murphy cook rogers morgan bell cooper ward wood rose price bush ford grant hunt fox
long gray grey black may march hope church cross chase dean english fisher frank glass golden
hardy house james jordan justice law lord love mann mark marsh mason park rich sharp short stone
wall west wise banks bishop bond cash field fields gates hunter knight lane little mills page
power powers reed rice ross sanders shaw snow spencer stone street summers waters watson wells
sullivan kelly perry murray ryan ellis graham russell griffin hayes myers ford hamilton
wallace cole gibson tucker porter hunter palmer holmes freeman wells webb simpson stevens
tucker boyd mason dixon hunt warren fox rose burns gordon shaw holmes rice robertson lynch
kennedy stone dunn payne pierce berry andrews harper wagner george lawrence reid lane
lopez garcia gonzalez rodriguez hernandez martinez perez sanchez ramirez flores diaz torres cruz
reyes morales ortiz gutierrez chavez ramos ruiz vargas castillo jimenez moreno romero herrera
medina aguilar guerrero rojas fuente leon paz santos silva pardo blanco rubio navarro delgado
vega castro mendoza soto luna rios ibarra
bernard dubois robert richard petit durand leroy moreau simon laurent lefebvre michel blanc roy
fraser leblanc gauthier morin
""".split()
)


@dataclass
class OfficialEntry:
    id: int
    name: str
    country_id: int
    full_compacts: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)


@dataclass
class Tenure:
    official_id: int
    role: str
    country_id: int
    start: date
    end: date | None
    office: str = ""  # folded: 'vice president of the united states'

    def active_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass
class SummitEntry:
    id: int
    title: str
    start: date
    end: date
    city: str  # folded
    country_id: int | None
    participant_ids: set[int]
    virtual: bool = False  # held by video or telephone: a leaders' call, a virtual meeting
    # The days its dates may stand for (a meeting known only to the month: the whole month).
    first: date | None = None
    last: date | None = None
    planned: bool = False  # planned or postponed: talked about long before it happens


@dataclass
class RecogniserEntry:
    kind: str  # MentionKind value: "policy" or "summit"
    entity_id: int
    groups: int
    confidence: float
    valid_from: date | None
    valid_until: date | None
    carried: frozenset[int] = frozenset()  # groups that may be met in the sentence before
    # Groups with a country's possessive ('Mexico's'): group -> those countries. 'its' meets
    # such a group when the country named last before it is one of them.
    possessed: dict[int, frozenset[int]] = field(default_factory=dict)

    def applies_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass
class RecogniserBits:
    """Recognisers' cue groups as bits of one number: recogniser r's groups are a run of
    bits (`runs[r]`) with a spare bit above it, so that one addition tells which
    recognisers a text has every group of (KnowledgeBase.recognisers_complete)."""

    feet: int = 0  # the lowest bit of every run
    tops: int = 0  # the spare bit above every run
    owner: dict[int, int] = field(default_factory=dict)  # a spare bit's position -> r
    runs: list[int] = field(default_factory=list)
    at: list[int] = field(default_factory=list)  # where each recogniser's run starts
    size: int = 0  # bits taken so far

    def add(self, groups: int) -> None:
        start = self.size
        self.size += groups + 1
        self.at.append(start)
        self.runs.append(((1 << groups) - 1) << start)
        if groups:  # a recogniser with no group is never complete
            self.feet |= 1 << start
            self.tops |= 1 << (start + groups)
            self.owner[start + groups] = len(self.runs) - 1

    def of(self, cues: Iterable[tuple[int, int]]) -> int:
        bits = 0
        for r, group in cues:
            bits |= 1 << (self.at[r] + group)
        return bits


class LiveRecognisers(NamedTuple):
    ids: set[int]  # indices into KnowledgeBase.recognisers
    cues: int  # their runs of bits: a cue key with none of them is of no use


@dataclass
class KnowledgeBase:
    automaton: Any
    countries: dict[int, str]
    country_iso: dict[int, str]
    officials: dict[int, OfficialEntry]
    policies: dict[int, str]
    policy_since: dict[int, date]  # first dated event: no article long before is about it
    summits: dict[int, SummitEntry]
    tenures: list[Tenure]
    # Fuzzy matching: compact full names and surnames, each with the officials they name.
    full_variants: list[str]
    full_owner: list[int]
    full_first: list[str]  # phonetic first token of each full variant
    full_rest: list[str]  # phonetic rest of each full variant
    full_phonetic: list[str]
    surname_variants: list[str]
    surname_phonetic: list[str]
    surname_owners: list[set[int]]
    surname_set: set[str]  # surname_variants as a set
    surname_common: set[str]
    sound_prefixes: set[str]
    # Word-by-word translated policy names: sets of concept ids, with their policy.
    policy_concepts: list[tuple[frozenset[str], int]]
    # Cue groups that refer to a policy or summit without its name; CUE keys index this.
    recognisers: list[RecogniserEntry]
    recogniser_bits: RecogniserBits
    known_words: set[str]
    signature: tuple[Any, ...]
    built_at: float
    checked_at: float
    # Fuzzy results by capitalised span, valid for this compilation only.
    fuzzy_cache: dict[tuple[str, ...], Any] = field(default_factory=dict)
    # The tenures of each country and of each official, in the order of `tenures`: a text
    # asks about a few officials, not about all of them.
    _country_tenures: dict[tuple[int, str], list[Tenure]] = field(init=False, repr=False)
    _official_tenures: dict[int, list[Tenure]] = field(init=False, repr=False)
    _iso_country: dict[str, int] = field(init=False, repr=False)

    # Each translated name filed under one of its concepts, the one fewest names share.
    _concept_names: dict[str, list[int]] = field(init=False, repr=False)
    # The meetings of each official, as positions in `summits`: a text names a few officials,
    # and the meeting rules need only the meetings one of them attended.
    _official_summits: dict[int, list[int]] = field(init=False, repr=False)
    _summit_list: list[SummitEntry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._country_tenures, self._official_tenures = {}, {}
        for t in self.tenures:
            for role in dict.fromkeys(("", t.role)):  # any role, and this one
                self._country_tenures.setdefault((t.country_id, role), []).append(t)
            self._official_tenures.setdefault(t.official_id, []).append(t)
        self._iso_country = {}
        for country, iso in self.country_iso.items():
            self._iso_country.setdefault(iso, country)
        sharing: dict[str, int] = defaultdict(int)
        for concepts, _policy in self.policy_concepts:
            for concept in concepts:
                sharing[concept] += 1
        self._concept_names = {}
        for i, (concepts, _policy) in enumerate(self.policy_concepts):
            rarest = min(concepts, key=lambda c: (sharing[c], c))
            self._concept_names.setdefault(rarest, []).append(i)
        self._summit_list = list(self.summits.values())
        self._official_summits = {}
        for i, summit in enumerate(self._summit_list):
            for official in summit.participant_ids:
                self._official_summits.setdefault(official, []).append(i)

    def summits_attended(self, officials: Iterable[int]) -> list[SummitEntry]:
        """The meetings one of `officials` took part in, in the order of `summits`."""
        at = {i for official in officials for i in self._official_summits.get(official, ())}
        return [self._summit_list[i] for i in sorted(at)]

    def policy_concepts_within(self, present: set[str]) -> list[tuple[frozenset[str], int]]:
        """The entries of `policy_concepts` whose every concept is present, in their order."""
        found = sorted(i for concept in present for i in self._concept_names.get(concept, ()))
        return [self.policy_concepts[i] for i in found if self.policy_concepts[i][0] <= present]

    def recognisers_complete(self, keys: Iterable["Key"], on: date) -> LiveRecognisers:
        """The recognisers every group of which has a cue among `keys` (CUE keys), of those
        that apply on the date."""
        seen = 0
        for key in keys:
            seen |= key.bits
        bits = self.recogniser_bits
        # A recogniser's groups are a run of bits with a spare one above: adding one at the
        # run's foot carries into the spare bit only when every group is there.
        complete = (seen + bits.feet) & bits.tops
        ids: set[int] = set()
        cues = 0
        while complete:
            top = complete & -complete
            complete ^= top
            r = bits.owner[top.bit_length() - 1]
            if self.recognisers[r].applies_on(on):
                ids.add(r)
                cues |= bits.runs[r]
        return LiveRecognisers(ids, cues)

    def holders(
        self, *, country_id: int, role: str, on: date, office: str = "", incoming: bool = False
    ) -> list[int]:
        """Officials holding a role for a country on a date, newest appointment first.

        `office`: words the office's title must contain ('vice president', 'united states'
        for an ambassador there); `incoming`: whoever takes the role up within 150 days after
        the date.
        """
        found = [
            t
            for t in self._country_tenures.get((country_id, role), ())
            if office in t.office
            and (on < t.start <= on + timedelta(days=150) if incoming else t.active_on(on))
        ]
        if incoming:
            found = sorted(found, key=lambda t: t.start)[:1]
        found.sort(key=lambda t: t.start, reverse=True)
        # A handover day (one ends, the next starts) goes to the newcomer.
        if len(found) > 1 and found[0].start > found[1].start:
            return [found[0].official_id]
        return [t.official_id for t in found]

    def country_of_iso(self, iso: str) -> int | None:
        """The country with an ISO 3166 code (the first, should two share it)."""
        return self._iso_country.get(iso)

    def in_office(self, *, official_id: int, on: date, role: str = "") -> bool:
        return any(
            t.active_on(on) and (not role or t.role == role)
            for t in self._official_tenures.get(official_id, ())
        )

    def in_office_near(self, *, official_id: int, on: date, days: int = 365) -> bool:
        """In some office within `days` of the date: a surname alone can still mean them."""
        margin = timedelta(days=days)
        return any(
            t.start - margin <= on and (t.end is None or on <= t.end + margin)
            for t in self._official_tenures.get(official_id, ())
        )

    def role_on(self, *, official_id: int, on: date) -> Tenure | None:
        tenures = self._official_tenures.get(official_id, ())
        return next((t for t in tenures if t.active_on(on)), None)


# Payload kinds stored on automaton keys.
(
    COUNTRY,
    OFFICIAL_FULL,
    OFFICIAL_SHORT,
    POLICY,
    SUMMIT,
    BLOCK,
    CONCEPT,
    MONTH,
    MEETING,
    ROLE_ANCHOR,
    CUE,
    REMOTE,
    TRIP,
    RECENT,
) = (
    "country",
    "official_full",
    "official_short",
    "policy",
    "summit",
    "block",
    "concept",
    "month",
    "meeting",
    "role_anchor",
    "cue",
    "remote",
    "trip",
    "recent",
)

# Words that say a meeting was held by video or telephone.
REMOTE_WORDS = [
    *"""
virtual virtuel virtuelle virtuelles videoconference videoconferencia videollamada visioconference
teleconference telefonica telefonico telephonique
""".split(),
    *["video call", "phone call", "by video", "por video", "llamada", "appel"],
    *["by phone", "by telephone", "por telefono", "au telephone", "par telephone", "phoned"],
    *["telephoned", "spoke by phone", "hablo por telefono", "conversacion telefonica"],
]

# Words of a visit or trip, besides the meeting words: 'scheduled to travel to Mexico'
# (a final * matches any ending).
TRIP_WORDS = """
travel travels travelled travelling traveled traveling trip viaj* voyage* reunira rencontrera
recibira recevra visit* host hosts hosting dinner cena dine dined diner
""".split()

# Words that date something to the last few days: 'last week', 'ayer', 'la veille'.
RECENT_WORDS = [
    *["last week", "a day earlier", "yesterday", "the day before", "la semana pasada", "ayer"],
    *["el dia anterior", "la semaine derniere", "hier", "la veille"],
]

# Every role phrase the tagger resolves contains one of these words.
ROLE_ANCHORS = """
minister ministre ministro ministra secretary secretario secretaria secretaire president
presidente presidenta canciller diplomat diplomatie diplomacia chief mandatario mandataria
ambassador ambassadeur ambassadrice embajador embajadora vicepresidente vicepresidenta
counterpart counterparts homologue homologues homologo homologa homologos
""".split()

MONTHS = {
    **dict.fromkeys(["jan", "january", "enero", "janvier"], 1),
    **dict.fromkeys(["feb", "february", "febrero", "fevrier", "fevr"], 2),
    **dict.fromkeys(["mar", "march", "marzo", "mars"], 3),
    **dict.fromkeys(["apr", "april", "abril", "avril"], 4),
    **dict.fromkeys(["may", "mayo", "mai"], 5),
    **dict.fromkeys(["jun", "june", "junio", "juin"], 6),
    **dict.fromkeys(["jul", "july", "julio", "juillet"], 7),
    **dict.fromkeys(["aug", "august", "agosto", "aout"], 8),
    **dict.fromkeys(["sep", "sept", "september", "septiembre", "septembre"], 9),
    **dict.fromkeys(["oct", "october", "octubre", "octobre"], 10),
    **dict.fromkeys(["nov", "november", "noviembre", "novembre"], 11),
    **dict.fromkeys(["dec", "december", "diciembre", "decembre"], 12),
}

# Words that say a sentence is about a meeting, in English, Spanish and French.
MEETING_WORDS = """
talks meeting meetings met meet meets summit dialogue visit visited negotiations delegation
hosted host hosts conversaciones reunion reuniones reunirse reunieron reunio cumbre dialogo
visita negociaciones delegacion recibio recibe pourparlers rencontre rencontrer rencontres
sommet entretiens entretenu negociations accueille gathering encuentro entretien ministerial
ministerielle reunira reuniran
""".split()

# Region words that contain a country's demonym but are not about that country.
_BLOCK_PHRASES = [
    "north american",
    "north americans",
    "north america",
    "latin america",
    "latin american",
    "latin americans",
    "central america",
    "central american",
    "central americans",
    "south america",
    "south american",
    "south americans",
    "america latina",
    "america del norte",
    "america central",
    "amerique latine",
    "amerique du nord",
    "amerique centrale",
    "nord americain",
    "nord americaine",
    "nord americains",
    "nord americaines",
    "latino americain",
    "latino americaine",
    "centre americain",
    "new mexico",
    "nuevo mexico",
    "nouveau mexique",
    "british columbia",
    "canadian tire",
]

# Translations of words that occur in policy names, for names translated word by word.
CONCEPT_WORDS: dict[str, list[str]] = {
    "migrant": ["migrant", "migrants", "migrante", "migrantes", "immigrant", "immigrants"],
    "protection": ["protection", "protections", "proteccion", "protecciones"],
    "protocol": ["protocol", "protocols", "protocolo", "protocolos", "protocole", "protocoles"],
    "remain": [
        "remain",
        "stay",
        "quedate",
        "quedarse",
        "permanecer",
        "permanezca",
        "rester",
        "restez",
        "reste",
        "demeurer",
        "wait",
        "esperar",
        "espera",
        "attendre",
    ],
    "safe": ["safe", "seguro", "segura", "sur", "surs", "sure", "sures"],
    "third": ["third", "tercer", "tercero", "tiers", "tierce"],
    "country": ["country", "countries", "pais", "paises", "pays"],
    "agreement": ["agreement", "acuerdo", "entente", "accord", "convenio", "pact", "pacto"],
    "title": ["title", "titulo", "titre"],
    "declaration": ["declaration", "declaracion"],
    "migration": ["migration", "migracion", "migratoire"],
    "mexico": ["mexico", "mexique"],
}
_CONCEPT_OF = {w: c for c, words in CONCEPT_WORDS.items() for w in words}
STOPWORDS = set(
    """
the a an of in on at to for and or by with from as de del la las los el en a y o para por al
le les du des d l et au aux un une of under sur pour que
""".split()
)

ACRONYM_TOKEN = re.compile(r"\b[A-Z][A-Z.]{1,}\b")


def case_mask(name: str) -> tuple[tuple[int, int], ...]:
    """Offsets of all-capitals tokens ('MPP', 'U.S.', 'LA') that must be capitals in the text."""
    return tuple((m.start(), m.end()) for m in ACRONYM_TOKEN.finditer(name) if len(m.group()) > 1)


_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def _name_tokens(name: str) -> list[str]:
    """Split a person's name, keeping 'de la Fuente' together; initials and 'Jr.' dropped."""
    raw = [
        t
        for t in name.replace(",", " ").split()
        if t.lower() not in _SUFFIXES and not re.fullmatch(r"\w\.?", t)
    ]
    groups: list[str] = []
    pending: list[str] = []
    for tok in raw:
        if tok.lower() in PARTICLES and groups:
            pending.append(tok)
            continue
        groups.append(" ".join([*pending, tok]))
        pending = []
    return groups


_ORDINAL = re.compile(
    r"^(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|[ivx]+e?|\d+(?:st|nd"
    r"|rd|th|e|er|a|o)?|primera|segunda|tercera|premier|premiere|deuxieme|troisieme)\s+",
    re.IGNORECASE,
)


# A place at the end of a long name: 'Conference on Prosperity and Security in Central America'.
_PLACE_AFTER = re.compile(r"^((?:\S+\s+){3,}\S+?)\s+(?:in|en)\s+(?:\S+\s*){1,3}$")


def _summit_names(names: list[str]) -> set[str]:
    """Names as given, and without '(Washington)', a leading 'Ninth' or a trailing year; a
    name of four words or more also without the place at its end ('in Central America')."""
    out = set()
    for name in names:
        if not name:
            continue
        out.add(name)
        bare = re.sub(r"\s*\([^)]*\)\s*$", "", name)
        bare = re.sub(r"\s+(?:19|20)\d\d$", "", bare)
        bare = _ORDINAL.sub("", bare)
        if len(bare) >= 8 or bare.isupper():
            out.add(bare)
        if placed := _PLACE_AFTER.match(bare):
            out.add(placed.group(1))
    return out


def _signature() -> tuple[Any, ...]:
    """Row counts and highest ids of the knowledge-base tables: cheap, one query."""
    tables = [
        m._meta.db_table
        for m in (
            Country,
            Official,
            OfficialAlias,
            Policy,
            PolicyAlias,
            PolicyEvent,
            Recogniser,
            RoleTenure,
            Summit,
            SummitParticipant,
        )
    ]
    # Table names come from our own models, not from input.
    parts = ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)}), "  # noqa: S608
        f"(SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(t)})"
        for t in tables
    )
    # Total name lengths catch most renames in place (an alias corrected in admin) at once;
    # the others are picked up when the compiled base reaches KB_MAX_AGE_SECONDS.
    named = [
        (Official, "name"),
        (OfficialAlias, "name"),
        (PolicyAlias, "name"),
        (Summit, "title"),
        (Recogniser, "cues"),
    ]
    parts += "".join(
        f", (SELECT COALESCE(SUM(LENGTH({connection.ops.quote_name(column)})), 0) "  # noqa: S608
        f"FROM {connection.ops.quote_name(m._meta.db_table)})"
        for m, column in named
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return tuple(row) if row else ()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", fold(text))


@lru_cache(maxsize=200_000)
def sound_prefix(word: str) -> str:
    """The first three letters of a word's sound key: 'Mallorkas' and 'Mayorkas' share 'mai'."""
    return phonetic(word)[:3]


def entry_surnames(officials: dict[int, OfficialEntry]) -> list[str]:
    return [s for entry in officials.values() for s in entry.surnames]


def full_variants_last(officials: dict[int, OfficialEntry]) -> list[str]:
    """Every word after the first of each full name ('Sherwood', 'Randall', 'Obrador')."""
    words = []
    for entry in officials.values():
        for n in entry.full_compacts:
            groups = _name_tokens(n)
            for group in groups[1:]:
                words += re.split(r"[\s\-]+", group)
            if len(groups) == 2:
                words.append(groups[0] + groups[1])  # fused: 'LopezObrador'
    return words


class Key(NamedTuple):
    """What one name in the automaton stands for; a name may stand for several things."""

    kind: str  # COUNTRY, OFFICIAL_FULL, ... below
    entity: int = 0  # the entity's id; a month's number for MONTH
    method: str = ""
    confidence: float = 0.0
    case: tuple[tuple[int, int], ...] = ()  # all-capitals pieces the text must match (case_mask)
    needs_context: bool = False  # OFFICIAL_SHORT: a surname shared by many, or a common word
    proper: bool = False  # POLICY: the name starts with a capital letter
    concept: str = ""  # CONCEPT: the concept a translated word stands for
    # CUE: the (recogniser, group) pairs the word belongs to, one key for all of them: a common
    # cue word ('asylum') is in many recognisers, and each key is a match to store per hit.
    cues: tuple[tuple[int, int], ...] = ()
    prefix: bool = False  # CUE: the word matches any ending ('deport*')
    common_in: frozenset[str] = frozenset()  # an acronym that is a common word in these languages
    bits: int = 0  # CUE: `cues` as one number (see RecogniserBits)


class Keys(tuple[Key, ...]):
    """What one name stands for, and the same keys, each with its kind, grouped by kind in
    the order each kind first comes (`filing`): a reader files each match under its kind in
    one step."""

    filing: tuple[tuple[str, Key], ...]

    @classmethod
    def of(cls, keys: list[Key]) -> Self:
        grouped: dict[str, list[Key]] = {}
        for key in keys:
            grouped.setdefault(key.kind, []).append(key)
        if keys and keys[0].kind != BLOCK:
            # A region phrase hides a demonym only where it is what the name is first.
            grouped.pop(BLOCK, None)
        found = cls(keys)
        found.filing = tuple((kind, key) for kind, group in grouped.items() for key in group)
        return found


_LETTER_DASH_DIGIT = re.compile(r"\b[A-Za-z]-\d")
_LETTER_SPACE_DIGIT = re.compile(r"\b([a-z]) (\d)")


class _Keys:
    """Folded names and what each stands for, gathered before the automaton is built."""

    def __init__(self) -> None:
        self.keys: dict[str, list[Key]] = defaultdict(list)
        # Equal keys and key lists are stored once: the forms of one cue word all stand for
        # the same recognisers, and a worker keeps the automaton in memory for its life.
        self._interned: dict[Key, Key] = {}

    def add(self, name: str, key: Key) -> None:
        folded = re.sub(r" +", " ", fold(name).strip())
        if key.case and " " not in folded:
            key = key._replace(common_in=common_in(name))  # 'DANS' is French for 'in'
        if "'" in folded and " " in folded:
            # 'North American Leaders Summit' is written without its apostrophe too.
            self._add(re.sub(r" +", " ", folded.replace("'", "")), key)
        if key.kind in (POLICY, SUMMIT) and " " in folded and re.search(r"\b[A-Z]{2,}\b", name):
            # 'CBP One' fused into 'CBPOne' (no capitals to check once fused).
            self._add(folded.replace(" ", ""), key._replace(case=()))
        if key.kind in (POLICY, SUMMIT) and _LETTER_DASH_DIGIT.search(name):
            # 'H-2A' is written 'H2A' too.
            self._add(_LETTER_SPACE_DIGIT.sub(r"\1\2", folded), key._replace(case=()))
        self._add(folded, key)

    def _add(self, folded: str, key: Key) -> None:
        if len(folded) >= 2 and key not in self.keys[folded]:
            self.keys[folded].append(self._interned.setdefault(key, key))

    def automaton(self) -> Any:
        automaton = ahocorasick.Automaton()
        interned: dict[tuple[Key, ...], Keys] = {}

        def once(keys: list[Key]) -> Keys:
            found = interned.get(tuple(keys))
            if found is None:
                found = interned[tuple(keys)] = Keys.of(keys)
            return found

        for name, keys in self.keys.items():
            # Prefix keys apart: a match that runs on into a longer word keeps only those.
            prefixes = once([k for k in keys if k.prefix])
            # Acronyms are checked against the text's capitals and language.
            checked = any(k.case for k in keys)
            automaton.add_word(name, (len(name), once(keys), prefixes, checked))
        automaton.make_automaton()
        return automaton

    def known_words(self) -> set[str]:
        """Words of names that are not people's: a capitalised run of them names nobody."""
        kinds = (COUNTRY, POLICY, SUMMIT, BLOCK, CONCEPT)
        return {
            w
            for name, keys in self.keys.items()
            for w in name.split()
            if any(k.kind in kinds for k in keys)
        }


def _compile_countries(keys: _Keys) -> tuple[dict[int, str], dict[int, str]]:
    countries: dict[int, str] = {}
    country_iso: dict[int, str] = {}
    for c in Country.objects.all():
        countries[c.pk] = c.name_en
        country_iso[c.pk] = c.iso2
        for n in [c.name_en, c.name_es, c.name_fr, *c.aliases]:
            if n:
                keys.add(n, Key(COUNTRY, c.pk, "country-name", 0.95, case_mask(n)))
        for n in [*c.demonyms_en, *c.demonyms_es, *c.demonyms_fr]:
            if n:
                keys.add(n, Key(COUNTRY, c.pk, "demonym", 0.9, case_mask(n)))
    return countries, country_iso


def _compile_words(keys: _Keys) -> None:
    """Region phrases that block a demonym, months, meeting words and role anchors."""
    for phrase in _BLOCK_PHRASES:
        keys.add(phrase, Key(BLOCK))
    for word, month in MONTHS.items():
        keys.add(word, Key(MONTH, month))
    for word in MEETING_WORDS:
        keys.add(word, Key(MEETING))
    for word in ROLE_ANCHORS:
        keys.add(word, Key(ROLE_ANCHOR))
    for word in REMOTE_WORDS:
        keys.add(word, Key(REMOTE))
    for word in TRIP_WORDS:
        keys.add(word.rstrip("*"), Key(TRIP, prefix=word.endswith("*")))
    for word in RECENT_WORDS:
        keys.add(word, Key(RECENT))


def _official_names(name: str, aliases: list[str]) -> tuple[set[str], dict[str, bool]]:
    """Full names, and surnames with whether each is weak (needs context even when unique)."""
    groups = _name_tokens(name)
    full = {name}
    shorts: dict[str, bool] = {}
    if len(groups) >= 2:
        last = groups[-1]
        if " " in last or len(groups) == 2:
            shorts[last] = False
            full.add(f"{groups[0]} {last}")
        else:
            shorts[groups[-2]] = False
            shorts[last] = True
            full.add(f"{groups[0]} {groups[-2]}")
    for alias in aliases:
        if len(alias.split()) == 1:
            shorts[alias] = False
        else:
            full.add(alias)
    return full, shorts


def _compile_officials(keys: _Keys) -> tuple[dict[int, OfficialEntry], set[str]]:
    officials: dict[int, OfficialEntry] = {}
    surname_common: set[str] = set()
    alias_rows: dict[int, list[str]] = defaultdict(list)
    for a in OfficialAlias.objects.all():
        alias_rows[a.official_id].append(a.name)
    for o in Official.objects.all():
        entry = OfficialEntry(id=o.pk, name=o.name, country_id=o.country_id)
        officials[o.pk] = entry
        full, shorts = _official_names(o.name, alias_rows[o.pk])
        for n in full:
            keys.add(n, Key(OFFICIAL_FULL, o.pk, "name", 0.95, case_mask(n)))
            entry.full_compacts.append(n)
        for n, weak in shorts.items():
            common = weak or compact(n) in COMMON_SURNAMES
            if common:
                surname_common.add(compact(n))
            keys.add(
                n, Key(OFFICIAL_SHORT, o.pk, "surname", 0.85, case_mask(n), needs_context=common)
            )
            entry.surnames.append(n)
    return officials, surname_common


@dataclass
class _Policies:
    names: dict[int, str]
    since: dict[int, date]
    concepts: list[tuple[frozenset[str], int]]


def _compile_policies(keys: _Keys) -> _Policies:
    since: dict[int, date] = {}
    for event in PolicyEvent.objects.all():
        if event.policy_id not in since or event.date < since[event.policy_id]:
            since[event.policy_id] = event.date
    policies = _Policies(names={}, since=since, concepts=[])
    alias_rows: dict[int, list[str]] = defaultdict(list)
    for pa in PolicyAlias.objects.all():
        alias_rows[pa.policy_id].append(pa.name)
    for p in Policy.objects.all():
        policies.names[p.pk] = p.name
        for n in [p.name, *alias_rows[p.pk]]:
            acronym = bool(re.fullmatch(r"[A-Z0-9.\-]+", n.strip()))
            method, confidence = ("acronym", 0.85) if acronym else ("policy-name", 0.95)
            keys.add(n, Key(POLICY, p.pk, method, confidence, case_mask(n), proper=n[:1].isupper()))
            concepts = frozenset(_CONCEPT_OF.get(w, w) for w in _words(n) if w not in STOPWORDS)
            if len(concepts) >= 2 and (concepts, p.pk) not in policies.concepts:
                policies.concepts.append((concepts, p.pk))
    for concepts, _pk in policies.concepts:
        for concept in concepts:
            for word in CONCEPT_WORDS.get(concept, [concept]):
                keys.add(word, Key(CONCEPT, concept=concept))
    return policies


_REMOTE_KINDS = {"virtual_meeting", "leaders_call"}
_REMOTE_WORDS = re.compile(r"\b(?:virtual|virtuelle?|call|llamada|appel|videoconference)\b")


def _compile_summits(keys: _Keys) -> dict[int, SummitEntry]:
    summits: dict[int, SummitEntry] = {}
    participants: dict[int, set[int]] = defaultdict(set)
    for sp in SummitParticipant.objects.all():
        participants[sp.summit_id].add(sp.official_id)
    for s in Summit.objects.all():
        window = span_window(start=s.start_date, end=s.end_date, precision=s.date_precision)
        summits[s.pk] = SummitEntry(
            id=s.pk,
            title=s.title,
            start=s.start_date,
            end=s.end_date,
            city=fold(s.city),
            country_id=s.country_id,
            participant_ids=participants[s.pk],
            # Its kind or place says so: a title may name a call it followed ('meeting with
            # López Obrador after the April call').
            virtual=s.kind in _REMOTE_KINDS or bool(_REMOTE_WORDS.search(fold(s.city))),
            first=window.first,
            last=window.last,
            planned=s.status in (SummitStatus.PLANNED, SummitStatus.POSTPONED),
        )
        for n in _summit_names([s.title, *s.aliases]):
            keys.add(n, Key(SUMMIT, s.pk, "summit-name", 0.9, case_mask(n)))
    return summits


@dataclass
class _FuzzyIndex:
    """Compact full names and surnames, each with the officials they name (for rapidfuzz)."""

    full_variants: list[str] = field(default_factory=list)
    full_owner: list[int] = field(default_factory=list)
    full_first: list[str] = field(default_factory=list)
    full_rest: list[str] = field(default_factory=list)
    full_phonetic: list[str] = field(default_factory=list)
    surname_index: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


def _fuzzy_index(officials: dict[int, OfficialEntry]) -> _FuzzyIndex:
    index = _FuzzyIndex()
    for entry in officials.values():
        for n in entry.full_compacts:
            groups = _name_tokens(n)
            if len(groups) < 2 or fold(groups[0]).strip(".") in TITLE_WORDS:
                continue
            index.full_variants.append(compact(n))
            index.full_owner.append(entry.id)
            index.full_first.append(phonetic(groups[0]))
            index.full_rest.append(phonetic(" ".join(groups[1:])))
            index.full_phonetic.append(phonetic(n))
        for n in entry.surnames:
            index.surname_index[compact(n)].add(entry.id)
        for n in entry.full_compacts:
            # 'LopezObrador' fused into one word should find the person too.
            if len(_name_tokens(n)) == 2 and not n.split()[0].isupper():
                index.surname_index[compact(n)].add(entry.id)
        entry.full_compacts = [compact(n) for n in entry.full_compacts]
    return index


def _sound_prefixes(officials: dict[int, OfficialEntry]) -> set[str]:
    """A capitalised span is worth fuzzy matching only if one of its words sounds like the
    start of a surname: this keeps rapidfuzz off most capitalised words in news text."""
    surname_words = [w for s in entry_surnames(officials) for w in re.split(r"[\s\-]+", s)]
    surname_words += full_variants_last(officials)
    return {sound_prefix(w) for w in surname_words if len(compact(w)) >= 3}


# The pronoun that stands for a country's possessive in a cue group: 'Its National Guard'.
POSSESSIVE_PRONOUN = "its"
_POSSESSIVE_CUE = re.compile(r"^(.+?)['’]s$")


def _country_names() -> dict[str, int]:
    """Every country's names, folded: a cue's possessive ('Mexico's') is read against them."""
    names: dict[str, int] = {}
    for c in Country.objects.all():
        for n in [c.name_en, c.name_es, c.name_fr, *c.aliases]:
            if n:
                names[fold(n).strip()] = c.pk
    return names


def _possessed(groups: list[list[str]], names: dict[str, int]) -> dict[int, frozenset[int]]:
    found: dict[int, frozenset[int]] = {}
    for number, words in enumerate(groups):
        owners = set()
        for word in words:
            m = _POSSESSIVE_CUE.match(word.strip())
            if m and fold(m.group(1)).strip() in names:
                owners.add(names[fold(m.group(1)).strip()])
        if owners:
            found[number] = frozenset(owners)
    return found


def _compile_recognisers(keys: _Keys) -> tuple[list[RecogniserEntry], RecogniserBits]:
    entries: list[RecogniserEntry] = []
    bits = RecogniserBits()
    owners: dict[tuple[str, bool], list[tuple[int, int]]] = defaultdict(list)
    names = _country_names()
    for r in Recogniser.objects.order_by("pk"):
        try:
            groups = cue_groups_marked(r.cues)
        except ValueError:
            continue  # saved around the form's check; admin shows the problem on the row
        kind, entity = ("policy", r.policy_id) if r.policy_id else ("summit", r.summit_id)
        if entity is None:
            continue
        index = len(entries)
        entries.append(
            RecogniserEntry(
                kind=kind,
                entity_id=entity,
                groups=len(groups),
                confidence=r.confidence,
                valid_from=r.valid_from,
                valid_until=r.valid_until,
                carried=frozenset(n for n, group in enumerate(groups) if group.carried),
                possessed=_possessed([group.words for group in groups], names),
            )
        )
        bits.add(len(groups))
        for number, group in enumerate(groups):
            if number in entries[-1].possessed:
                owners[(POSSESSIVE_PRONOUN, False)].append((index, number))
            for word in group.words:
                forms, prefix = word_forms(word)
                for form in forms:
                    if (index, number) not in owners[(form, prefix)]:
                        owners[(form, prefix)].append((index, number))
    for (form, prefix), cues in owners.items():
        keys.add(form, Key(CUE, cues=tuple(cues), prefix=prefix, bits=bits.of(cues)))
    return entries, bits


def _tenures() -> list[Tenure]:
    return [
        Tenure(
            official_id=t.official_id,
            role=t.role,
            country_id=t.country_id,
            start=t.start,
            end=t.end,
            office=fold(t.office),
        )
        for t in RoleTenure.objects.all()
    ]


def knowledge_base_compile() -> KnowledgeBase:
    """Read the knowledge base from the database and compile it."""
    signature = _signature()
    keys = _Keys()
    countries, country_iso = _compile_countries(keys)
    _compile_words(keys)
    officials, surname_common = _compile_officials(keys)
    policies = _compile_policies(keys)
    summits = _compile_summits(keys)
    recognisers, recogniser_bits = _compile_recognisers(keys)
    sound_prefixes = _sound_prefixes(officials)
    fuzzy = _fuzzy_index(officials)
    surname_variants = list(fuzzy.surname_index)
    return KnowledgeBase(
        automaton=keys.automaton(),
        countries=countries,
        country_iso=country_iso,
        officials=officials,
        policies=policies.names,
        policy_since=policies.since,
        summits=summits,
        tenures=_tenures(),
        full_variants=fuzzy.full_variants,
        full_owner=fuzzy.full_owner,
        full_first=fuzzy.full_first,
        full_rest=fuzzy.full_rest,
        full_phonetic=fuzzy.full_phonetic,
        surname_variants=surname_variants,
        surname_phonetic=[phonetic(s) for s in surname_variants],
        surname_owners=[fuzzy.surname_index[s] for s in surname_variants],
        surname_set=set(surname_variants),
        surname_common=surname_common,
        sound_prefixes=sound_prefixes,
        policy_concepts=policies.concepts,
        recognisers=recognisers,
        recogniser_bits=recogniser_bits,
        known_words=keys.known_words(),
        signature=signature,
        built_at=time.monotonic(),
        checked_at=time.monotonic(),
    )


# A long-lived worker recompiles when rows are added or removed (the signature changes) and,
# to pick up an alias renamed in place, at least this often.
KB_MAX_AGE_SECONDS = 300.0

_kb: KnowledgeBase | None = None
# Set inside knowledge_base_pinned(): the base was checked when the block began.
_pinned: ContextVar[bool] = ContextVar("knowledge_base_pinned", default=False)


def knowledge_base_get(*, max_unchecked_seconds: float = 0.0) -> KnowledgeBase:
    """The compiled knowledge base of this process, recompiled when the tables changed.

    With `max_unchecked_seconds`, a knowledge base checked that recently is used unchecked:
    a tight loop over many texts then costs no query per text.
    """
    global _kb
    if _kb is not None:
        if _pinned.get():
            return _kb
        now = time.monotonic()
        if now - _kb.checked_at < max_unchecked_seconds:
            return _kb
        if now - _kb.built_at < KB_MAX_AGE_SECONDS and _signature() == _kb.signature:
            _kb.checked_at = now
            return _kb
    _kb = knowledge_base_compile()
    return _kb


def knowledge_base_reset() -> None:
    """Drop the compiled knowledge base; the next tagging call compiles it again."""
    global _kb
    _kb = None


def knowledge_base_is_pinned() -> bool:
    return _pinned.get()


@contextmanager
def knowledge_base_pinned() -> Iterator[None]:
    """Check the knowledge base for changes once, then use it unchecked inside the block.

    For a batch (one feed's entries): the per-text check costs more than tagging a summary.
    A row deleted meanwhile is caught when the mentions are written (see
    tagger.article_mentions_write).
    """
    if _pinned.get():
        yield
        return
    knowledge_base_get()
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)
