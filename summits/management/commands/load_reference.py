from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from summits.services import REFERENCE_DIR, ReferenceError, reference_load


class Command(BaseCommand):
    help = "Load the curated countries, officials, policies and summits. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=REFERENCE_DIR, help="Folder holding the reference JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = reference_load(directory=options["dir"])
        except (ReferenceError, KeyError) as exc:
            raise CommandError(f"Reference data not loaded: {exc}") from exc
        self.stdout.write(report.summary())
