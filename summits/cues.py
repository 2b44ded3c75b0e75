"""Cue groups of a recogniser: how editors write them, and the word forms each word stands for.

Written one group per line, words separated by commas (a comma before a digit is part of a
number: '2,500'). A line that starts with "<" is a group
that may also be met in the sentence before: news names what a policy is about in one sentence
and says what it does in the next ("The tariffs stay. The exemptions granted in March..."). The
forms are generated for lower-case, accent-free words (the tagger folds text the same way
before matching): English, Spanish and French plurals, and feminine forms of adjectives and
nouns of nationality; a phrase's words agree in number and gender ('ciudadano mexicano' stands
for 'ciudadanas mexicanas' too). Generating a form no language has costs nothing; it never
occurs in text. No verb endings are generated: most cue words are nouns, and a noun's '-ing'
or '-ed' form is another word ('accord' / 'according', 'court' / 'courting', 'deal' /
'dealing', 'rule' / 'ruling'); editors write the verb forms they mean ('impose, imposed') or a
prefix ('reimpos*').
"""

# Word lists read best as text.
# ruff: noqa: SIM905

import re
import unicodedata
from typing import NamedTuple

MIN_GROUPS = 2
MIN_PREFIX = 4  # 'dep*' would match half the dictionary


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A comma separates words, except before a digit: '2,500', '1,3 milliard'.
_SEPARATOR = re.compile(r",(?!\d)")


class CueGroup(NamedTuple):
    words: list[str]
    carried: bool  # may be met in the sentence before instead ('<' before the line)


def cue_groups(text: str) -> list[list[str]]:
    """The groups of words in an editor's text; ValueError in plain words when it is wrong."""
    return [group.words for group in cue_groups_marked(text)]


def cue_groups_marked(text: str) -> list[CueGroup]:
    """The groups, each with whether it may be met in the sentence before."""
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        carried = line.lstrip().startswith("<")
        if carried:
            line = line.lstrip()[1:]
        words = [w.strip() for w in _SEPARATOR.split(line) if w.strip()]
        if not words:
            continue
        for word in words:
            bare = word.rstrip("*")
            if len(_plain(bare)) < 2:
                raise ValueError(f"line {number}: {word!r} is too short to be a cue")
            if word.endswith("*") and len(_plain(bare)) < MIN_PREFIX:
                raise ValueError(
                    f"line {number}: {word!r} matches too many words; give at least "
                    f"{MIN_PREFIX} letters before the *"
                )
            if "*" in bare:
                raise ValueError(f"line {number}: {word!r} may have a * only at its end")
        groups.append(CueGroup(words, carried))
    if len(groups) < MIN_GROUPS:
        raise ValueError(
            f"give at least {MIN_GROUPS} groups, one per line: a single group of words is an "
            "alias, not a recogniser"
        )
    if all(group.carried for group in groups):
        raise ValueError('at least one group must be met in the sentence itself: remove a "<"')
    return groups


_VOWEL = "aeiou"


def word_forms(word: str) -> tuple[set[str], bool]:
    """The forms a cue word stands for (lower-case, accents removed) and whether it is a
    prefix (written with a final *), which matches any ending."""
    plain = _plain(word.strip())
    if plain.endswith("*"):
        return {plain.rstrip("*")}, True
    forms = {plain}
    if " " in plain:
        # A phrase inflects its last word in English ('asylum seekers') and its first in
        # Spanish and French ('solicitantes de asilo', 'demandeurs d'asile').
        head, last = plain.rsplit(" ", 1)
        first, rest = plain.split(" ", 1)
        forms = {f"{head} {form}" for form in word_forms(last)[0]}
        forms |= {f"{form} {rest}" for form in _plurals(first) | _genders(first)}
        return forms | _agreeing(plain.split(" ")), False
    forms |= _plurals(plain)
    forms |= {f for g in _genders(plain) for f in ({g} | _plurals(g))}
    return {f for f in forms if f}, False


# Words of a phrase that do not agree with its nouns: articles and prepositions that keep their
# form ('permis de travail fermes') and English words, which do not inflect their adjectives.
_INVARIABLE = set("de d du del des a au aux al en et y o ou or of for the to in on by".split())
_AGREEMENT = {"el": "los", "la": "las", "le": "les", "un": "unos", "une": "des"}
_MAX_AGREEING_WORDS = 5


def _agreeing(words: list[str]) -> set[str]:
    """A Spanish or French phrase with its nouns and adjectives all plural, all feminine, or
    both ('trabajador agricola temporal' -> 'trabajadores agricolas temporales'): one form per
    language and agreement, so that long phrases do not multiply the automaton's keys."""
    content = [w for w in words if w not in _INVARIABLE and w not in _AGREEMENT and "'" not in w]
    if len(content) < 2 or len(content) > _MAX_AGREEING_WORDS:
        return set()
    out = set()
    for inflect in (_inflect_es, _inflect_fr):
        for feminine, plural in ((True, False), (False, True), (True, True)):
            phrase = []
            for w in words:
                if w in _AGREEMENT:
                    phrase.append(_AGREEMENT[w] if plural else w)
                elif w in _INVARIABLE or "'" in w or len(w) < 3:
                    phrase.append(w)
                else:
                    phrase.append(inflect(w, feminine=feminine, plural=plural))
            out.add(" ".join(phrase))
    return out


def _inflect_es(w: str, *, feminine: bool, plural: bool) -> str:
    if feminine:
        if w.endswith("o"):
            w = w[:-1] + "a"  # mexicano -> mexicana
        elif w.endswith(("or", "on", "an", "in")) and not w.endswith("ion"):
            w += "a"  # trabajador -> trabajadora
    if plural:
        if w[-1] in _VOWEL:
            w += "s"
        elif w.endswith("z"):
            w = w[:-1] + "ces"
        else:
            w += "es"  # nacional -> nacionales, solicitud -> solicitudes
    return w


def _inflect_fr(w: str, *, feminine: bool, plural: bool) -> str:
    if feminine and not w.endswith("e"):
        if w.endswith(("ien", "on", "el")):
            w += w[-1] + "e"  # canadien -> canadienne
        elif w.endswith("eur"):
            w = w[:-1] + "se"  # travailleur -> travailleuse
        elif w.endswith("if"):
            w = w[:-1] + "ve"
        elif w.endswith("eux"):
            w = w[:-1] + "se"
        else:
            w += "e"  # mexicain -> mexicaine, ferme (from ferme) -> fermee
    if plural and not w.endswith(("s", "x", "z")):
        if w.endswith("al"):
            w = w[:-2] + "aux"  # national -> nationaux
        elif w.endswith(("eau", "eu")):
            w += "x"
        else:
            w += "s"
    return w


def _plurals(w: str) -> set[str]:
    out = {w + "s"}
    if w[-1] in "sxz":
        out |= {w + "es"}
    elif w[-1] not in _VOWEL:
        out |= {w + "es"}  # nacional -> nacionales, frontier -> (harmless)
    if w.endswith("z"):
        out.add(w[:-1] + "ces")  # vez -> veces
    if re.search(r"[^aeiou]y$", w):
        out.add(w[:-1] + "ies")  # policy -> policies
    if w.endswith("al"):
        out.add(w[:-2] + "aux")  # national -> nationaux
    if w.endswith("eau"):
        out.add(w + "x")
    if w.endswith("cion"):
        out.add(w + "es")
    return out


def _genders(w: str) -> set[str]:
    out = set()
    if w.endswith("o"):
        out.add(w[:-1] + "a")  # mexicano -> mexicana
    if w.endswith(("ain", "an", "ais", "ois", "in", "ol", "al", "ien", "el")):
        out.add(w + "e")  # mexicain -> mexicaine
    if w.endswith(("ien", "el", "on")):
        out.add(w + w[-1] + "e")  # canadien -> canadienne
    if w.endswith("e") and not w.endswith("ee"):
        out.add(w[:-1] + "a")  # presidente -> presidenta
    return out
