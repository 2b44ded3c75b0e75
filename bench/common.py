"""What every benchmark module returns, and the context it runs in.

A benchmark module is `bench/bench_<area>.py` with `run(ctx: Context) -> list[Measurement]`.
`bench/run.py` imports each, runs it, and prints and writes the table. Each measurement
carries its own baseline measured in the same run (bare feedparser, the page's SQL alone,
PostgreSQL COPY, ...), so figures are compared as ratios on this noisy, shared machine.
"""

import statistics
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Context:
    size: str  # "quick" or "full"
    articles: int  # articles generated for page and search benchmarks
    export_articles: int  # articles for the export benchmark
    repeats: int  # samples per measured figure
    shared_dir: Path | None  # ../shared, or None when absent
    out_dir: Path  # bench/out/, for scratch files


@dataclass
class Measurement:
    name: str  # "pages: home"
    unit: str  # "ms", "rows/s", "MB", "F1", "MB/s"
    samples: list[float]
    baseline_name: str = ""
    baseline_samples: list[float] = field(default_factory=list)
    target: str = ""  # "p95 <= 100 ms", "F1 >= 0.96"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return self.median / base if base else None
