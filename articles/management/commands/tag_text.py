"""`manage.py tag_text FILE [--date YYYY-MM-DD]`: the mentions the tagger finds in a text file.

Prints one JSON object, a contract with outside tools:
{"mentions": [{"kind", "name", "date" (summits only), "confidence", "evidence"}]}.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from articles.tagging.tagger import text_tag


class Command(BaseCommand):
    help = "Tag a UTF-8 text file with countries, officials, policies and summits; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="UTF-8 text of one article")
        parser.add_argument(
            "--date",
            default="",
            help="The article's date, YYYY-MM-DD: roles and summits are resolved for it "
            "(default: today)",
        )

    def handle(self, *args: Any, file: str, date: str, **options: Any) -> None:
        on = _parse_date(date) if date else timezone.localdate()
        text = _read(Path(file))
        mentions = []
        for found in text_tag(text=text, on=on):
            row: dict[str, Any] = {"kind": found.kind, "name": found.name}
            if found.kind == "summit":
                row["date"] = found.date.isoformat() if found.date else None
            row["confidence"] = round(found.confidence, 3)
            row["evidence"] = found.evidence
            mentions.append(row)
        self.stdout.write(json.dumps({"mentions": mentions}, ensure_ascii=False))


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date {value!r} is not a date: use YYYY-MM-DD") from exc


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: could not be read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: is not UTF-8 text (bad byte at offset {exc.start})") from exc
