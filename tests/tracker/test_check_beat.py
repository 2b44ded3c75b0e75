from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db


def _heartbeat(last_run_at):
    every = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="queue-due-feeds",
        task="articles.ingestion.tasks.feeds_queue_due_task",
        interval=every,
        last_run_at=last_run_at,
    )


def test_it_fails_before_beat_has_sent_anything() -> None:
    with pytest.raises(CommandError, match="beat has not sent queue-due-feeds yet"):
        call_command("check_beat")


def test_it_passes_when_beat_sent_its_job_a_minute_ago() -> None:
    _heartbeat(timezone.now() - timedelta(seconds=61))
    out = StringIO()
    call_command("check_beat", stdout=out)
    assert out.getvalue().startswith("beat ok: queue-due-feeds sent 6")


def test_it_fails_when_beat_has_been_silent_too_long() -> None:
    _heartbeat(timezone.now() - timedelta(minutes=20))
    with pytest.raises(CommandError, match=r"beat last sent queue-due-feeds 1\d\d\d s ago"):
        call_command("check_beat", "--max-age", "300")
