import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Defaults for tasks declared with @idempotent_task: redelivered if a worker dies mid-task.
IDEMPOTENT = {"acks_late": True, "task_reject_on_worker_lost": True}
