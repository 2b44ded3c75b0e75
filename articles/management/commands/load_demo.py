from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.demo_server import DEMO_DIR, DEMO_PORT, DemoServer, demo_feed_paths
from articles.fetching import private_address_allowed
from articles.models import Feed, Source
from articles.services import FeedAddError, feed_add, feeds_ingest

OFFLINE_REASON = (
    "Offline demo feed: it is served only while `manage.py load_demo` runs, so it is not "
    "fetched on a schedule."
)


class Command(BaseCommand):
    help = "Ingest the offline demo snapshot (fictional sample outlets) through the real pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=DEMO_PORT,
            help="Local port for the demo server; feeds are stored under this address.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = demo_feed_paths()
        if not paths:
            raise CommandError(f"No demo feeds found in {DEMO_DIR / 'feeds'}.")
        try:
            server = DemoServer(port=options["port"])
        except OSError as exc:
            raise CommandError(
                f"Cannot serve the demo on 127.0.0.1:{options['port']}: {exc}. Pick another --port."
            ) from exc
        # The guard stays on for everything else; only the demo server is let through.
        with server, private_address_allowed("127.0.0.1", server.port):
            feeds = []
            for path in paths:
                url = server.base + path
                Feed.objects.filter(url=url, disabled_reason=OFFLINE_REASON).update(
                    active=True, disabled_reason=""
                )
                try:
                    feeds.append(feed_add(url=url).feed)
                except FeedAddError as exc:
                    raise CommandError(f"The demo feed {path} could not be added: {exc}") from exc
            Source.objects.filter(feeds__in=feeds).update(is_sample=True)
            summary = feeds_ingest(feeds=feeds, force=True, fetch_pages=True)
        Feed.objects.filter(pk__in=[f.pk for f in feeds]).update(
            active=False, disabled_reason=OFFLINE_REASON
        )
        for error in summary.errors:
            self.stderr.write(error)
        self.stdout.write(f"demo: {len(feeds)} sample feeds; {summary.line()}")
