from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from articles.ingestion.services import FeedAddError, feed_add, feeds_ingest
from articles.models import Feed
from articles.tagging.discovery import discovery_run
from demo.server import DEMO_DIR, DEMO_PORT, DemoServer, demo_feed_paths

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
        # The private-network guard stays on for everything else; only the demo server, for
        # as long as this command runs, is let through.
        allowed = [*settings.TRACKER_FETCH_ALLOW_ADDRESSES, f"127.0.0.1:{server.port}"]
        with server, override_settings(TRACKER_FETCH_ALLOW_ADDRESSES=allowed):
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
            summary = feeds_ingest(feeds=feeds, force=True, fetch_pages=True)
        Feed.objects.filter(pk__in=[f.pk for f in feeds]).update(
            active=False, disabled_reason=OFFLINE_REASON
        )
        for error in summary.errors:
            self.stderr.write(error)
        self.stdout.write(f"demo: {len(feeds)} sample feeds; {summary.line()}")
        # What the demo's stories name that the knowledge base lacks, for the admin's queue.
        self.stdout.write(discovery_run().line())
