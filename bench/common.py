"""What every benchmark module returns, and the context it runs in.

A benchmark module is `bench/bench_<area>.py` with `run(ctx: Context) -> list[Measurement]`.
`bench/run.py` imports each, runs it, and prints and writes the table. Each measurement
carries its own baseline measured in the same run (bare feedparser, the page's SQL alone,
PostgreSQL COPY, ...), so figures are compared as ratios on this noisy, shared machine.
"""

import statistics
from collections.abc import Callable
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


ROOT = Path(__file__).resolve().parent.parent


def standalone(
    run: Callable[[Context], list[Measurement]],
    *,
    articles: int = 0,
    repeats: int = 3,
    reference: bool = False,
    web: bool = False,
) -> None:
    """Run one benchmark module by itself (`python -m bench.bench_<area>`) and print its figures.

    `articles` generated articles are made first when fewer exist; `reference` loads the
    knowledge base when it is empty; `web` lets Django's test client reach the pages.
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if web:
        os.environ.setdefault("TRACKER_SSL_REDIRECT", "0")
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    from summits.models import Official

    if (reference or articles) and not Official.objects.exists():
        call_command("load_reference")
    if articles:
        from bench.generation import generated_articles

        if generated_articles().count() < articles:
            call_command("generate_data", articles=articles)
    shared = Path(os.getenv("TRACKER_SHARED_DIR", ROOT.parent / "shared"))
    ctx = Context(
        size="quick",
        articles=articles,
        export_articles=articles,
        repeats=repeats,
        shared_dir=shared if shared.is_dir() else None,
        out_dir=ROOT / "bench" / "out",
    )
    for m in run(ctx):
        ratio = f"{m.ratio:.2f}x" if m.ratio is not None else "-"
        print(
            f"{m.name}: median {m.median:,.4g} {m.unit} (p95 {m.p95:,.4g}); "
            f"{m.baseline_name or '-'}: median {m.baseline_median or 0:,.4g}; ratio {ratio}; "
            f"target {m.target or '-'}; {m.note}"
        )
