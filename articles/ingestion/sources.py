"""A best guess at a new source's country, kind and language from its domain.

The guess is marked unconfirmed on the Source until an editor checks it in admin. It reads
only the domain (the country-code top-level domain, government and agency suffixes, a few
well-known wires and aggregators) and the language the source is seen to publish in.
"""

from dataclasses import dataclass
from typing import Any

from articles.models import Source, SourceKind
from summits.models import Country

# Country-code domains used world-wide for other reasons ("tv", "io", "co" for company...):
# they say nothing about where an outlet is.
_VANITY_TLDS = {"ai", "co", "fm", "io", "ly", "me", "tv", "ws", "cc", "gg", "to", "nu", "am"}
_TLD_COUNTRY = {"uk": "GB", "gov": "US", "mil": "US", "edu": "US"}
# A domain in one of these countries tells its language; Canada and the US publish in several.
_TLD_LANGUAGE = {
    "mx": "es", "es": "es", "ar": "es", "cl": "es", "pe": "es", "ve": "es", "ec": "es",
    "gt": "es", "hn": "es", "sv": "es", "ni": "es", "cr": "es", "pa": "es", "cu": "es",
    "do": "es", "bo": "es", "py": "es", "uy": "es", "fr": "fr", "uk": "en", "au": "en",
    "nz": "en", "ie": "en", "br": "pt", "pt": "pt", "de": "de", "it": "it",
}  # fmt: skip
_GOVERNMENT_SUFFIXES = (
    ".gov", ".mil", ".gob.mx", ".gc.ca", ".gov.uk", ".gouv.fr", ".gob.es", ".gouv.qc.ca",
)  # fmt: skip
_GOVERNMENT_DOMAINS = {"gob.mx": "MX", "canada.ca": "CA", "gc.ca": "CA", "usa.gov": "US"}
# Canadian provinces publish under gov.<province>.ca.
_CA_PROVINCES = {"ab", "bc", "mb", "nb", "nl", "ns", "nt", "nu", "on", "pe", "qc", "sk", "yk"}
_WIRES = {
    "reuters.com": "",
    "apnews.com": "US",
    "ap.org": "US",
    "afp.com": "FR",
    "efe.com": "ES",
    "upi.com": "US",
    "thecanadianpress.com": "CA",
    "cp24.com": "CA",
    "bloomberg.com": "US",
    "europapress.es": "ES",
    "notimex.gob.mx": "MX",
}
_AGGREGATORS = {
    "news.google.com",
    "msn.com",
    "news.yahoo.com",
    "yahoo.com",
    "flipboard.com",
    "newsbreak.com",
    "ground.news",
    "newsnow.co.uk",
    "pressreader.com",
    "headtopics.com",
    "menafn.com",
    "newsbeezer.com",
}


@dataclass(frozen=True)
class SourceGuess:
    country_iso2: str  # "" when the domain does not tell
    kind: str
    language: str  # "" when neither the domain nor what it publishes tells


def _matches(domain: str, names: set[str] | dict[str, str]) -> str | None:
    """The entry of `names` that is `domain` or one of its parent domains."""
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in names:
            return candidate
    return None


def source_guess(*, domain: str, language: str = "") -> SourceGuess:
    """Country, kind and language of a source, guessed from its domain and publishing language."""
    domain = domain.lower().strip(".").removeprefix("www.")
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    country = ""
    if len(tld) == 2 and tld.isalpha() and tld not in _VANITY_TLDS:
        country = tld.upper()
    country = _TLD_COUNTRY.get(tld, country)

    kind = SourceKind.OUTLET
    parts = domain.split(".")
    provincial = len(parts) >= 3 and parts[-3:-2] == ["gov"] and parts[-2] in _CA_PROVINCES
    government = _matches(domain, _GOVERNMENT_DOMAINS)
    if government:
        kind, country = SourceKind.GOVERNMENT, _GOVERNMENT_DOMAINS[government]
    elif provincial or any(domain.endswith(s) for s in _GOVERNMENT_SUFFIXES):
        kind = SourceKind.GOVERNMENT
    wire = _matches(domain, _WIRES)
    if wire:
        kind, country = SourceKind.WIRE, _WIRES[wire] or country
    elif _matches(domain, _AGGREGATORS):
        # An aggregator's own country says nothing about the press it carries.
        kind, country = SourceKind.AGGREGATOR, ""
    language = (language or "").lower().split("-")[0][:10] or _TLD_LANGUAGE.get(tld, "")
    return SourceGuess(country_iso2=country, kind=kind, language=language)


def source_guess_store(*, source: Source, language: str = "") -> bool:
    """Store the guess on a source no editor has confirmed; return whether anything changed.

    `language` is what the source was seen to publish in (a feed's or a page's language): it
    wins over what the domain suggests. A country the domain does not tell is left as it is.
    """
    if source.confirmed:
        return False
    guess = source_guess(domain=source.domain, language=language or source.language)
    wanted: dict[str, Any] = {"kind": guess.kind, "language": guess.language}
    if guess.country_iso2:
        country = Country.objects.filter(iso2=guess.country_iso2).only("pk").first()
        if country is not None:
            wanted["country_id"] = country.pk
    changed = [name for name, value in wanted.items() if getattr(source, name) != value]
    for name in changed:
        setattr(source, name, wanted[name])
    if changed and source.pk:
        source.save(update_fields=[name.removesuffix("_id") for name in changed])
    return bool(changed)


class SourceFactsError(ValueError):
    """A country, kind or language given for a source cannot be used."""


def source_confirm(*, source: Source, country_iso2: str, kind: str, language: str) -> bool:
    """Set a source's press country, kind and language as known facts, marked confirmed.

    A source an editor already confirmed is left as it is (returns False), so importing a list
    again never undoes an editor's correction. Raises SourceFactsError on a value it cannot use.
    """
    country = None
    if country_iso2:
        country = Country.objects.filter(iso2=country_iso2.upper()).first()
        if country is None:
            raise SourceFactsError(f"there is no country with the code {country_iso2!r}")
    if kind not in SourceKind.values:
        raise SourceFactsError(
            f"{kind!r} is not a kind of source; use one of: {', '.join(SourceKind.values)}"
        )
    language = language.lower()
    if not (len(language) == 2 and language.isalpha()):
        raise SourceFactsError(f"{language!r} is not a two-letter language code (en, es, fr)")
    if source.confirmed:
        return False
    source.country, source.kind, source.language, source.confirmed = country, kind, language, True
    source.save(update_fields=["country", "kind", "language", "confirmed"])
    return True
