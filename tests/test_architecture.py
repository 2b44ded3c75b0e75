"""The import rule of README's Architecture section, checked on every module's syntax tree.

Each part may import only the parts below it. A forbidden import anywhere in a module, at the
top or inside a function, fails here with the module, the line and the rule it breaks.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (part, what it must never import). A part is a dotted prefix; the longest prefix wins.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "summits": ("articles", "demo", "bench", "tracker"),
    "articles.models": ("articles.ingestion", "articles.tagging", "articles.reading"),
    "articles.tagging": ("articles.ingestion", "articles.reading", "articles.templatetags"),
    "articles.ingestion": ("articles.reading", "articles.templatetags"),
    "articles": ("demo", "bench", "tracker"),
    "demo": ("tracker",),
    "bench": ("tracker.urls",),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _part(module: str) -> str | None:
    matches = [p for p in FORBIDDEN if module == p or module.startswith(p + ".")]
    return max(matches, key=len) if matches else None


def _imports(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    found = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            # `from articles import reading` imports articles.reading.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


def _violations() -> list[str]:
    problems = []
    for top in ("summits", "articles", "demo", "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(path)
            part = _part(module)
            if part is None:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, name in _imports(tree, module):
                for banned in FORBIDDEN[part]:
                    if name == banned or name.startswith(banned + "."):
                        where = path.relative_to(ROOT)
                        problems.append(f"{where}:{line} imports {name} ({part} must not)")
    return sorted(set(problems))


def test_every_part_imports_only_the_parts_below_it() -> None:
    problems = _violations()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("summits.models", "from articles.models import Article", "articles"),
        ("articles.ingestion.services", "from articles.reading import views", "articles.reading"),
        ("articles.tagging.tagger", "import articles.ingestion.dedupe", "articles.ingestion"),
        ("articles.reading.views", "from tracker import settings", "tracker"),
    ],
)
def test_the_check_catches_a_forbidden_import(module: str, source: str, expected: str) -> None:
    part = _part(module)
    assert part is not None
    names = [name for _, name in _imports(ast.parse(source), module)]
    assert any(
        name == banned or name.startswith(banned + ".")
        for name in names
        for banned in FORBIDDEN[part]
        if banned == expected
    )


def test_the_check_allows_what_the_rule_allows() -> None:
    module = "articles.reading.kb_views"
    part = _part(module)
    assert part == "articles"
    source = "from articles.ingestion.services import feed_add\nfrom summits.models import Summit"
    names = [name for _, name in _imports(ast.parse(source), module)]
    assert not [n for n in names for b in FORBIDDEN["articles"] if n.startswith(b)]
