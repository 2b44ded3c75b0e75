"""Extraction benchmark: held-out F1 by site folds, and milliseconds per page, against
trafilatura's defaults on ../shared/corpora/extraction-dev.

The 88 pages are split into folds by site (bench/extraction_folds.json, committed; no site
has pages in two folds), so a figure on a fold is a figure on sites the extractor was not
written against. Quality is the corpus's own score.py (4-token shingle F1 against
ground-truth.json) on each fold; the mean and spread over the folds are what we report.
Speed is milliseconds per page, every page timed `ctx.repeats` times, with bare
`trafilatura.extract(html)` timed in the same run.

    python -m bench.bench_extraction           # the figures
    python -m bench.bench_extraction --folds   # rewrite extraction_folds.json from the corpus
"""

import gzip
import hashlib
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement, standalone  # noqa: E402

FOLDS_FILE = ROOT / "bench" / "extraction_folds.json"
FOLD_COUNT = 5
CORPUS = "corpora/extraction-dev"


# --- the corpus and its folds ----------------------------------------------------------------


def page_site(url: str) -> str:
    """The outlet of a page: the registrable part of its host (news.x.co.uk -> x.co.uk)."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    parts = host.split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in ("co", "com", "org", "net", "ac"):
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def folds_make(urls: dict[str, str], count: int = FOLD_COUNT) -> dict[str, int]:
    """Page key -> fold. Sites in the order of their SHA-256, each to the smallest fold so far."""
    pages_by_site: dict[str, list[str]] = {}
    for key, url in sorted(urls.items()):
        pages_by_site.setdefault(page_site(url), []).append(key)
    sizes = [0] * count
    fold_of: dict[str, int] = {}
    for site in sorted(pages_by_site, key=lambda s: hashlib.sha256(s.encode()).hexdigest()):
        fold = min(range(count), key=lambda i: (sizes[i], i))
        sizes[fold] += len(pages_by_site[site])
        for key in pages_by_site[site]:
            fold_of[key] = fold
    return fold_of


def folds_load() -> dict[str, int]:
    return {key: int(fold) for key, fold in json.loads(FOLDS_FILE.read_text())["pages"].items()}


def folds_write(urls: dict[str, str]) -> None:
    folds = folds_make(urls)
    document = {
        "about": (
            "Folds of the extraction-dev corpus for cross-validation, by site: no site has "
            "pages in two folds. Made by bench/bench_extraction.py --folds (sites in SHA-256 "
            "order, each to the smallest fold so far). Page key -> fold."
        ),
        "folds": FOLD_COUNT,
        "pages": {key: folds[key] for key in sorted(folds)},
    }
    FOLDS_FILE.write_text(json.dumps(document, indent=1) + "\n")


@dataclass
class Corpus:
    pages: dict[str, bytes]  # key -> HTML bytes
    urls: dict[str, str]
    truth: dict[str, str]  # key -> article body
    score: ModuleType  # the corpus's score.py

    def f1(self, texts: dict[str, str], keys: list[str]) -> float:
        return float(self.score.score({k: self.truth[k] for k in keys}, texts)["f1"])


def corpus_load(shared_dir: Path) -> Corpus:
    folder = shared_dir / CORPUS
    spec = importlib.util.spec_from_file_location("extraction_score", folder / "score.py")
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    truth = json.loads((folder / "ground-truth.json").read_text())
    return Corpus(
        pages={
            p.name.split(".")[0]: gzip.decompress(p.read_bytes())
            for p in sorted((folder / "html").glob("*.html.gz"))
        },
        urls={k: v.get("url", "") for k, v in truth.items()},
        truth={k: v.get("articleBody", "") for k, v in truth.items()},
        score=score,
    )


# --- measuring --------------------------------------------------------------------------------


def _timed(
    pages: dict[str, bytes], fn: Callable[[bytes], str]
) -> tuple[dict[str, str], list[float]]:
    texts, millis = {}, []
    for key, html in pages.items():
        start = time.perf_counter()
        texts[key] = fn(html) or ""
        millis.append((time.perf_counter() - start) * 1000)
    return texts, millis


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _spread(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


@dataclass
class Variant:
    """One way of reading the corpus: its text per page and its F1 per fold."""

    name: str
    texts: dict[str, str]
    f1: list[float]

    @property
    def mean(self) -> float:
        return statistics.mean(self.f1)


def _gain(a: Variant, b: Variant) -> tuple[float, float]:
    """Mean and spread over the folds of a's F1 minus b's, fold by fold."""
    gains = [x - y for x, y in zip(a.f1, b.f1, strict=True)]
    return statistics.mean(gains), _spread(gains)


def _verdict(gain: float, spread: float) -> str:
    return "beyond its spread" if gain > spread else "NOT beyond its spread"


def _nested(variants: list[Variant], corpus: Corpus, fold_keys: list[list[str]]) -> list[str]:
    """For each fold, the variant with the best F1 on the other folds' pages."""
    chosen = []
    for i in range(len(fold_keys)):
        train = [k for j, keys in enumerate(fold_keys) if j != i for k in keys]
        chosen.append(max(variants, key=lambda v: corpus.f1(v.texts, train)).name)
    return chosen


def _huge_page_seconds() -> tuple[float, int]:
    """Seconds to extract a page of about 5 MB (the fetch cap) made of 30,000 paragraphs."""
    from articles.ingestion.extraction import page_extract

    paragraph = (
        "<p>Officials from the three countries met on Tuesday to discuss asylum processing, "
        "seasonal work visas and funding for shelters along the southern border, {n}.</p>\n"
    )
    body = "".join(paragraph.format(n=n) for n in range(30_000))
    page = f"<html><head><title>Long</title></head><body><article>{body}</article></body></html>"
    start = time.perf_counter()
    page_extract(html=page.encode(), url="https://example.org/long")
    return time.perf_counter() - start, len(page)


def run(ctx: Context) -> list[Measurement]:
    import trafilatura

    from articles.ingestion.extraction import TEXT_RULES, TextRules, _json_ld_article, page_extract

    if ctx.shared_dir is None or not (ctx.shared_dir / CORPUS).is_dir():
        print(f"extraction: ../shared/{CORPUS} not found, skipped")
        return []
    corpus = corpus_load(ctx.shared_dir)
    folds = folds_load()
    if set(folds) != set(corpus.pages):
        raise RuntimeError("extraction_folds.json does not match the corpus; rerun with --folds")
    fold_keys = [sorted(k for k in folds if folds[k] == i) for i in range(FOLD_COUNT)]

    def variant(name: str, texts: dict[str, str]) -> Variant:
        return Variant(name, texts, [corpus.f1(texts, keys) for keys in fold_keys])

    def ours(html: bytes) -> str:
        return page_extract(html=html).text

    def trafilatura_defaults(html: bytes) -> str:
        return trafilatura.extract(html) or ""

    ours_ms: list[float] = []
    base_ms: list[float] = []
    for _ in range(max(1, ctx.repeats)):
        ours_texts, millis = _timed(corpus.pages, ours)
        ours_ms += millis
        base_texts, millis = _timed(corpus.pages, trafilatura_defaults)
        base_ms += millis
    shipped = variant("shipped", ours_texts)
    base = variant("trafilatura defaults", base_texts)

    # Every setting of TextRules, and one at a time the rules the text goes through.
    def with_rules(rules: TextRules) -> tuple[Variant, list[float]]:
        texts, millis = _timed(corpus.pages, lambda h: page_extract(html=h, rules=rules).text)
        return variant(str(rules), texts), millis

    grid: list[Variant] = []
    for focus in ("precision", "balanced", "recall"):
        for cues in (True, False):
            rules = TextRules(focus=focus, cues=cues)  # type: ignore[arg-type]
            grid.append(shipped if rules == TEXT_RULES else with_rules(rules)[0])
    by_name = {v.name: v for v in grid}
    chosen = _nested(grid, corpus, fold_keys)
    nested = variant(
        "chosen on the other folds",
        {k: by_name[chosen[folds[k]]].texts[k] for k in corpus.pages},
    )
    all_pages_choice = max(grid, key=lambda v: corpus.f1(v.texts, sorted(corpus.pages))).name
    full_cascade, full_ms = with_rules(TextRules(fast_first=False))
    no_cues = by_name[str(TextRules(cues=False))]

    # Candidates that did not earn a place, measured again on each run.
    ld_bodies = {}
    for key, html in corpus.pages.items():
        tree = trafilatura.utils.load_html(html)
        body = _json_ld_article(tree).get("articleBody") if tree is not None else None
        ld_bodies[key] = body if isinstance(body, str) else ""
    json_ld = variant(
        "JSON-LD articleBody when at least as long",
        {k: ld_bodies[k] if len(ld_bodies[k]) >= len(t) else t for k, t in shipped.texts.items()},
    )
    baseline_texts = {}
    for key, text in shipped.texts.items():
        rescue = trafilatura.baseline(corpus.pages[key])[1] if len(text) < 250 else ""
        baseline_texts[key] = rescue if len(rescue) > len(text) else text
    baseline = variant("trafilatura.baseline when under 250 characters", baseline_texts)

    huge_seconds, huge_bytes = _huge_page_seconds()

    results = []
    for i, keys in enumerate(fold_keys):
        sites = len({page_site(corpus.urls[k]) for k in keys})
        results.append(
            Measurement(
                name=f"extraction: held-out F1, fold {i + 1}",
                unit="F1",
                samples=[shipped.f1[i]],
                baseline_name="trafilatura.extract defaults",
                baseline_samples=[base.f1[i]],
                note=f"fold {i + 1}: {len(keys)} pages from {sites} sites",
            )
        )
    gain, spread = _gain(shipped, base)
    results.append(
        Measurement(
            name=f"extraction: held-out F1, mean of {FOLD_COUNT} site folds",
            unit="F1",
            samples=[shipped.mean],
            baseline_name="trafilatura.extract defaults",
            baseline_samples=[base.mean],
            target="mean >= trafilatura defaults + 0.01",
            note=(
                f"{len(corpus.pages)} pages; ours {shipped.mean:.4f} (spread "
                f"{_spread(shipped.f1):.4f}), trafilatura defaults {base.mean:.4f} (spread "
                f"{_spread(base.f1):.4f}); gain {gain:+.4f}, spread of the gain over the folds "
                f"{spread:.4f}"
            ),
        )
    )
    gain, spread = _gain(nested, shipped)
    per_fold = "; ".join(f"fold {i + 1} {c}" for i, c in enumerate(chosen))
    results.append(
        Measurement(
            name="extraction: held-out F1, settings chosen on the other folds",
            unit="F1",
            samples=[nested.mean],
            baseline_name="trafilatura.extract defaults",
            baseline_samples=[base.mean],
            note=(
                "for each fold, the TextRules (focus x cues) with the best F1 on the other four "
                f"folds, scored on it: chosen {per_fold}. "
                f"On all pages: {all_pages_choice}; shipped: {TEXT_RULES}. Difference from the "
                f"shipped settings {gain:+.4f}"
            ),
        )
    )
    for name, without in (
        ("rule: boilerplate cue lines dropped", no_cues),
        ("setting: precision focus, against balanced", by_name[str(TextRules(focus="balanced"))]),
        ("setting: precision focus, against recall", by_name[str(TextRules(focus="recall"))]),
        ("candidate: JSON-LD articleBody", json_ld),
        ("candidate: trafilatura baseline rescue", baseline),
    ):
        gain, spread = _gain(shipped, without)
        candidate = name.startswith("candidate")
        results.append(
            Measurement(
                name=f"extraction: {name}",
                unit="F1",
                samples=[without.mean if candidate else shipped.mean],
                baseline_name="the shipped extractor" if candidate else "without the rule",
                baseline_samples=[shipped.mean if candidate else without.mean],
                note=(f"{without.name}: " if candidate else f"without: {without.name}; ")
                + (
                    f"held-out gain of the candidate {-gain:+.4f}, spread {spread:.4f}: "
                    f"{_verdict(-gain, spread)}"
                    if candidate
                    else f"held-out gain of the rule {gain:+.4f}, spread {spread:.4f}: "
                    f"{_verdict(gain, spread)}"
                ),
            )
        )
    gain, spread = _gain(shipped, full_cascade)
    results += [
        Measurement(
            name="extraction: rule: fast pass first, fallback extractors only when short",
            unit="ms",
            samples=ours_ms,
            baseline_name="fallback extractors on every page",
            baseline_samples=full_ms,
            note=(
                f"held-out F1 {shipped.mean:.4f} against {full_cascade.mean:.4f} with the "
                f"fallback extractors on every page (difference {gain:+.4f}, spread {spread:.4f})"
            ),
        ),
        Measurement(
            name="extraction: ms per page",
            unit="ms",
            samples=ours_ms,
            baseline_name="trafilatura.extract defaults",
            baseline_samples=base_ms,
            target="median <= 15, p95 <= 40",
            note=(
                f"{len(corpus.pages)} pages x {max(1, ctx.repeats)}; trafilatura defaults "
                f"p95 {_p95(base_ms):.1f} ms"
            ),
        ),
        Measurement(
            name="extraction: a 5 MB page of 30,000 paragraphs",
            unit="s",
            samples=[huge_seconds],
            target="< 3 s",
            note=f"{huge_bytes / 1e6:.1f} MB; read up to the first MAX_ELEMENTS elements",
        ),
    ]
    return results


if __name__ == "__main__":
    if "--folds" in sys.argv:
        import os

        shared = Path(os.getenv("TRACKER_SHARED_DIR", ROOT.parent / "shared"))
        folds_write(corpus_load(shared).urls)
        print(f"wrote {FOLDS_FILE.relative_to(ROOT)}")
    else:
        standalone(run)
