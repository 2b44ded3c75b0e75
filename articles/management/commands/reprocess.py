from datetime import date, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from articles.ingestion.services import article_process
from articles.management.commands._progress import Progress, command_stream
from articles.models import Article, ExtractionStatus


def since_date(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since must be a date like 2024-01-31, not {value!r}.") from exc
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class Command(BaseCommand):
    help = "Re-run extraction, dedupe and tagging from the stored raw pages; no fetching."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            help="Only articles published (or, undated, stored) on or after this date.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        articles = Article.objects.select_related("source").order_by("pk")
        if options["since"]:
            since = since_date(options["since"])
            articles = articles.filter(
                Q(published_at__gte=since) | Q(published_at__isnull=True, created_at__gte=since)
            )
        ids = list(articles.values_list("pk", flat=True))
        progress = Progress(command_stream(self.stderr))
        counts = {"extracted": 0, "feed text only": 0, "failed": 0}
        for number, article_id in enumerate(ids, start=1):
            progress(number, len(ids), f"article {article_id}")
            article = Article.objects.select_related("source").get(pk=article_id)
            article_process(article=article)
            if not article.raw_documents.filter(kind="page").exists():
                counts["feed text only"] += 1
            elif article.extraction_status == ExtractionStatus.EXTRACTED:
                counts["extracted"] += 1
            else:
                counts["failed"] += 1
        progress.end()
        self.stdout.write(
            f"reprocessed {len(ids)} articles: "
            + ", ".join(f"{n} {what}" for what, n in counts.items())
        )
