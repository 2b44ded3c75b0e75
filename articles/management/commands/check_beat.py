from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

# The job beat sends every minute (CELERY_BEAT_SCHEDULE): if it has not gone out lately, beat
# is stuck or gone, whatever its process says.
HEARTBEAT_TASK = "queue-due-feeds"


class Command(BaseCommand):
    help = "Exit non-zero unless Celery beat sent its every-minute job recently (a healthcheck)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-age", type=int, default=300, help="Seconds since the last send (default 300)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        task = PeriodicTask.objects.filter(name=HEARTBEAT_TASK).first()
        if task is None or task.last_run_at is None:
            raise CommandError(f"beat has not sent {HEARTBEAT_TASK} yet")
        age = timezone.now() - task.last_run_at
        if age > timedelta(seconds=options["max_age"]):
            raise CommandError(
                f"beat last sent {HEARTBEAT_TASK} {int(age.total_seconds())} s ago "
                f"(more than {options['max_age']} s)"
            )
        self.stdout.write(f"beat ok: {HEARTBEAT_TASK} sent {int(age.total_seconds())} s ago")
