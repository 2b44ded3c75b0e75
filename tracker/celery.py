import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Options for idempotent tasks: acknowledged only when done, and handed back to the queue
# if the worker process dies mid-task, so another worker runs it again.
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}
