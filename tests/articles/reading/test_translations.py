"""The catalogs are complete: no text of a public page escapes translation, every message has
its Spanish and French, and the compiled catalogs the app reads are those of the .po files."""

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
LANGUAGES = ("es", "fr")
# The editors' admin stays in English, like Django's own admin pages it extends.
PUBLIC_TEMPLATES = sorted(
    p for p in TEMPLATES.rglob("*.html") if "admin" not in p.relative_to(TEMPLATES).parts
)
# Python code whose strings reach the public pages (choice labels, chart and date words).
PYTHON_SOURCES = ["articles", "summits"]
KEYWORDS = {
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "_": None,
}

# Text that needs no translation: code samples and file names shown as they are, and the
# OpenGraph type of a page (a fixed word: "article").
VERBATIM = re.compile(
    r"<(pre|code)\b.*?</\1>|\{% block og_type %\}\w+\{% endblock %\}", re.S | re.I
)
TAG = re.compile(r"<[^>]*>")
WORDS_IN_ATTRIBUTES = re.compile(
    r'\b(?:aria-label|title|alt|placeholder|data-label)="([^"{]*)"'
    # What a link preview shows: the page's description and OpenGraph/Twitter titles.
    r'|\b(?:name|property)="(?:description|og:title|og:description|og:site_name|'
    r'twitter:title|twitter:description)"\s+content="([^"{]*)"'
)
LETTER = re.compile(r"[^\W\d_]")


def catalog(language: str):  # type: ignore[no-untyped-def]
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def _key(message: object) -> tuple:
    ident = message.id  # type: ignore[attr-defined]
    context = message.context  # type: ignore[attr-defined]
    if isinstance(context, bytes):  # read_mo leaves the context undecoded
        context = context.decode("utf-8")
    return (tuple(ident) if isinstance(ident, list | tuple) else ident, context)


def _strings(message: object) -> tuple:
    string = message.string  # type: ignore[attr-defined]
    return tuple(string) if isinstance(string, list | tuple) else (string,)


def untranslated_text(source: str) -> list[str]:
    """Visible words of a template that are outside {% translate %} and {% blocktranslate %}.

    The template is reduced to its HTML with every tag and variable blanked out (translated
    text included), then the HTML tags are dropped: what is left with a letter in it is text a
    reader would see untranslated. Attributes a reader hears or sees are checked too."""
    skeleton = []
    words = []
    inside = 0
    for token in Lexer(VERBATIM.sub("", source)).tokenize():
        content = token.contents
        if token.token_type == TokenType.BLOCK:
            name = content.split()[0] if content else ""
            if name in ("blocktranslate", "blocktrans", "comment"):
                inside += 1
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                inside -= 1
            if name == "include":
                # {% include "x.html" with title="Articles" %} passes words of its own.
                words += [
                    w for w in re.findall(r'\w="([^"]*)"', content) if re.search(r"[A-Z\s]", w)
                ]
            skeleton.append("\x00")
        elif token.token_type == TokenType.VAR:
            # {{ value|default:"Some words" }} shows words of its own.
            # (A lowercase word alone is a value, an HTML tag name: "h2".)
            words += [
                w for w in re.findall(r'default:"([^"]*)"', content) if re.search(r"[A-Z\s]", w)
            ]
            skeleton.append("\x00")
        elif token.token_type == TokenType.TEXT and not inside:
            skeleton.append(content)
    html = re.sub(r"<!doctype[^>]*>|<!--.*?-->", "", "".join(skeleton), flags=re.S | re.I)
    for found in WORDS_IN_ATTRIBUTES.findall(html):
        words += [v for v in found if LETTER.search(v)]
    visible = re.sub(r"&[a-z]+;|&#\d+;", " ", TAG.sub("\x00", html))
    pieces = (w.strip() for w in re.split(r"\x00|\n", visible))
    # A file's extension after its name ("{{ name }}.csv") is not a word to translate.
    words += [w for w in pieces if LETTER.search(w) and not re.fullmatch(r"\.[a-z]+", w)]
    return words


@pytest.mark.parametrize("path", PUBLIC_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_visible_text_of_a_public_template_is_marked_for_translation(path: Path) -> None:
    assert untranslated_text(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_text_left_out_of_translation() -> None:
    source = (
        '{% load i18n %}<h1>{% translate "Articles" %}</h1><p>Download the <a href="x">CSV</a>'
        '</p><nav aria-label="Pages"></nav>{{ title|default:"Untitled" }}'
        "{% blocktranslate %}Page {{ n }}{% endblocktranslate %}<code>YYYY-MM-DD</code> · 12"
        '{% include "snippets/feed_links.html" with title="Articles" heading_tag="h3" %}'
        '<meta property="og:title" content="Tracker"><meta name="twitter:card" content="summary">'
    )
    assert untranslated_text(source) == [
        "Untitled",
        "Articles",
        "Pages",
        "Tracker",
        "Download the",
        "CSV",
    ]


GETTEXT_CALL = re.compile(r"\b(n?p?gettext)\(((?:\s*u?'(?:[^'\\]|\\.)*'\s*,?)+)")
LITERAL = re.compile(r"u?'(?:[^'\\]|\\.)*'")


def template_messages() -> set[tuple]:
    """The messages of the public templates, read as makemessages reads them."""
    wanted = set()
    for path in PUBLIC_TEMPLATES:
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for call in GETTEXT_CALL.finditer(code):
            parts = tuple(ast.literal_eval(lit) for lit in LITERAL.findall(call.group(2)))
            wanted.add(_as_key(parts, call.group(1)))
    return wanted


def python_messages() -> set[tuple]:
    wanted = set()
    for folder in PYTHON_SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            with path.open("rb") as fh:
                for _line, func, message, _comments in extract_python(fh, KEYWORDS.keys(), [], {}):
                    wanted.add(_as_key(message, func))
    return wanted


def _as_key(message: object, func: str) -> tuple:
    parts = message if isinstance(message, tuple) else (message,)
    parts = tuple(p for p in parts if p is not None)  # the count argument of ngettext
    if func.startswith(("pgettext", "npgettext")):
        context, *rest = parts
        return (rest[0] if len(rest) == 1 else tuple(rest), context)
    return (parts[0] if len(parts) == 1 else tuple(parts), None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_pages_is_in_the_catalog(language: str) -> None:
    known = {_key(m) for m in catalog(language) if m.id}
    missing = sorted(str(k) for k in (template_messages() | python_messages()) - known)
    assert missing == [], "run `make messages` and translate the new strings"


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)s|\{\w+\}", text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_checked_translation(language: str) -> None:
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        ids = _key(message)[0] if message.pluralizable else (message.id,)
        strings = _strings(message)
        if message.fuzzy or not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        for string in strings:
            if _placeholders(string) != _placeholders(ids[-1]):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_the_po_file(language: str) -> None:
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        compiled = {_key(m): _strings(m) for m in read_mo(fh) if m.id}
    written = {_key(m): _strings(m) for m in catalog(language) if m.id and not m.fuzzy}
    assert compiled == written, "run `make messages` to compile the catalogs"
