"""Bylines into the names of the people credited, and the agencies credited instead.

Feeds and pages write bylines in many forms: `email (Name)` (RSS), `Name <email>`, "By A and
B", "Por A y B", "Par A et B", "A, B and C", "Jane Doe, Staff Writer", "Juan Pérez / EFE",
"with files from Reuters". `byline_split` cuts one byline into credited names;
`byline_sort` tells people from organisations (agencies, the outlet itself, desks).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Agency names as bylines write them (lower case).
AGENCIES = frozenset(
    {
        "ap",
        "associated press",
        "the associated press",
        "reuters",
        "thomson reuters",
        "afp",
        "agence france-presse",
        "agence france presse",
        "efe",
        "agencia efe",
        "europa press",
        "notimex",
        "the canadian press",
        "canadian press",
        "la presse canadienne",
        "cp",
        "pc",
        "bloomberg",
        "bloomberg news",
        "upi",
        "dpa",
        "ansa",
        "xinhua",
        "apf",
    }
)
# Credits that name no one: dropped.
_GENERIC = {
    "staff", "staff writer", "staff writers", "staff reporter", "agencies", "agency",
    "agencias", "agences", "news agencies", "wire services", "wires", "redacción", "redaccion",
    "la redacción", "rédaction", "la rédaction", "newsroom", "news desk", "web desk", "editor",
    "editors", "editorial", "editorial board", "admin", "administrator", "webmaster",
    "our correspondent", "correspondent", "corresponsal", "correspondant", "guest",
    "guest author", "contributor", "press release", "communiqué", "comunicado",
    "the editorial board", "staff and agencies", "agencia", "internet", "unknown",
}  # fmt: skip
# Words that make a credited name an organisation rather than a person.
_ORG_WORDS = re.compile(
    r"\b(?:staff|desk|team|bureau|news|newsroom|agency|agencies|agencia|agence|press|presse|"
    r"prensa|wire|media|médias|medios|inc|ltd|llc|corp|group|grupo|times|post|journal|tribune|"
    r"herald|gazette|daily|diario|periódico|magazine|revista|online|network|tv|radio|"
    r"ministry|ministerio|ministère|department|departamento|government|gobierno|gouvernement|"
    r"office|oficina|bureau|secretaría|secretaria|embassy|embajada|ambassade)\b",
    re.IGNORECASE,
)
# A role written after a name ("Jane Doe, Staff Writer", "Luis Gómez - Corresponsal").
_ROLE = re.compile(
    r"^(?:(?:senior|chief|special|staff|foreign|political|national|white house|washington|"
    r"ottawa|mexico|enviad[oa]|special)\s+)*(?:writer|reporter|correspondent|corresponsal|"
    r"correspondante?|contributor|columnist|editor|editora?|journaliste?|periodista|"
    r"reportera?|redactora?|envoyée? spéciale?|enviad[oa] especial|analyst|photographer)s?$",
    re.IGNORECASE,
)
# "By", "Por", "Par", "Written by", "Reporting by", "Texto:", "Texte :".
_LEAD = re.compile(
    r"^\s*(?:(?:written|reported|reporting|story|words|text[oe]?|escrito|reportage|"
    r"crónica|cronica)\b\s*(?:by|por|par|de|:)?\s*:?\s*|by\s*:?\s+|por\s*:?\s+|par\s*:?\s+|"
    r"de\s*:\s+|auteur\s*:\s*|autor(?:a)?\s*:\s*|author\s*:\s*)",
    re.IGNORECASE,
)
# "with files from Reuters", "con información de EFE", "avec AFP": a credit to an agency.
_WITH = re.compile(
    r"\b(?:with (?:files|reporting|additional reporting) from|with|con información de|"
    r"con informaci[oó]n de|con|avec|d'après|según)\s+",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?:mailto:)?[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w{1,30}")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
# Between names: commas, semicolons, slashes, bars, ampersands, spaced dashes, and the word
# "and" in English, Spanish and French ("y", "e" before an i- sound, "et").
# The words are matched in lower case only: "John E Smith" keeps its initial.
_SEPARATORS = re.compile(r"\s*(?:[,;/|&+·•]|\s[\u2013\u2014-]\s|\s(?:and|AND|y|e|et|und)\s)\s*")
_PARTICLES = {
    "de", "del", "de la", "la", "las", "los", "van", "der", "von", "da", "das", "do", "dos",
    "du", "le", "bin", "al", "el", "di", "des", "y", "st.", "mc", "ter", "ten", "den",
}  # fmt: skip
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][\w'\u2019.\-]*$|^[A-ZÀ-Þ]\.$")
MAX_NAME_WORDS = 6


@dataclass
class Byline:
    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _unwrap(text: str) -> str:
    """`email (Name)` and `Name <email>` into the name; a lone address into nothing."""
    text = _URL.sub(" ", text)
    # "news@example.com (Name)", also with the closing bracket lost.
    match = re.match(r"^\s*(?:mailto:)?\S+@\S*?\s*\(([^()]*)\)?\s*$", text)
    if match:
        return match.group(1)
    text = re.sub(r"<[^<>]*@[^<>]*>?", " ", text)  # Name <email>
    text = re.sub(r"\(\s*[^()]*@[^()]*\)", " ", text)  # Name (email)
    text = _EMAIL.sub(" ", text)
    return _HANDLE.sub(" ", text)


# Quotes, brackets, punctuation and dashes around a name.
_EDGES = " \t\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[]{}:.,;-\u2013\u2014"


def _tidy(part: str) -> str:
    part = re.sub(r"\s+", " ", part).strip(_EDGES)
    part = _LEAD.sub("", part).strip(" .,:-")
    if part.isupper() and len(part) > 3 and part.lower() not in AGENCIES:
        part = part.title()  # "JOHN DOE" in a byline's small capitals
    return part


def byline_split(text: str) -> list[str]:
    """The names one byline credits, people and organisations alike, in order, once each."""
    text = _unwrap(re.sub(r"\s+", " ", text or "")).strip()
    text = _LEAD.sub("", text)
    pieces: list[str] = []
    for chunk in _SEPARATORS.split(text):
        # "with files from Reuters" inside a chunk credits an agency beside the names.
        head, *credits = _WITH.split(chunk)
        pieces.append(head)
        pieces.extend(credits)
    names: list[str] = []
    for piece in pieces:
        name = _tidy(piece)
        if not name or len(name) > 80 or _ROLE.match(name):
            continue
        if name.lower() in _GENERIC or name in names:
            continue
        names.append(name)
    return names


def _is_person(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or any(ch.isdigit() for ch in name):
        return False
    lowered = name.lower()
    if lowered.startswith("the "):
        return False
    i = 0
    named = False
    while i < len(words):
        pair = " ".join(words[i : i + 2]).lower()
        if pair in _PARTICLES and i:
            i += 2
            continue
        if words[i].lower() in _PARTICLES and i:
            i += 1
            continue
        if not _NAME_WORD.match(words[i]):
            return False
        named = True
        i += 1
    return named


def _same_outlet(name: str, site_name: str) -> bool:
    squash, site = _squash(name), _squash(site_name.lower().removeprefix("the "))
    return bool(site) and bool(squash) and (site in squash or squash in site)


def byline_sort(names: Iterable[str], *, site_name: str = "") -> Byline:
    """People, and the organisations (agencies, the outlet, a desk) credited instead, as written."""
    byline = Byline()
    for name in names:
        agency = name.lower().rstrip(".") in AGENCIES
        if agency or _ORG_WORDS.search(name) or _same_outlet(name, site_name):
            if name not in byline.organisations:
                byline.organisations.append(name)
        elif _is_person(name) and name not in byline.people:
            byline.people.append(name)
    return byline


def byline_parse(text: str, *, site_name: str = "") -> Byline:
    """One byline string into the people and organisations it credits."""
    return byline_sort(byline_split(text), site_name=site_name)


def feed_author_text(*, name: str, email: str = "") -> str:
    """The author text a feed gave, from feedparser's split of it.

    feedparser cuts `news@site.example (Name)` inside the address when the last label of the
    domain is longer than four letters, leaving name "ple (Name" and email "news@site.exam":
    the two pieces joined give the original text back.
    """
    if email and name.count("(") > name.count(")"):
        return f"{email}{name})"
    return name
