import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in the ingestion part of the articles app.
app.autodiscover_tasks(["articles.ingestion"])
