"""Write a full CSV export to a file, with its citation sidecar, showing progress."""

import json
import os
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import timezone

from articles.reading.exports import (
    KINDS,
    UnknownExportError,
    export_meta,
    export_prepare,
    export_stream,
)
from articles.reading.filters import FilterError

PROGRESS_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Write KIND.csv (articles, mentions, summits, officials, policies, countries) to FILE, "
        "filtered by name=value pairs as on the pages, plus FILE.meta.json for citing it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", help=", ".join(KINDS))
        parser.add_argument(
            "filters", nargs="*", metavar="name=value", help="e.g. country=MX from=2024-01-01"
        )
        parser.add_argument("-o", "--output", required=True, help="The CSV file to write.")
        parser.add_argument("--bom", action="store_true", help="Start with a BOM, for Excel.")
        parser.add_argument(
            "--staff",
            action="store_true",
            help="Include the staff-only columns (articles' full text), as staff get them on "
            "the site. Without it the file is the public one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = QueryDict(mutable=True)
        for pair in options["filters"]:
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise CommandError(f"“{pair}” is not a filter: write name=value, e.g. country=MX.")
            params[name] = value
        for name in ("bom", "meta"):
            if name in params:
                raise CommandError(f"{name} is not a filter here; the command takes --bom.")
        try:
            export = export_prepare(kind=options["kind"], params=params, staff=options["staff"])
        except (UnknownExportError, FilterError) as exc:
            raise CommandError(str(exc)) from exc

        target = Path(options["output"])
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        # Written beside the target and renamed at the end: an interrupted run leaves the
        # previous file whole, and running twice simply replaces it.
        partial = target.with_name(target.name + ".partial")
        generated_at = timezone.now()
        started = last = time.monotonic()
        written = 0

        def progress(rows: int) -> None:
            nonlocal last, written
            written = rows
            now = time.monotonic()
            if now - last >= PROGRESS_SECONDS:
                last = now
                rate = rows / max(now - started, 1e-9)
                self.stderr.write(f"{export.kind}: {rows:,} rows ({rate:,.0f} rows/s)")

        try:
            with partial.open("wb") as out:
                for piece in export_stream(export=export, bom=options["bom"], on_progress=progress):
                    out.write(piece)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Could not write {target}: {exc.strerror or exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

        meta = export_meta(export=export, generated_at=generated_at, row_count=written)
        sidecar = target.with_name(target.name + ".meta.json")
        try:
            sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            raise CommandError(f"Could not write {sidecar}: {exc.strerror or exc}") from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Wrote {written:,} rows to {target} in {elapsed:.1f} s; citation in {sidecar.name}."
        )
