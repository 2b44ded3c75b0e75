"""The languages the tagger reads (English, Spanish, French): their common words, and a guess
of a text's language when its source does not say.

The common words are the lists of the stop-words package (BSD licence), folded as the
tagger folds text.
"""

import re
import unicodedata
from functools import cache

from stop_words import get_stop_words

LANGUAGES = ("en", "es", "fr")

# Words frequent in one of the three languages and rare in the other two.
_MARKERS = {
    "en": {"the", "and", "of", "to", "is", "that", "with", "said", "was", "for", "on", "its"},
    "es": {"el", "los", "las", "del", "que", "por", "para", "con", "una", "dijo", "y", "se"},
    "fr": {"le", "les", "des", "du", "et", "pour", "dans", "une", "sur", "est", "au", "aux"},
}
_MARKER_LANGUAGE = {word: lang for lang, words in _MARKERS.items() for word in words}
_WORD = re.compile(r"[a-z]+")


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def common_words(language: str) -> frozenset[str]:
    """The language's common words, folded (accents dropped, lower case)."""
    return frozenset(_plain(w) for w in get_stop_words(language))


def common_in(word: str) -> frozenset[str]:
    """The languages among en/es/fr in which a word is a common word ('dans': fr)."""
    folded = _plain(word).strip()
    return frozenset(lang for lang in LANGUAGES if folded in common_words(lang))


def common_word_languages(text: str) -> list[str]:
    """The languages (en, es, fr) in which every word of `text` is a common word: 'dans' is
    French, 'Por la' Spanish, 'Ebrard' none."""
    words = [_plain(w) for w in re.findall(r"[^\W\d_]+", text)]
    if not words:
        return []
    return [lang for lang in LANGUAGES if all(w in common_words(lang) for w in words)]


def text_language(folded: str, *, declared: str = "") -> str:
    """The text's language: the declared one when it is en/es/fr, else a guess from its
    function words ('' when there are too few to tell)."""
    declared = declared[:2].lower()
    if declared in LANGUAGES:
        return declared
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in _WORD.findall(folded[:3000]):
        lang = _MARKER_LANGUAGE.get(word)
        if lang:
            counts[lang] += 1
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 3 else ""
