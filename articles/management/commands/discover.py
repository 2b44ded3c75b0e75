from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from articles.tagging.discovery import discovery_run


class Command(BaseCommand):
    help = (
        "Propose meetings, people and aliases the knowledge base lacks, from the tagged "
        "articles, for editors to decide on in admin. Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since-hours",
            type=int,
            help="Read only the articles tagged in the last N hours (default: all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["since_hours"]
        if hours is not None and hours <= 0:
            raise CommandError("--since-hours must be a whole number of hours above 0.")
        since = timezone.now() - timedelta(hours=hours) if hours else None
        self.stdout.write(discovery_run(since=since).line())
