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


def run(ctx: Context) -> list[Measurement]:
    import trafilatura

    from articles.ingestion.extraction import page_extract

    if ctx.shared_dir is None or not (ctx.shared_dir / CORPUS).is_dir():
        print(f"extraction: ../shared/{CORPUS} not found, skipped")
        return []
    corpus = corpus_load(ctx.shared_dir)
    folds = folds_load()
    if set(folds) != set(corpus.pages):
        raise RuntimeError("extraction_folds.json does not match the corpus; rerun with --folds")
    fold_keys = [sorted(k for k in folds if folds[k] == i) for i in range(FOLD_COUNT)]

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

    ours_f1 = [corpus.f1(ours_texts, keys) for keys in fold_keys]
    base_f1 = [corpus.f1(base_texts, keys) for keys in fold_keys]
    gains = [a - b for a, b in zip(ours_f1, base_f1, strict=True)]
    results = []
    for i, keys in enumerate(fold_keys):
        sites = len({page_site(corpus.urls[k]) for k in keys})
        results.append(
            Measurement(
                name=f"extraction: held-out F1, fold {i + 1}",
                unit="F1",
                samples=[ours_f1[i]],
                baseline_name="trafilatura.extract defaults",
                baseline_samples=[base_f1[i]],
                note=f"fold {i + 1}: {len(keys)} pages from {sites} sites",
            )
        )
    results += [
        Measurement(
            name=f"extraction: held-out F1, mean of {FOLD_COUNT} site folds",
            unit="F1",
            samples=[statistics.mean(ours_f1)],
            baseline_name="trafilatura.extract defaults",
            baseline_samples=[statistics.mean(base_f1)],
            target="mean >= trafilatura defaults + 0.01",
            note=(
                f"{len(corpus.pages)} pages; ours {statistics.mean(ours_f1):.4f} "
                f"(spread {_spread(ours_f1):.4f}), trafilatura defaults "
                f"{statistics.mean(base_f1):.4f} (spread {_spread(base_f1):.4f}); gain over "
                f"trafilatura {statistics.mean(gains):+.4f} (spread {_spread(gains):.4f} over "
                "the folds)"
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
