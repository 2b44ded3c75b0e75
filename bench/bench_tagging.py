"""Tagging benchmark: text_tag throughput in MB of article text per second on one core.

Two corpora: the article bodies in the benchmark database (the synthetic corpus mixes filler
with entity names) and, when ../shared is present, real English news prose from the
extraction corpus with the gold passages mixed in. Every sample starts from a freshly
compiled knowledge base, so its caches are cold, as in a new worker. The baseline is the
bare pass every tagging run starts with: fold the text and walk the automaton, keeping
word-bounded hits. The gold set is also scored, against the same pass with no context rules.

    python -m bench.bench_tagging
"""

import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement, standalone  # noqa: E402

CORPUS_BYTES = 2_000_000
GOLD = ROOT / "tests" / "articles" / "tagging" / "gold" / "tagging_gold.json"


def _db_corpus() -> list[tuple[str, date]]:
    from django.utils import timezone

    from articles.models import Article

    texts: list[tuple[str, date]] = []
    size = 0
    rows = Article.objects.exclude(body="").order_by("pk").values_list("body", "published_at")
    for body, published in rows.iterator(chunk_size=500):
        texts.append((body, timezone.localdate(published) if published else date.today()))
        size += len(body.encode())
        if size >= CORPUS_BYTES:
            break
    return texts


def _prose_corpus(shared: Path | None) -> list[tuple[str, date]]:
    truth = shared / "corpora/extraction-dev/ground-truth.json" if shared else None
    if truth is None or not truth.exists():
        return []
    bodies = [v.get("articleBody", "") for v in json.loads(truth.read_text()).values()]
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["passages"]
    texts = []
    for i, body in enumerate(bodies):
        passage = gold[i % len(gold)]
        paragraphs = body.split("\n\n")
        middle = len(paragraphs) // 2
        mixed = "\n\n".join([*paragraphs[:middle], passage["text"], *paragraphs[middle:]])
        texts.append((mixed, date.fromisoformat(passage["date"])))
    return texts


def _throughput(texts: list[tuple[str, date]], repeats: int) -> tuple[list[float], list[float]]:
    from articles.tagging.kb import fold, knowledge_base_get
    from articles.tagging.tagger import knowledge_base_reset, text_tag

    megabytes = sum(len(t.encode()) for t, _d in texts) / 1e6
    ours, base = [], []
    for _ in range(repeats):
        knowledge_base_reset()
        kb = knowledge_base_get()
        start = time.perf_counter()
        for text, on in texts:
            text_tag(text=text, on=on)
        ours.append(megabytes / (time.perf_counter() - start))

        start = time.perf_counter()
        for text, _on in texts:
            folded = fold(text)
            n = len(folded)
            kept = 0
            for end, (length, _keys, _prefixes, _checked) in kb.automaton.iter(folded):
                first = end - length + 1
                if first > 0 and folded[first - 1].isalnum():
                    continue
                if end + 1 < n and folded[end + 1].isalnum():
                    continue
                kept += 1
        base.append(megabytes / (time.perf_counter() - start))
    return ours, base


def _gold_scores() -> tuple[float, float, str]:
    """Lowest F1 over the four kinds: the tagger, and exact names with no context rules."""
    from articles.tagging.kb import (
        COUNTRY,
        OFFICIAL_FULL,
        OFFICIAL_SHORT,
        POLICY,
        SUMMIT,
        fold,
        knowledge_base_get,
    )
    from articles.tagging.tagger import text_tag
    from tests.articles.tagging.scoring import KINDS
    from tests.articles.tagging.test_tagging_gold import (
        _expected_keys,
        _keys,
        gold_passages,
        with_reference_paraphrases,
    )

    kb = knowledge_base_get()
    kinds_of = {
        COUNTRY: "country",
        OFFICIAL_FULL: "official",
        OFFICIAL_SHORT: "official",
        POLICY: "policy",
        SUMMIT: "summit",
    }

    class Hit:
        def __init__(self, kind: str, entity: int) -> None:
            self.kind, self.entity_id = kind, entity
            self.name = ""
            self.date = None
            if kind == "official":
                self.name = kb.officials[entity].name
            elif kind == "policy":
                self.name = kb.policies[entity]
            elif kind == "summit":
                self.date = kb.summits[entity].start

    def naive(text: str) -> list[Hit]:
        folded = fold(text)
        found = {}
        for end, (length, payloads, _prefixes, _checked) in kb.automaton.iter(folded):
            first = end - length + 1
            if (first > 0 and folded[first - 1].isalnum()) or (
                end + 1 < len(folded) and folded[end + 1].isalnum()
            ):
                continue
            for key in payloads:
                if key.kind in kinds_of:
                    found[(kinds_of[key.kind], key.entity)] = Hit(kinds_of[key.kind], key.entity)
        return list(found.values())

    def f1s(tag) -> dict[str, float]:
        counts = {k: [0, 0, 0] for k in KINDS}
        for p in with_reference_paraphrases(gold_passages()):
            found = tag(p)
            for kind in KINDS:
                got = {_keys(kind, f) for f in found if f.kind == kind}
                want = _expected_keys(kind, p["expected"][kind])
                counts[kind][0] += len(got & want)
                counts[kind][1] += len(got - want)
                counts[kind][2] += len(want - got)
        return {
            k: (2 * tp / (2 * tp + fp + fn) if tp else 0.0) for k, (tp, fp, fn) in counts.items()
        }

    ours = f1s(lambda p: text_tag(text=p["text"], on=date.fromisoformat(p["date"])))
    base = f1s(lambda p: naive(p["text"]))
    note = "; ".join(f"{k} {ours[k]:.3f} (exact names {base[k]:.3f})" for k in KINDS)
    return min(ours.values()), min(base.values()), note


def run(ctx: Context) -> list[Measurement]:
    from articles.tagging.kb import knowledge_base_compile

    repeats = max(1, ctx.repeats)
    measurements = []
    corpora = [("synthetic articles in the database", _db_corpus())]
    corpora.append(("real news prose with gold passages", _prose_corpus(ctx.shared_dir)))
    for label, texts in corpora:
        if not texts:
            print(f"tagging: no {label}, skipped")
            continue
        ours, base = _throughput(texts, repeats)
        size = sum(len(t.encode()) for t, _d in texts) / 1e6
        measurements.append(
            Measurement(
                name=f"tagging: {label}",
                unit="MB/s",
                samples=ours,
                baseline_name="fold + automaton pass only",
                baseline_samples=base,
                target=">= 4 MB/s per core on real prose",
                note=f"{len(texts)} texts, {size:.2f} MB, one process, cold caches each sample",
            )
        )

    compile_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        knowledge_base_compile()
        compile_ms.append((time.perf_counter() - start) * 1000)
    measurements.append(
        Measurement(
            name="tagging: compile the knowledge base",
            unit="ms",
            samples=compile_ms,
            note="once per worker process, and again when the reference tables change",
        )
    )

    ours_f1, base_f1, note = _gold_scores()
    measurements.append(
        Measurement(
            name="tagging: gold set, lowest F1 over the four kinds",
            unit="F1",
            samples=[ours_f1],
            baseline_name="exact names, no context rules",
            baseline_samples=[base_f1],
            target="precision >= 0.95 and recall >= 0.90 per kind (tests)",
            note=note,
        )
    )
    return measurements


if __name__ == "__main__":
    standalone(run, reference=True)
