"""The gold set: precision and recall per kind of mention, against two knowledge bases.

`fixture` is a small knowledge base kept with the gold set (tests/articles/tagging/gold/kb), so the
figures do not move when the curated reference data grows; `reference` is the curated data
the app ships (summits/reference), skipped until those files exist.
"""

import json
from pathlib import Path

import pytest

from articles.tagging.kb import compact
from articles.tagging.tagger import Found, knowledge_base_reset
from summits.models import Country, Official, Policy
from summits.services import reference_load
from tests.articles.tagging.scoring import score

GOLD = Path(__file__).parent / "gold"
MIN_PRECISION = 0.95
MIN_RECALL = 0.90


def gold_passages() -> list[dict]:
    return json.loads((GOLD / "tagging_gold.json").read_text(encoding="utf-8"))["passages"]


def _keys(kind: str, found) -> str:
    if kind == "country":
        return Country.objects.get(pk=found.entity_id).iso2
    if kind == "summit":
        return found.date.isoformat()
    return compact(found.name)


def _expected_keys(kind: str, names: list[str]) -> set[str]:
    """Gold names, matched to the knowledge base's canonical names through its aliases."""
    if kind in ("country", "summit"):
        return set(names)
    keys = set()
    for name in names:
        model, alias_model = (Official, "aliases") if kind == "official" else (Policy, "aliases")
        folded = compact(name)
        match = next(
            (
                obj
                for obj in model.objects.prefetch_related(alias_model)
                if folded in {compact(obj.name), *(compact(a.name) for a in obj.aliases.all())}
            ),
            None,
        )
        keys.add(compact(match.name) if match else folded)
    return keys


def _found_key(found: Found) -> str:
    return _keys(found.kind, found)


def with_reference_paraphrases(passages: list[dict]) -> list[dict]:
    """Passages with the paraphrased references only the curated knowledge base recognises
    (its recognisers): `expected_reference` adds to `expected`."""
    merged = []
    for p in passages:
        expected = {k: list(v) for k, v in p["expected"].items()}
        for kind, names in p.get("expected_reference", {}).items():
            expected[kind] = [*expected.get(kind, []), *names]
        merged.append({**p, "expected": expected})
    return merged


def evaluate(passages: list[dict]) -> tuple[dict[str, dict[str, float]], list[str]]:
    result = score(passages, found_key=_found_key, expected_keys=_expected_keys)
    scores = {
        kind: {"precision": c.precision, "recall": c.recall, "tp": c.tp, "fp": c.fp, "fn": c.fn}
        for kind, c in result.counts.items()
    }
    return scores, result.errors


@pytest.fixture(params=["fixture", "reference"])
def knowledge_base(request: pytest.FixtureRequest, db: None) -> str:
    if request.param == "fixture":
        reference_load(directory=GOLD / "kb")
    else:
        reference_load()
    knowledge_base_reset()
    yield request.param
    knowledge_base_reset()


def test_the_gold_set_is_big_and_varied_enough() -> None:
    passages = gold_passages()
    assert len(passages) >= 40
    ids = [p["id"] for p in passages]
    assert len(ids) == len(set(ids))
    texts = " ".join(p["text"] for p in passages)
    for marker in ("By ", "Par ", "canciller", "ministre", "Lopez Obrador", "Sheinb\u0430um"):
        assert marker in texts


def test_it_meets_precision_and_recall_on_the_gold_set(knowledge_base: str) -> None:
    passages = gold_passages()
    if knowledge_base == "reference":
        passages = with_reference_paraphrases(passages)
    scores, errors = evaluate(passages)
    report = "\n".join(
        f"{kind}: precision {s['precision']:.3f} recall {s['recall']:.3f} "
        f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']})"
        for kind, s in scores.items()
    )
    print(f"\n[{knowledge_base}]\n{report}\n" + "\n".join(errors))
    for kind, s in scores.items():
        assert s["precision"] >= MIN_PRECISION, f"{kind} precision\n{report}\n" + "\n".join(errors)
        assert s["recall"] >= MIN_RECALL, f"{kind} recall\n{report}\n" + "\n".join(errors)
