import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.generation import GenerationError, corpus_generate


class Command(BaseCommand):
    help = (
        "Fill a benchmark database with a realistic synthetic corpus of N articles. "
        "Safe to run again: it only tops up to N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--articles", type=int, required=True, help="Generated articles wanted."
        )
        parser.add_argument(
            "--mentions-per-article", type=float, default=10.0, help="Average mentions (10)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (1).")
        parser.add_argument(
            "--force", action="store_true", help="Add to a database that holds real articles."
        )
        parser.add_argument("--batch-size", type=int, default=5000, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        step = max(options["articles"] // 10, 1)

        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 2 or done // step != (done - options["batch_size"]) // step:
                self.stdout.write(f"  {done}/{total} articles")

        try:
            report = corpus_generate(
                articles=options["articles"],
                mentions_per_article=options["mentions_per_article"],
                seed=options["seed"],
                force=options["force"],
                batch_size=max(1, options["batch_size"]),
                progress=progress if options["verbosity"] >= 1 else None,
            )
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
