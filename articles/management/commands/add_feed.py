from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.ingestion.services import FeedAddError, feed_add


class Command(BaseCommand):
    help = "Add a feed (or a site whose home page links to one), after fetching it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="The feed's address, or a site's home page.")
        parser.add_argument("--source", default="", help="The outlet's name, if not the feed's.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = feed_add(url=options["url"], source_name=options["source"])
        except FeedAddError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.message)
