from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.ingestion.scheduling import feeds_due
from articles.ingestion.services import feeds_ingest
from articles.ingestion.tasks import discovery_queue
from articles.management.commands._progress import Progress, command_stream
from articles.models import Feed


class Command(BaseCommand):
    help = "Fetch every feed that is due now (or one feed), then the pages of new articles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed", type=int, help="Fetch only this feed (by id), due or not.")
        parser.add_argument("--feeds-only", action="store_true", help="Do not fetch article pages.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["feed"] is not None:
            feed = Feed.objects.filter(pk=options["feed"]).first()
            if feed is None:
                raise CommandError(f"There is no feed with id {options['feed']}.")
            if not feed.active:
                raise CommandError(
                    f"Feed {feed.pk} is disabled: {feed.disabled_reason or 'no reason given'} "
                    "Re-enable it in the admin first."
                )
            feeds = [feed]
        else:
            feeds = list(feeds_due().select_related("source"))
        progress = Progress(command_stream(self.stderr))
        summary = feeds_ingest(
            feeds=feeds,
            force=options["feed"] is not None,
            fetch_pages=not options["feeds_only"],
            progress=progress,
        )
        progress.end()
        if summary.new or summary.updated:
            discovery_queue()  # as after a feed run in a worker
        for error in summary.errors:
            self.stderr.write(error)
        self.stdout.write(summary.line())
