"""Extraction benchmark: page_extract against trafilatura alone on ../shared/corpora/extraction-dev.

Quality is the corpus's own score.py (4-token shingle F1 against ground-truth.json); speed is
milliseconds per page, every page timed `ctx.repeats` times. The baseline for both is bare
`trafilatura.extract(html)` with its defaults, measured in the same run.

    python -m bench.bench_extraction
"""

import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Context, Measurement, standalone  # noqa: E402


def _score_module(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_score", folder / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(
    pages: dict[str, bytes], fn: Callable[[bytes], str]
) -> tuple[dict[str, str], list[float]]:
    texts, millis = {}, []
    for key, html in pages.items():
        start = time.perf_counter()
        texts[key] = fn(html) or ""
        millis.append((time.perf_counter() - start) * 1000)
    return texts, millis


def run(ctx: Context) -> list[Measurement]:
    import trafilatura

    from articles.ingestion.extraction import page_extract

    if ctx.shared_dir is None or not (ctx.shared_dir / "corpora/extraction-dev").is_dir():
        print("extraction: ../shared/corpora/extraction-dev not found, skipped")
        return []
    folder = ctx.shared_dir / "corpora/extraction-dev"
    score = _score_module(folder)
    truth = {
        k: v.get("articleBody", "")
        for k, v in json.loads((folder / "ground-truth.json").read_text()).items()
    }
    pages = {
        p.name.split(".")[0]: gzip.decompress(p.read_bytes())
        for p in sorted((folder / "html").glob("*.html.gz"))
    }

    def ours(html: bytes) -> str:
        return page_extract(html=html).text

    def baseline(html: bytes) -> str:
        return trafilatura.extract(html) or ""

    def precision_mode(html: bytes) -> str:
        return trafilatura.extract(html, favor_precision=True) or ""

    ours_ms: list[float] = []
    base_ms: list[float] = []
    for _ in range(max(1, ctx.repeats)):
        ours_texts, millis = _timed(pages, ours)
        ours_ms += millis
        base_texts, millis = _timed(pages, baseline)
        base_ms += millis
    ours_score = score.score(truth, ours_texts)
    base_score = score.score(truth, base_texts)
    precision_score = score.score(truth, _timed(pages, precision_mode)[0])
    pages_note = f"{len(pages)} pages"
    return [
        Measurement(
            name="extraction: F1 on extraction-dev",
            unit="F1",
            samples=[ours_score["f1"]],
            baseline_name="trafilatura.extract defaults",
            baseline_samples=[base_score["f1"]],
            target="F1 >= 0.96",
            note=(
                f"{pages_note}; ours P {ours_score['precision']:.4f} R {ours_score['recall']:.4f}; "
                f"trafilatura P {base_score['precision']:.4f} R {base_score['recall']:.4f}; "
                f"trafilatura favor_precision F1 {precision_score['f1']:.4f}"
            ),
        ),
        Measurement(
            name="extraction: ms per page",
            unit="ms",
            samples=ours_ms,
            baseline_name="trafilatura.extract defaults",
            baseline_samples=base_ms,
            note=f"{pages_note} x {max(1, ctx.repeats)}; ours adds readability and metadata",
        ),
    ]


if __name__ == "__main__":
    standalone(run)
