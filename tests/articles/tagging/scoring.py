"""Scoring the tagger against annotated passages: per kind precision and recall, and every tag
with its confidence and whether it was right (for the calibration table).

Both the team's own gold set (names) and the independent yardstick (knowledge-base slugs)
are scored here; they differ only in how an expected entry and a found tag become a key.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from articles.tagging.tagger import Found, text_tag

KINDS = ("country", "official", "policy", "summit")

# The confidence bands of the calibration table, lowest first: [low, high).
BANDS = (0.0, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    # Right tags of entities the annotators' list lacked, matched to the passage's `unlisted`
    # records: they count for precision; recall is measured on the list alone.
    unlisted: int = 0

    @property
    def precision(self) -> float:
        right = self.tp + self.unlisted
        return right / (right + self.fp) if right + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Tag:
    kind: str
    confidence: float
    correct: bool
    method: str = ""


@dataclass
class Score:
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    tags: list[Tag] = field(default_factory=list)
    # Per passage: never print a held-out one. Kept out of the repr, which pytest prints as a
    # frame's argument when a test fails.
    errors: list[str] = field(default_factory=list, repr=False)
    passages: int = 0

    def table(self) -> str:
        """The aggregate table per kind, nothing about single passages."""
        lines = [
            f"{self.passages} passages",
            "kind      precision  recall   tp   fp   fn  unlisted",
        ]
        for kind, c in self.counts.items():
            lines.append(
                f"{kind:<9} {c.precision:9.3f} {c.recall:7.3f} {c.tp:4d} {c.fp:4d} {c.fn:4d}"
                f"  {c.unlisted:8d}"
            )
        return "\n".join(lines)

    def calibration(self, *, kinds: Iterable[str] = KINDS) -> list[tuple[float, float, int, float]]:
        """(low, high, tags, precision) per confidence band."""
        rows = []
        wanted = set(kinds)
        for low, high in pairwise(BANDS):
            band = [t for t in self.tags if t.kind in wanted and low <= t.confidence < high]
            if band:
                rows.append((low, high, len(band), sum(t.correct for t in band) / len(band)))
        return rows

    def calibration_table(self) -> str:
        lines = ["confidence band   tags  precision"]
        for low, high, n, precision in self.calibration():
            lines.append(
                f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}  {n:6d}"
                f"  {precision:9.3f}"
            )
        return "\n".join(lines)

    def methods_table(self) -> str:
        """Precision per kind and method: which rules earn their confidence (dev only)."""
        groups: dict[tuple[str, str, float], list[bool]] = {}
        for t in self.tags:
            groups.setdefault((t.kind, t.method, t.confidence), []).append(t.correct)
        lines = ["kind      method               confidence  tags  precision"]
        for (kind, method, confidence), marks in sorted(groups.items()):
            lines.append(
                f"{kind:<9} {method:<20} {confidence:10.2f} {len(marks):5d} "
                f"{sum(marks) / len(marks):10.3f}"
            )
        return "\n".join(lines)

    def precision_at_or_above(self, threshold: float) -> tuple[int, float]:
        above = [t for t in self.tags if t.confidence >= threshold]
        return len(above), (sum(t.correct for t in above) / len(above) if above else 1.0)


def score(
    passages: list[dict],
    *,
    found_key: Callable[[Found], str],
    expected_keys: Callable[[str, list[str]], set[str]],
    unlisted_match: Callable[[str, str, dict], bool] | None = None,
) -> Score:
    """Tag every passage and compare, kind by kind, the keys found with the keys expected.

    `unlisted_match(kind, key, passage)`, when given, says whether a found key the annotators
    could not choose (their entity list lacked it) is one the passage's `unlisted` records
    name; such a tag is right, any other unexpected tag is wrong."""
    result = Score(passages=len(passages))
    for p in passages:
        found = text_tag(
            text=p["text"],
            title=p.get("title", ""),
            on=date.fromisoformat(p["date"]),
            authors=p.get("authors", []),
            language=p.get("language", ""),
        )
        for kind in KINDS:
            want = expected_keys(kind, p["expected"].get(kind, []))
            got: dict[str, Found] = {}
            for f in found:
                if f.kind == kind:
                    key = found_key(f)
                    if key not in got or f.confidence > got[key].confidence:
                        got[key] = f
            unlisted = {
                key
                for key in got.keys() - want
                if unlisted_match is not None and unlisted_match(kind, key, p)
            }
            for key, f in got.items():
                result.tags.append(
                    Tag(
                        kind=kind,
                        confidence=f.confidence,
                        correct=key in want or key in unlisted,
                        method=f.method,
                    )
                )
            c = result.counts[kind]
            c.tp += len(got.keys() & want)
            c.unlisted += len(unlisted)
            c.fp += len(got.keys() - want - unlisted)
            c.fn += len(want - got.keys())
            if got.keys() - unlisted != want:
                result.errors.append(
                    f"{p['id']} {kind}: extra {sorted(got.keys() - want - unlisted)} "
                    f"missing {sorted(want - got.keys())}"
                )
    return result
