"""People and aliases discovery measured on labelled passages (see discovery_names/README.md).

Each passage's sentences go through `name_findings` with the curated knowledge base; every
name it proposes is checked against the passage's labels: a person is right when it is one of
the titled office-holders labelled (any accepted spelling), an alias when it is a labelled
misspelling of that very official. Anything else proposed is a false candidate.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from articles.models import CandidateKind
from articles.tagging.discovery import KnownBase, name_findings, sentences_of
from articles.tagging.kb import fold
from summits.models import Official

HERE = Path(__file__).parent / "discovery_names"


def passages(name: str) -> list[dict]:
    """'frozen' (scored only) or 'tune' (read and tuned on)."""
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))["passages"]


def _key(name: str) -> str:
    return " ".join(fold(name).replace(".", "").split())


@dataclass
class NameScore:
    proposed: int = 0
    right: int = 0
    labelled: int = 0
    found: int = 0
    errors: list[str] = field(default_factory=list)  # "id: kind name (why)"
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    def line(self) -> str:
        return (
            f"precision {self.right}/{self.proposed} = {self.precision:.0%}, "
            f"recall {self.found}/{self.labelled} = {self.recall:.0%}"
        )


def score(items: list[dict], kb: KnownBase) -> NameScore:
    """How the people and alias candidates of these passages compare with their labels."""
    slugs = dict(Official.objects.values_list("pk", "slug"))
    result = NameScore()
    for p in items:
        people = [{_key(n) for n in names} for names in p["people"]]
        aliases = [({_key(n) for n in a["names"]}, a["official"]) for a in p["aliases"]]
        result.labelled += len(people) + len(aliases)
        hit_people: set[int] = set()
        hit_aliases: set[int] = set()
        for f in name_findings(sentences=sentences_of(p["text"]), kb=kb):
            result.proposed += 1
            key = _key(f.name)
            if f.kind == CandidateKind.PERSON:
                match = [i for i, names in enumerate(people) if key in names]
                hit_people.update(match)
            else:
                match = [
                    i
                    for i, (names, slug) in enumerate(aliases)
                    if key in names and slugs.get(f.official_id) == slug
                ]
                hit_aliases.update(match)
            if match:
                result.right += 1
            else:
                official = f" ~ {slugs.get(f.official_id)}" if f.official_id else ""
                result.errors.append(f"{p['id']}: {f.kind} {f.name!r}{official}")
        result.found += len(hit_people) + len(hit_aliases)
        result.misses += [
            f"{p['id']}: person {sorted(names)[0]!r}"
            for i, names in enumerate(people)
            if i not in hit_people
        ]
        result.misses += [
            f"{p['id']}: alias {sorted(names)[0]!r} of {slug}"
            for i, (names, slug) in enumerate(aliases)
            if i not in hit_aliases
        ]
    return result
