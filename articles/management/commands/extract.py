"""`manage.py extract FILE...`: saved pages (plain or .gz) to one JSON object a line.

The keys are a contract with outside tools: path, title, text, published, authors, site_name,
canonical_url, language, original_source.
"""

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.ingestion.extraction import page_extract


class Command(BaseCommand):
    help = "Extract text and metadata from saved article pages; prints one JSON line per file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="HTML page, plain or .gz")
        parser.add_argument("--url", default="", help="The address the pages came from, if known")

    def handle(self, *args: Any, files: list[str], url: str, **options: Any) -> None:
        failed = 0
        for name in files:
            try:
                html = _read(Path(name))
            except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
                failed += 1
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                self.stderr.write(f"{name}: could not be read ({reason})")
                continue
            extracted = page_extract(html=html, url=url)
            row = {
                "path": name,
                "title": extracted.title,
                "text": extracted.text,
                "published": extracted.published.isoformat() if extracted.published else None,
                "authors": extracted.authors,
                "site_name": extracted.site_name,
                "canonical_url": extracted.canonical_url,
                "language": extracted.language,
                "original_source": extracted.original_source,
            }
            self.stdout.write(json.dumps(row, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) could not be read")


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    # Gzip by its magic number, not its name: saved pages are not always named honestly.
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if path.suffix == ".gz":
        raise gzip.BadGzipFile("named .gz but not gzip-compressed")
    return data
