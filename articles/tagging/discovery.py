"""Discovery: what the news names that the knowledge base lacks, proposed to editors.

Three kinds of candidate come out of tagged articles:

- a *meeting*: in a sentence with meeting words (met, talks, reunión, llamada, rencontre,
  appel…), officials of at least two of the United States, Mexico and Canada, on a day with
  no recorded meeting between those countries. Stories of the same countries within two days
  of each other make one candidate.
- a *person*: a title and a name ("Secretary X", "canciller X", "la ministre X") whose name
  is no official's in the knowledge base.
- an *alias*: a name that closely resembles a known official's (RapidFuzz) but is neither
  their name nor an alias.

Candidates are written to DiscoveryCandidate, one row per key, so running twice changes
nothing. A dismissed candidate comes back only with new evidence; nothing enters the
knowledge base here.
"""

# Word lists read best as text; names carry typographic apostrophes and dashes.
# ruff: noqa: SIM905, RUF001

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from rapidfuzz import fuzz, process

from articles.models import (
    VISIBLE_STATUSES,
    Article,
    CandidateKind,
    CandidateStatus,
    DiscoveryCandidate,
    DiscoveryRun,
    DiscoveryRunStatus,
    Mention,
    MentionKind,
)
from articles.tagging.kb import MONTHS, fold
from summits.dates import DatePrecision, DateWindow, span_window
from summits.models import (
    Country,
    Official,
    OfficialAlias,
    Summit,
    SummitParticipant,
    SummitStatus,
)

CORE = ("US", "MX", "CA")
# Stories of one meeting are dated within this many days of each other; a recorded meeting
# this close (beyond its own window) already covers a story.
MEETING_DAYS = 2
# A discovery run re-reads the articles tagged this long before the last run ended.
RUN_OVERLAP = timedelta(minutes=10)
# A sentence and its evidence are cut to this length.
SENTENCE_CHARS = 600
# A candidate keeps this many evidence sentences.
EVIDENCE_KEPT = 30
# A name at least this similar (RapidFuzz ratio, 0-100) to a known official's is an alias.
ALIAS_SIMILARITY = 90
# Or: the same surname (at least this long) and a first name this similar, same initial.
SURNAME_CHARS = 5
FIRST_NAME_SIMILARITY = 60


def min_articles(kind: str) -> int:
    """How many articles a candidate of this kind needs before editors see it."""
    if kind == CandidateKind.MEETING:
        return settings.TRACKER_DISCOVERY_MIN_MEETING_ARTICLES
    return settings.TRACKER_DISCOVERY_MIN_ARTICLES


# --- words --------------------------------------------------------------------------------

_MEETING = re.compile(
    r"\b(?:"
    + "|".join(
        """
met meet meets meeting meetings talks talked spoke speak speaks phone call calls summit
visit visited visiting hosted hosts host reunion reuniones reunio reunieron reunira reuniran
reunirse reunirán conversaron conversacion conversation conversations hablo hablaron
llamada llamadas telefonica cumbre visita visito visitara recibio recibe encuentro
rencontre rencontres rencontrer rencontrera entretenu entretenus entretien entretiens appel
appels telephonique sommet visite pourparlers negotiations negociaciones negociations
dialogue dialogo bilateral bilaterale bilaterales trilateral trilaterale
""".split()
    )
    + r")\b"
)
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
_YESTERDAY = re.compile(r"\b(?:yesterday|ayer|hier)\b")
_TODAY = re.compile(r"\b(?:today|tonight|this morning|hoy|esta manana|aujourd'hui|ce matin)\b")
_AHEAD = re.compile(
    r"\b(?:will|next|upcoming|plans? to|expect|expected|expects|scheduled|set to|proxim[oa]s?|"
    r"cuando|"
    r"previst[oa]s?|sera|seran|reunira|reuniran|sostendra|sostendran|tendra|tendran|"
    r"viajara|viajaran|visitara|recibira|discutira|prochaine?s?|prevue?s?|doit|doivent|"
    r"devrait|devraient|rencontrera|rencontreront|va|vont)\b"
)
# A meeting that might have been, or one placed only roughly in time: no day to propose.
_UNSURE = re.compile(
    r"\b(?:(?:would|could|might) have|podria haber|habria|aurait (?:ete|pu)|"
    r"days (?:before|after|earlier|later)|last week|earlier this (?:week|month|year)|"
    r"recently|weeks ago|months ago|la semana pasada|hace (?:unos|varios|dos|tres) "
    r"(?:dias|semanas|meses)|dias antes|la semaine (?:derniere|passee)|il y a (?:quelques|"
    r"deux|trois) (?:jours|semaines|mois)|quelques jours|recemment|recientemente)\b"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_LOOKING_BACK = re.compile(
    r"\b(?:last year|el ano pasado|l'an dernier|l'annee derniere|in the past|years ago|"
    r"hace (?:dos|tres|unos|varios) anos|il y a (?:deux|trois|quelques) ans)\b"
)
_MONTH_DAY = re.compile(
    r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.? (\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(?:er)? (?:de )?(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"
)

# Titles before a name, in English, Spanish and French (matched in folded text).
_TITLES = """
secretary secretario secretaria secretaire minister ministre ministro ministra ambassador
ambassadeur ambassadrice embajador embajadora canciller chancellor president presidente
presidenta commissioner comisionado comisionada governor gobernador gobernadora gouverneur
gouverneure envoy enviado enviada envoye adviser advisor asesor asesora conseiller conseillere
undersecretary subsecretario subsecretaria senator senador senadora senateur senatrice
representative congressman congresswoman congresista diputado diputada depute deputee premier
mayor alcalde alcaldesa maire mairesse counsel consejero consejera director directora
directeur directrice chief commander comandante general spokesman spokeswoman spokesperson
portavoz vocero vocera critic jefe jefa head coordinator coordinador coordinadora
coordonnateur coordonnatrice administrator administrador administradora titular encargado
encargada fiscal procurador procuradora judge juez jueza juge consul consule admiral
almirante amiral colonel coronel leader lider chef
""".split()
# Titles that are everyday words too ('in general, the …', 'the chief reason', 'el mayor
# número'): a title only when capitalised in the text, or right before a capitalised word or
# the preposition of an office ('le chef de l'opposition Pierre Poilievre').
_CAPITALISED_TITLES = {
    *"general chief premier critic counsel director mayor head titular leader chef fiscal".split(),
    *"judge juez juge".split(),
}
# Words that make a capitalised run an institution, a law or a place, not a person: 'Reserve
# Bank', 'Affordable Care Act', 'European Union Gordon Sondland' (the name is what follows).
_INSTITUTION_WORDS = set(
    """
act acts bank union agency agencies department departement departamento council
commission comision committee comite tribunal corte board service services servicio
force forces fuerza guard guardia patrol patrulla party partido parti group grupo groupe
company compania corporation corp inc ltd llc association asociacion university universidad
universite institute instituto institut ministry ministerio ministere office oficina bureau
program programa programme plan ley loi bill treaty tratado traite agreement acuerdo
accord sales motors airlines news times press journal network foundation fundacion
army ejercito armee navy iglesia hospital school escuela ecole county condado
province provincia state estado etat district distrito region
declaration declaracion sheet festival fund fondo fonds securities operation operacion czar zar
tsar project proyecto projet
""".split()
)
# Places a title's office names, beyond the knowledge base's countries: 'ambassador to Britain
# Liu Xiaoming', 'Governor of South Dakota Kristi Noem', 'la gobernadora de Sonora'.
_PLACES = set(
    """
alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho
illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada hampshire york dakota ohio oklahoma
oregon pennsylvania rhode tennessee texas utah vermont wisconsin wyoming ontario quebec
manitoba saskatchewan brunswick scotia newfoundland labrador yukon nunavut territories
aguascalientes baja campeche chiapas chihuahua coahuila colima durango guanajuato jalisco
michoacan nayarit oaxaca puebla queretaro potosi sinaloa sonora tabasco tamaulipas tlaxcala
veracruz yucatan zacatecas britain england scotland wales ireland china japan india russia
ukraine france germany spain italy portugal brazil argentina chile peru ecuador venezuela
bolivia paraguay uruguay cuba haiti panama nicaragua belize jamaica taiwan korea iran iraq
syria turkey egypt nigeria australia europe european africa beijing madrid moscow tokyo kyiv
toronto montreal vancouver tijuana monterrey guadalajara tapachula miami chicago north south
east west new nord sud norte san
""".split()
)
# Courtesy titles and ranks that are not part of the name: 'adviser Dr Elizabeth …'.
_HONORIFICS = {"dr", "mr", "mrs", "ms", "sr", "sra", "srta", "mme", "mlle", "m", "lic", "ing"}
# Words of an office's name between the title and the person's name.
_OFFICE_WORDS = set(
    """
of for the de del la las los des du d a aux y and et on en
homeland security state foreign affairs public safety immigration citizenship refugees
commerce treasury defense defence justice labor labour trade finance interior international
development emergency preparedness border national general attorney deputy vice chief staff
prime first under assistant estado etat economy republic republica senate senado council
privy king's relaciones exteriores gobernacion seguridad ciudadana hacienda
economia bienestar defensa proteccion civil interior affaires etrangeres securite publique
frontalier frontaliere commerce internationale emploi citoyennete relations exterior external
global house white energy health environment agriculture transportation governance
government gobierno gouvernement federal federale minister ministre ministro ministra
comercio tesoro trabajo salud energia educacion turismo agricultura comunicaciones
transportes ambiente medio cultura migracion derechos humanos poblacion asuntos
multilaterales norte america finances sante travail refugies frontieres nationale executive
officer operating staff narcotics navy army armed forces patrol guard
nations naciones unidas unies czar zar tsar former acting interim outgoing incoming designate
designated then current saliente entrante designado designada nuevo nueva actual nouveau
nouvelle ancien ancienne sortant adjoint adjointe adjunto adjunta interino interina top
regional
secretary secretario secretaria secretaire senior special u.s us usa u.s.a united states
mexican mexicano mexicana mexico canadian canadien canadienne canada canadiense american
estadounidense americain americaine
""".split()
)
_NAME_TOKEN = r"[A-ZÀ-ÞĀ-Ž][\w'’\-]+\.?"  # noqa: S105 (a pattern, not a password)
_PARTICLES = {"de", "del", "la", "las", "los", "van", "von", "da", "dos", "du", "le", "y"}
_NOT_NAMES = set(
    """
the el la le les los las a an and y et of de on in en to with con avec said dijo a
monday tuesday wednesday thursday friday saturday sunday lunes martes miercoles jueves viernes
sabado domingo lundi mardi mercredi jeudi vendredi samedi dimanche ottawa washington mexico
city ciudad canada house casa blanca maison blanche palacio nacional palace parliament
""".split()
) | set(MONTHS)
_CAPITALISED_RUN = re.compile(
    r"(?<![\w'’])"
    + _NAME_TOKEN
    + r"(?:\s+(?:(?:de|del|la|van|von|da|dos|du|le)\s+)*"
    + _NAME_TOKEN
    + r"){1,3}"
)
# The rest is a lookahead: a title inside another's rest ('Secretaries X and Y', 'Minister X
# and Ambassador Y') starts a match of its own.
_TITLE_THEN_NAME = re.compile(
    r"(?<![\w])(?P<title>"
    + "|".join(_TITLES)
    + r")(?:s|es)?\b(?=(?P<rest>(?:[ ,]+[\w'’.\-]+){1,12}))",
)
_WORD_GOES_ON = re.compile(r"[\w'’\-]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[\"“«¿¡(]?[A-ZÀ-Þ0-9])|\n+")


# --- reading one article ----------------------------------------------------------------


@dataclass
class Sentence:
    text: str
    folded: str


# Abbreviations a sentence does not end at: 'Mr. Smith', 'Antony J. Blinken', 'Gen. Kelly'.
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:mr|mrs|ms|dr|sr|sra|srta|st|gen|gov|sen|rep|lic|mme|mlle|m|no|[a-z])\.$"
)


def sentences_of(text: str) -> list[Sentence]:
    """The text's sentences, each with its folded form (same length)."""
    out: list[str] = []
    start = 0
    ends = [m for m in _SENTENCE_END.finditer(text) if "\n" in m.group()]
    ends += [
        m
        for m in _SENTENCE_END.finditer(text)
        if "\n" not in m.group()
        and not _ABBREVIATION.search(fold(text[max(0, m.start() - 6) : m.start()]))
    ]
    for m in sorted(ends, key=lambda m: m.start()):
        piece = text[start : m.start()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    out.append(text[start:].strip())
    return [Sentence(piece, fold(piece)) for piece in out if piece]


@dataclass
class OfficialInfo:
    id: int
    name: str
    country: str  # ISO2
    names: list[str]  # folded: name, aliases, surnames
    head: bool = False  # ever a head of government


@dataclass
class KnownBase:
    """What discovery needs from the knowledge base, read once per run."""

    officials: dict[int, OfficialInfo]
    known_names: dict[str, int]  # folded name or alias -> official id
    choices: list[str]  # folded full names and aliases, for fuzzy matching
    summits: list[tuple[date, date, frozenset[str], frozenset[int]]]
    countries: list[tuple[re.Pattern[str], str]]  # folded names and demonyms -> ISO2
    place_words: set[str]  # every word of those names
    # folded surname -> (folded first name, official id) of every name and alias
    by_surname: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def recorded(self, *, on: date, countries: Iterable[str], officials: Iterable[int]) -> bool:
        """Whether a recorded meeting between two of these countries is on or near that day."""
        wanted, who = set(countries), set(officials)
        margin = timedelta(days=MEETING_DAYS)
        return any(
            first - margin <= on <= last + margin
            and (len(wanted & core) >= 2 or len(who & participants) >= 2)
            for first, last, core, participants in self.summits
        )

    def countries_in(self, folded: str) -> set[str]:
        return {iso2 for pattern, iso2 in self.countries if pattern.search(folded)}


def _surnames(name: str) -> list[str]:
    words = [w for w in fold(name).replace(".", "").split() if w not in _PARTICLES]
    if len(words) < 2:
        return words
    out = [words[-1]]
    if len(words) >= 3:
        out.append(" ".join(words[-2:]))
    return out


def known_base() -> KnownBase:
    """The officials, names, meetings and countries discovery compares articles with."""
    iso = dict(Country.objects.values_list("pk", "iso2"))
    aliases: dict[int, list[str]] = defaultdict(list)
    for official_id, name in OfficialAlias.objects.values_list("official_id", "name"):
        aliases[official_id].append(name)
    heads = set(
        Official.objects.filter(tenures__role="head_of_government").values_list("pk", flat=True)
    )
    officials: dict[int, OfficialInfo] = {}
    known: dict[str, int] = {}
    for pk, name, country_id in Official.objects.values_list("pk", "name", "country_id"):
        full = [name, *aliases[pk]]
        names = {fold(n) for n in full} | set(_surnames(name))
        officials[pk] = OfficialInfo(pk, name, iso[country_id], sorted(names), pk in heads)
        for n in full:
            known.setdefault(" ".join(fold(n).replace(".", "").split()), pk)
    summits = []
    participants: dict[int, set[int]] = defaultdict(set)
    for summit_id, official_id in SummitParticipant.objects.values_list("summit_id", "official_id"):
        participants[summit_id].add(official_id)
    core_of: dict[int, set[str]] = defaultdict(set)
    for summit_id, country_id in Summit.countries.through.objects.values_list(
        "summit_id", "country_id"
    ):
        core_of[summit_id].add(iso[country_id])
    for s in Summit.objects.all():
        if s.status in (SummitStatus.POSTPONED, SummitStatus.CANCELLED):
            continue  # it did not take place on its dates: another meeting may have
        if s.date_precision == DatePrecision.APPROXIMATE:
            # The stored day is the best guess; MEETING_DAYS either side is margin enough.
            window = DateWindow(s.start_date, s.end_date)
        else:
            window = span_window(start=s.start_date, end=s.end_date, precision=s.date_precision)
        summits.append(
            (
                window.first,
                window.last,
                frozenset(core_of[s.pk] & set(CORE)),
                frozenset(participants[s.pk]),
            )
        )
    countries = []
    place_words: set[str] = set()
    for c in Country.objects.all():
        words = {c.name_en, c.name_es, c.name_fr, *c.aliases}
        words |= {*c.demonyms_en, *c.demonyms_es, *c.demonyms_fr}
        for w in words:
            folded = fold(w).strip()
            place_words |= {word.strip(".") for word in folded.split()}
            if len(folded) >= 3:
                countries.append((re.compile(r"(?<!\w)" + re.escape(folded) + r"(?!\w)"), c.iso2))
    by_surname: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, pk in known.items():
        parts = [w for w in key.split() if w not in _PARTICLES]
        if len(parts) >= 2 and (parts[0], pk) not in by_surname[parts[-1]]:
            by_surname[parts[-1]].append((parts[0], pk))
    return KnownBase(
        officials, known, sorted(known), summits, countries, place_words, dict(by_surname)
    )


def _dates_named(sentence: str, published: date) -> list[tuple[int, date]]:
    """Dates a sentence spells out ('March 28', '28 de marzo'), where they stand, within 45
    days before the article or 30 after it."""
    years = {int(y) for y in _YEAR.findall(sentence)}
    found = []
    for m in _MONTH_DAY.finditer(sentence):
        month = MONTHS[m.group(1) or m.group(4)]
        day = int(m.group(2) or m.group(3))
        year_options = (
            sorted(years) if len(years) == 1 else [published.year + d for d in (-1, 0, 1)]
        )
        options = []
        for year in year_options:
            try:
                options.append(date(year, month, day))
            except ValueError:
                continue
        options = [d for d in options if -45 <= (d - published).days <= 30]
        if options:
            found.append((m.start(), min(options, key=lambda d: abs((d - published).days))))
    return found


def _meeting_day(sentence: str, published: date, *, named: bool = False) -> date | None:
    """The day a meeting sentence speaks of: the date, 'yesterday' or weekday nearest its
    meeting word, else the article's day (unless `named`: only a day the sentence names).
    None when it looks back years (a meeting long past is not news) or ahead with no day."""
    meeting_at = [m.start() for m in _MEETING.finditer(sentence)] or [0]
    cues = _dates_named(sentence, published)
    if not cues:
        years = {int(y) for y in _YEAR.findall(sentence)}
        if (years and years != {published.year}) or _LOOKING_BACK.search(sentence):
            return None
        if _UNSURE.search(sentence):
            return None
    # Looking ahead near a meeting word, not anywhere: 'there will be no tariff war, after
    # the call they held on Wednesday'.
    ahead = any(
        at - 80 <= m.start() <= at + 40 for m in _AHEAD.finditer(sentence) for at in meeting_at
    )
    cues += [(m.start(), published - timedelta(days=1)) for m in _YESTERDAY.finditer(sentence)]
    cues += [(m.start(), published) for m in _TODAY.finditer(sentence)]
    for m in _WEEKDAY.finditer(sentence):
        target = _WEEKDAYS[m.group(1)]
        if ahead:
            cues.append((m.start(), published + timedelta(days=(target - published.weekday()) % 7)))
        else:
            cues.append((m.start(), published - timedelta(days=(published.weekday() - target) % 7)))
    if cues:
        # The cue nearest a meeting word is the meeting's: 'spoke by phone on Friday ... after
        # the April 28 election', 'announced Monday, after a second call that day' against
        # 'tariffs due on Tuesday'.
        return min(cues, key=lambda c: min(abs(c[0] - at) for at in meeting_at))[1]
    # A meeting to come with no day named: its day is not known yet.
    return None if ahead or named else published


@dataclass
class MeetingFinding:
    article_id: int
    day: date
    countries: frozenset[str]
    officials: frozenset[int]
    evidence: list[str]
    published: date
    title: str
    remote: bool = False


_REMOTE = re.compile(
    r"\b(?:phone|call|calls|llamada|telefonica|telefonico|telephonique|appel|virtual|virtuelle?|"
    r"video|videoconference|videoconferencia|visioconference)\b"
)


def _officials_in(folded: str, officials: Iterable[OfficialInfo]) -> set[int]:
    found = set()
    for o in officials:
        for name in o.names:
            i = folded.find(name)
            while i >= 0:
                end = i + len(name)
                if (i == 0 or not folded[i - 1].isalnum()) and (
                    end == len(folded) or not folded[end].isalnum()
                ):
                    found.add(o.id)
                    break
                i = folded.find(name, i + 1)
            if o.id in found:
                break
    return found


def meeting_findings(
    *,
    article_id: int,
    title: str,
    sentences: Sequence[Sentence],
    published: date,
    mentioned: dict[int, str],
    kb: KnownBase,
) -> list[MeetingFinding]:
    """The meetings one article reports: per day, the officials of two or more of the three
    countries named in its meeting sentences. `mentioned`: official id -> evidence sentence."""
    officials = [kb.officials[pk] for pk in mentioned if pk in kb.officials]
    if len({o.country for o in officials} & set(CORE)) < 2:
        return []
    by_evidence: dict[str, set[int]] = defaultdict(set)
    for pk, evidence in mentioned.items():
        by_evidence[fold(evidence).strip()].add(pk)
    by_day: dict[date, MeetingFinding] = {}
    for s in [Sentence(title, fold(title)), *sentences]:
        if not _MEETING.search(s.folded):
            continue
        who = _officials_in(s.folded, officials) | by_evidence.get(s.folded.strip(), set())
        countries = frozenset(kb.officials[pk].country for pk in who) & frozenset(CORE)
        if len(countries) < 2:
            continue
        day = _meeting_day(s.folded, published)
        if day is None:
            continue
        _add(by_day, s, day, who, countries, article_id, published, title)
    if not by_day:
        # The story as a whole: a meeting word and a day in its title or first sentence, and
        # officials of two of the countries anywhere in it ('Sommet des Amériques : ...'
        # naming Trudeau there and Biden further down).
        countries = frozenset(o.country for o in officials) & frozenset(CORE)
        for s in [Sentence(title, fold(title)), *sentences[:1]]:
            if not _MEETING.search(s.folded):
                continue
            day = _meeting_day(s.folded, published, named=True)
            if day is not None:
                who = {o.id for o in officials}
                _add(by_day, s, day, who, countries, article_id, published, title)
                break
    return list(by_day.values())


def _add(
    by_day: dict[date, MeetingFinding],
    s: Sentence,
    day: date,
    who: set[int],
    countries: frozenset[str],
    article_id: int,
    published: date,
    title: str,
) -> None:
    finding = by_day.get(day)
    if finding is None:
        finding = by_day[day] = MeetingFinding(
            article_id, day, countries, frozenset(who), [], published, title
        )
    finding.countries |= countries
    finding.officials |= who
    finding.remote = finding.remote or bool(_REMOTE.search(s.folded))
    if s.text[:SENTENCE_CHARS] not in finding.evidence:
        finding.evidence.append(s.text[:SENTENCE_CHARS])


@dataclass
class NameFinding:
    kind: str  # person or alias
    name: str
    title_seen: str
    official_id: int | None
    countries: set[str]
    sentence: str


_CONJUNCTIONS = {"y", "and", "et", "e"}
_PREPOSITIONS = {"of", "for", "to", "de", "del", "des", "du", "d", "the", "la", "el", "l"}
# Lower-case words a title's rest may hold before the name ('ministre de l'Immigration et de
# la Citoyenneté, Sean Fraser'); any other means the name is not the title's.
_BEFORE_A_NAME = (
    _OFFICE_WORDS | _NOT_NAMES | _PARTICLES | _PREPOSITIONS | _CONJUNCTIONS | {"a", "al", "aux"}
)


def _name_from(rest: str, place_words: set[str]) -> str:
    """The person's name after an office's words: 'of Homeland Security Alejandro Mayorkas'
    -> 'Alejandro Mayorkas'; '' when no name of two to four words follows."""
    name: list[str] = []
    previous = ""
    office_first = False  # the run starts right after 'of', 'de'…: its first word is the office's
    for piece in re.findall(r"[^\s,;:()]+|[,;:()]", rest):
        if piece in ",;:()":
            if name:
                break
            previous = piece
            continue
        bare = piece.strip(".'’\"“”")
        folded = re.sub(r"^[ld]['’]", "", fold(bare))  # French elision: l'Immigration
        if not name and folded.rstrip(".") in _HONORIFICS:
            continue
        if (
            not name
            and not bare[:1].isupper()
            and folded not in _BEFORE_A_NAME
            and folded not in place_words
            and folded not in _PLACES
        ):
            # 'president in charge of … for Sembrando Vida', 'Spokesperson — Fact Sheet': the
            # title is not this name's.
            return ""
        plain = folded not in _OFFICE_WORDS and folded not in _NOT_NAMES
        plain = plain and folded not in place_words and folded not in _PLACES
        if name and folded in _CONJUNCTIONS:
            break  # 'Michael McCaul y Randy Weber': two people
        if (bare[:1].isupper() and plain) or (name and folded in _PARTICLES):
            if not name:
                office_first = previous in _PREPOSITIONS
            name.append(bare)
        elif name:
            break
        previous = folded
        if name and piece.endswith(".") and len(bare) > 2:
            break
    institution = [i for i, w in enumerate(name) if fold(w) in _INSTITUTION_WORDS]
    if institution:
        name = name[institution[-1] + 1 :]  # 'European Union Gordon Sondland' -> 'Gordon Sondland'
    elif office_first:
        # Right after 'of' or 'de' comes the office's or the employer's name: 'director of the
        # Light Festival', 'secretario de Cultura Claudia Curiel' -> 'Claudia Curiel'.
        if len([w for w in name if fold(w) not in _PARTICLES]) < 3:
            return ""
        name = name[1:]
    while name and fold(name[0]) in _PARTICLES:
        name.pop(0)
    while name and fold(name[-1]) in _PARTICLES:
        name.pop()
    if name and name[-1].endswith(("'s", "’s")):
        name[-1] = name[-1][:-2]
    words = [w for w in name if fold(w) not in _PARTICLES]
    if not 2 <= len(words) <= 4 or len(words[-1]) < 3:
        return ""
    return " ".join(name)


_AND = re.compile(r"[ ,]+(?:and|y|e|et)[ ,]+|,[ ,]*", re.IGNORECASE)


def _names_from(rest: str, place_words: set[str], *, plural: bool) -> list[str]:
    """The name after a title; after a plural one ('Secretaries', 'congresistas') each of the
    names joined by 'and', 'y', 'et' or commas."""
    name = _name_from(rest, place_words)
    if not name or not plural:
        return [name] if name else []
    names = [name]
    while len(names) < 6:
        after = rest[rest.find(names[-1]) + len(names[-1]) :]
        joint = _AND.match(after)
        if not joint:
            break
        following = _name_from(after[joint.end() :], place_words)
        if not following or not after[joint.end() :].lstrip().startswith(following.split()[0]):
            break
        names.append(following)
        rest = after
    return names


def _known(name: str, kb: KnownBase) -> tuple[str, int | None]:
    """'known', 'alias' (with the official it resembles) or 'new'."""
    key = " ".join(fold(name).replace(".", "").split())
    if key in kb.known_names:
        return "known", kb.known_names[key]
    best = process.extractOne(key, kb.choices, scorer=fuzz.ratio, score_cutoff=ALIAS_SIMILARITY)
    if best is not None:
        return "alias", kb.known_names[best[0]]
    # A first name respelt, the surname intact: 'Shaun Fraser', 'Ron Johnson'.
    words = key.split()
    if len(words) in (2, 3) and len(words[-1]) >= SURNAME_CHARS:
        for first, official in kb.by_surname.get(words[-1], ()):
            if first[:1] == words[0][:1] and fuzz.ratio(first, words[0]) >= FIRST_NAME_SIMILARITY:
                return "alias", official
    return "new", None


_LEADING_WORDS = _NOT_NAMES | _OFFICE_WORDS | set(_TITLES) | {"mr", "mrs", "ms", "dr", "m", "mme"}
_SUFFIX = re.compile(r"\s+(?:jr|sr|ii|iii)\.?$", re.IGNORECASE)


def name_findings(*, sentences: Sequence[Sentence], kb: KnownBase) -> list[NameFinding]:
    """People with a title whom the knowledge base lacks, and spellings of known officials."""
    out: dict[tuple[str, str], NameFinding] = {}
    for s in sentences:
        for m in _TITLE_THEN_NAME.finditer(s.folded):
            if m.group("title") in _CAPITALISED_TITLES and not s.text[m.start()].isupper():
                following = s.text[m.start("rest") :].split(maxsplit=1)[:1] or [""]
                if not following[0][:1].isupper() and fold(following[0]) not in _PREPOSITIONS:
                    continue
            # The folded text splits some words the text keeps whole ('Sherwood-Randall').
            goes_on = _WORD_GOES_ON.match(s.text, m.end("rest"))
            rest = s.text[m.start("rest") : goes_on.end() if goes_on else m.end("rest")]
            plural = m.end("title") < m.start("rest")  # 'congresistas X y Y'
            for name in _names_from(rest, kb.place_words, plural=plural):
                status, official = _known(name, kb)
                if status == "known":
                    continue
                kind = CandidateKind.ALIAS if status == "alias" else CandidateKind.PERSON
                key = (kind, " ".join(fold(name).split()))
                if key not in out:
                    near = s.folded[max(0, m.start() - 40) : m.end()]
                    out[key] = NameFinding(
                        kind,
                        name,
                        s.text[m.start("title") : m.end("title")].lower(),
                        official,
                        kb.countries_in(near),
                        s.text[:SENTENCE_CHARS],
                    )
        for m in _CAPITALISED_RUN.finditer(s.text):
            name = _SUFFIX.sub("", m.group().rstrip(".")).removesuffix("'s").removesuffix("’s")
            if m.group() != name and _SUFFIX.search(m.group()):
                continue  # 'Donald Trump Jr.' is someone else
            words = name.split()
            while words and fold(words[0]).rstrip(".") in _LEADING_WORDS:
                words.pop(0)  # 'President Joe Biden' is Joe Biden
            name = " ".join(words)
            if len(words) < 2:
                continue
            status, official = _known(name, kb)
            if status != "alias" or official is None:
                continue
            key = (CandidateKind.ALIAS, " ".join(fold(name).split()))
            if key not in out:
                out[key] = NameFinding(
                    CandidateKind.ALIAS,
                    name,
                    "",
                    official,
                    {kb.officials[official].country},
                    s.text[:SENTENCE_CHARS],
                )
    return list(out.values())


# --- a run over articles ------------------------------------------------------------------


@dataclass
class DiscoveryReport:
    articles_read: int = 0
    candidates_new: int = 0
    candidates_updated: int = 0
    candidates_withdrawn: int = 0

    def line(self) -> str:
        return (
            f"discover: {self.articles_read} articles read; {self.candidates_new} new "
            f"candidates, {self.candidates_updated} updated, {self.candidates_withdrawn} "
            "withdrawn (now in the knowledge base)"
        )


@dataclass
class _Group:
    countries: set[str]
    officials: set[int]
    findings: list[MeetingFinding] = field(default_factory=list)

    @property
    def day(self) -> date:
        counts = Counter(f.day for f in self.findings)
        return min(counts, key=lambda d: (-counts[d], d))


def _article_day(article: Article) -> date:
    return timezone.localdate(article.published_at or article.created_at or timezone.now())


def _mentions(article_ids: list[int]) -> dict[int, dict[int, str]]:
    rows = Mention.objects.filter(
        article_id__in=article_ids, kind=MentionKind.OFFICIAL, status__in=VISIBLE_STATUSES
    ).values_list("article_id", "official_id", "evidence")
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for article_id, official_id, evidence in rows:
        out[article_id][official_id] = evidence
    return out


def articles_discover(
    *, articles: Iterable[Article], kb: KnownBase | None = None, chunk: int = 500
) -> DiscoveryReport:
    """Read these (tagged) articles and write the candidates they show; safe to run twice."""
    kb = kb or known_base()
    report = DiscoveryReport()
    meetings: list[MeetingFinding] = []
    names: dict[tuple[str, str], list[tuple[NameFinding, int, date, str]]] = defaultdict(list)
    batch: list[Article] = []

    def read(batch: list[Article]) -> None:
        mentioned = _mentions([a.pk for a in batch])
        for article in batch:
            text = article.body or strip_tags(article.summary or "")
            sentences = sentences_of(text)
            published = _article_day(article)
            meetings.extend(
                meeting_findings(
                    article_id=article.pk,
                    title=article.title,
                    sentences=sentences,
                    published=published,
                    mentioned=mentioned.get(article.pk, {}),
                    kb=kb,
                )
            )
            for found in name_findings(sentences=sentences, kb=kb):
                key = (found.kind, " ".join(fold(found.name).split()))
                names[key].append((found, article.pk, published, article.title))
        report.articles_read += len(batch)

    for article in articles:
        batch.append(article)
        if len(batch) >= chunk:
            read(batch)
            batch = []
    if batch:
        read(batch)
    for group in _groups(meetings):
        if kb.recorded(on=group.day, countries=group.countries, officials=group.officials):
            continue
        _count(report, _meeting_write(group, kb))
    for (kind, folded), rows in names.items():
        _count(report, _name_write(kind, folded, rows, kb))
    report.candidates_withdrawn = candidates_withdraw(kb=kb)
    return report


def _count(report: DiscoveryReport, outcome: str) -> None:
    if outcome == "new":
        report.candidates_new += 1
    elif outcome == "updated":
        report.candidates_updated += 1


def _groups(findings: list[MeetingFinding]) -> list[_Group]:
    """Findings of the same countries within MEETING_DAYS of each other, as one meeting."""
    groups: list[_Group] = []
    for f in sorted(findings, key=lambda f: (f.day, f.article_id)):
        for g in groups:
            if len(g.countries & f.countries) >= 2 and abs((g.day - f.day).days) <= MEETING_DAYS:
                g.findings.append(f)
                g.countries |= f.countries
                g.officials |= f.officials
                break
        else:
            groups.append(_Group(set(f.countries), set(f.officials), [f]))
    return groups


def _short_name(name: str) -> str:
    """'Joseph R. Biden Jr.' -> 'Biden'; 'Andrés Manuel López Obrador' -> 'López Obrador'."""
    words = [w for w in name.split() if fold(w).rstrip(".") not in {"jr", "sr", "ii", "iii"}]
    return " ".join(words[-2:]) if len(words) >= 4 else words[-1]


def _meeting_title(group: _Group, kb: KnownBase) -> str:
    by_country: dict[str, OfficialInfo] = {}
    for pk in sorted(group.officials):
        o = kb.officials[pk]
        if o.country in CORE and (o.country not in by_country or o.head):
            by_country[o.country] = o
    surnames = [_short_name(by_country[c].name) for c in CORE if c in by_country]
    remote = any(f.remote for f in group.findings)
    return f"{'–'.join(surnames)} {'call' if remote else 'meeting'}"


def _evidence_of(rows: Iterable[tuple[int, date, str, str]]) -> list[dict[str, object]]:
    return [
        {"article": pk, "date": day.isoformat(), "title": title, "sentence": sentence}
        for pk, day, title, sentence in rows
    ]


def _meeting_write(group: _Group, kb: KnownBase) -> str:
    day = group.day
    near = Q(meeting_date__gte=day - timedelta(days=MEETING_DAYS)) & Q(
        meeting_date__lte=day + timedelta(days=MEETING_DAYS)
    )
    existing = [
        c
        for c in DiscoveryCandidate.objects.filter(near, kind=CandidateKind.MEETING)
        if len(set(c.countries) & group.countries) >= 2
    ]
    key = (
        existing[0].key
        if existing
        else f"meeting:{'-'.join(sorted(group.countries))}:{day.isoformat()}"
    )
    evidence = _evidence_of(
        (f.article_id, f.published, f.title, sentence)
        for f in group.findings
        for sentence in f.evidence
    )
    days = [f.day for f in group.findings]
    return _candidate_write(
        kind=CandidateKind.MEETING,
        key=key,
        name=_meeting_title(group, kb),
        countries=group.countries,
        article_ids={f.article_id for f in group.findings},
        evidence=evidence,
        meeting_days=days,
        official_ids=group.officials,
        official_id=None,
        title_seen="",
    )


def _name_write(
    kind: str, folded: str, rows: list[tuple[NameFinding, int, date, str]], kb: KnownBase
) -> str:
    first = rows[0][0]
    official = first.official_id if kind == CandidateKind.ALIAS else None
    titles = Counter(f.title_seen for f, *_ in rows if f.title_seen)
    return _candidate_write(
        kind=kind,
        key=f"{kind}:{official or ''}:{folded}"[:300],
        name=first.name,
        countries={c for f, *_ in rows for c in f.countries},
        article_ids={pk for _, pk, _, _ in rows},
        evidence=_evidence_of((pk, day, title, f.sentence) for f, pk, day, title in rows),
        meeting_days=[],
        official_ids=set(),
        official_id=official,
        title_seen=titles.most_common(1)[0][0] if titles else "",
    )


def _candidate_write(
    *,
    kind: str,
    key: str,
    name: str,
    countries: set[str],
    article_ids: set[int],
    evidence: list[dict[str, object]],
    meeting_days: list[date],
    official_ids: set[int],
    official_id: int | None,
    title_seen: str,
) -> str:
    """Add this evidence to the candidate of this key; 'new', 'updated' or 'unchanged'."""
    with transaction.atomic():
        candidate, created = DiscoveryCandidate.objects.select_for_update().get_or_create(
            key=key,
            defaults={"kind": kind, "name": name[:300], "official_id": official_id},
        )
        if candidate.status in (CandidateStatus.CONFIRMED, CandidateStatus.MERGED):
            return "unchanged"
        known_ids = set(candidate.articles.values_list("pk", flat=True))
        reopened = False
        if candidate.status == CandidateStatus.DISMISSED:
            fresh = article_ids - set(candidate.dismissed_article_ids)
            if len(fresh) < min_articles(kind):
                return "unchanged"
            candidate.status = CandidateStatus.OPEN  # new evidence: the editor sees it again
            reopened = True
        added = article_ids - known_ids
        stored = {(e["article"], e["sentence"]) for e in candidate.evidence}
        new_evidence = [e for e in evidence if (e["article"], e["sentence"]) not in stored]
        merged_countries = sorted(set(candidate.countries) | countries)
        merged_officials = sorted(set(candidate.official_ids) | official_ids)
        if not (created or reopened or added or new_evidence) and (
            merged_countries == candidate.countries and merged_officials == candidate.official_ids
        ):
            return "unchanged"
        if added:
            candidate.articles.add(*added)
        candidate.evidence = sorted(
            [*candidate.evidence, *new_evidence], key=lambda e: (str(e["date"]), e["article"])
        )[:EVIDENCE_KEPT]
        candidate.countries = merged_countries
        candidate.official_ids = merged_officials
        candidate.article_count = len(known_ids | article_ids)
        dates = [date.fromisoformat(str(e["date"])) for e in candidate.evidence]
        candidate.first_date, candidate.last_date = min(dates), max(dates)
        if meeting_days:
            if candidate.meeting_date:
                meeting_days = [*meeting_days, candidate.meeting_date]
            counts = Counter(meeting_days)
            candidate.meeting_date = min(counts, key=lambda d: (-counts[d], d))
        if title_seen and not candidate.title_seen:
            candidate.title_seen = title_seen
        candidate.save()
    return "new" if created else "updated"


def candidates_withdraw(*, kb: KnownBase | None = None) -> int:
    """Remove open candidates the knowledge base now has (an editor added them by hand)."""
    kb = kb or known_base()
    gone = []
    for c in DiscoveryCandidate.objects.filter(status=CandidateStatus.OPEN).only(
        "pk", "kind", "name", "countries", "meeting_date"
    ):
        if c.kind == CandidateKind.MEETING and c.meeting_date:
            if kb.recorded(on=c.meeting_date, countries=c.countries, officials=()):
                gone.append(c.pk)
        elif _known(c.name, kb)[0] == "known":
            gone.append(c.pk)
    if gone:
        DiscoveryCandidate.objects.filter(pk__in=gone, status=CandidateStatus.OPEN).delete()
    return len(gone)


def discovery_run(*, since: datetime | None = None) -> DiscoveryReport:
    """Discover over the articles tagged since `since` (all of them when None)."""
    articles = Article.objects.filter(tagged_at__isnull=False)
    if since is not None:
        articles = articles.filter(tagged_at__gte=since)
    return articles_discover(
        articles=articles.order_by("pk")
        .only("pk", "title", "body", "summary", "published_at", "created_at")
        .iterator(chunk_size=500)
    )


def candidates_open() -> Q:
    """The candidates editors see: open, with enough articles for their kind."""
    return Q(status=CandidateStatus.OPEN) & (
        Q(kind=CandidateKind.MEETING, article_count__gte=min_articles(CandidateKind.MEETING))
        | Q(
            kind__in=[CandidateKind.PERSON, CandidateKind.ALIAS],
            article_count__gte=min_articles(CandidateKind.PERSON),
        )
    )


def discovery_run_next() -> DiscoveryReport | None:
    """Claim the queued discovery run (if any), read what was tagged since the last finished
    one, and record how far it got. A second worker finds nothing to claim."""
    run = DiscoveryRun.objects.filter(status=DiscoveryRunStatus.QUEUED).order_by("pk").first()
    if run is None:
        return None
    now = timezone.now()
    claimed = DiscoveryRun.objects.filter(pk=run.pk, status=DiscoveryRunStatus.QUEUED).update(
        status=DiscoveryRunStatus.RUNNING, started_at=now
    )
    if not claimed:
        return None
    last = (
        DiscoveryRun.objects.filter(status=DiscoveryRunStatus.DONE, scanned_until__isnull=False)
        .order_by("-scanned_until")
        .values_list("scanned_until", flat=True)
        .first()
    )
    # Read a little before where the last run stopped: an article tagged just before that
    # moment whose transaction committed after it would be missed; reading twice is harmless.
    report = discovery_run(since=last - RUN_OVERLAP if last else None)
    DiscoveryRun.objects.filter(pk=run.pk).update(
        status=DiscoveryRunStatus.DONE,
        finished_at=timezone.now(),
        scanned_until=now,
        articles_read=report.articles_read,
        candidates_new=report.candidates_new,
    )
    return report
