"""Thin Celery tasks around the ingestion services. Each is safe to run twice.

Time limits are Celery's global ones, CELERY_TASK_SOFT_TIME_LIMIT and CELERY_TASK_TIME_LIMIT
in settings: no task sets its own, so the claim that keeps two workers off one feed
(scheduling.claim_stale_after) and the worker read the same numbers.
"""

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from celery import Task, shared_task
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from articles.ingestion import scheduling
from articles.ingestion.services import (
    article_fetch_page,
    article_process,
    articles_pending,
    feed_fetch,
    pages_lease_end,
)
from articles.models import Article, DiscoveryRun, DiscoveryRunStatus, ExtractionStatus, Feed
from articles.tagging.discovery import discovery_run_next
from articles.tagging.kb_change import retag_run_fail, retag_run_step

# Options for idempotent tasks: acknowledged only when done, and handed back to the queue
# if the worker process dies mid-task, so another worker runs it again.
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}

# Seconds before each retry when the database is briefly unavailable.
RETRY_BACKOFF = [10, 60, 300]


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _idempotent_task(fun: Callable[Concatenate[Any, _P], _R]) -> Task[_P, _R]:
    """A bound task with the idempotent-task options (time limits: the global settings)."""
    # IDEMPOTENT is a plain dict, which matches none of celery-types' overloads exactly, so
    # the decorator's result would be Any; this helper gives each task its signature back.
    options: dict[str, Any] = dict(IDEMPOTENT)
    task: Task[_P, _R] = shared_task(bind=True, **options)(fun)
    return task


def _retry(task: Any, exc: Exception) -> None:
    retries = task.request.retries
    if retries >= len(RETRY_BACKOFF):
        raise exc
    raise task.retry(exc=exc, countdown=RETRY_BACKOFF[retries], max_retries=len(RETRY_BACKOFF))


@shared_task
def feeds_queue_due_task() -> int:
    """Queue a fetch for every feed that is due; the fetch itself claims the feed."""
    feed_ids = list(scheduling.feeds_due().values_list("pk", flat=True)[:1000])
    for feed_id in feed_ids:
        transaction.on_commit(partial(feed_fetch_task.delay, feed_id))
    return len(feed_ids)


@_idempotent_task
def feed_fetch_task(self: Any, feed_id: int) -> None:
    feed = Feed.objects.filter(pk=feed_id).select_related("source").first()
    if feed is None:
        return
    try:
        report = feed_fetch(feed=feed, fetch_pages=False, token=self.request.id or "")
    except OperationalError as exc:
        _retry(self, exc)
        return
    if settings.TRACKER_FETCH_PAGES:
        pages_queue(article_ids=report.pending_article_ids)
    if report.new or report.updated:
        discovery_queue()


@shared_task
def pages_queue_due_task() -> int:
    """Queue the page fetches that are due: retries whose time has come, and lost ones."""
    if not settings.TRACKER_FETCH_PAGES:
        return 0
    article_ids = articles_pending()
    pages_queue(article_ids=article_ids)
    return len(article_ids)


def pages_queue(*, article_ids: list[int]) -> None:
    """Queue page fetches once the transaction commits; until their tasks could have run,
    the articles are not queued again."""
    Article.objects.filter(pk__in=article_ids).update(page_retry_at=pages_lease_end())
    for article_id in article_ids:
        transaction.on_commit(partial(article_fetch_page_task.delay, article_id))


@_idempotent_task
def article_fetch_page_task(self: Any, article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).select_related("source").first()
    # Already done (a redelivered task, or queued twice): nothing to do.
    if article is None or article.extraction_status != ExtractionStatus.PENDING:
        return
    try:
        article_fetch_page(article=article)
    except OperationalError as exc:
        _retry(self, exc)


@_idempotent_task
def article_reprocess_task(self: Any, article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).select_related("source").first()
    if article is None:
        return
    try:
        article_process(article=article)
    except OperationalError as exc:
        _retry(self, exc)


def feed_fetch_now(*, feed: Feed) -> None:
    """Make the feed due now and queue its fetch once the transaction commits."""
    Feed.objects.filter(pk=feed.pk).update(next_fetch_at=timezone.now())
    transaction.on_commit(partial(feed_fetch_task.delay, feed.pk))


# A re-tagging task works this long, then queues itself for the rest (under the time limits).
RETAG_SLICE_SECONDS = 60


@_idempotent_task
def retag_run_task(self: Any, run_id: int) -> None:
    """Re-tag a run's articles after an editor changed the knowledge base."""

    started = time.monotonic()
    try:
        while retag_run_step(run_id=run_id):
            if time.monotonic() - started > RETAG_SLICE_SECONDS:
                transaction.on_commit(partial(retag_run_task.delay, run_id))
                return
    except OperationalError as exc:
        _retry(self, exc)
    except Exception as exc:
        retag_run_fail(run_id=run_id, error=f"Re-tagging stopped: {type(exc).__name__}: {exc}")
        raise


def retag_run_queue(*, run_id: int) -> None:
    """Queue a re-tagging run once the transaction that created it commits."""
    transaction.on_commit(partial(retag_run_task.delay, run_id))


@_idempotent_task
def discovery_task(self: Any) -> None:
    """Propose knowledge-base candidates from the articles tagged since the last run."""
    try:
        discovery_run_next()
    except OperationalError as exc:
        _retry(self, exc)


def discovery_queue() -> None:
    """Queue a discovery run a few minutes ahead, unless one already waits: the feed runs that
    finish meanwhile share it (one insert that a unique constraint may refuse)."""
    try:
        with transaction.atomic():
            DiscoveryRun.objects.create(status=DiscoveryRunStatus.QUEUED)
    except IntegrityError:
        return
    countdown = settings.TRACKER_DISCOVERY_DELAY_SECONDS
    transaction.on_commit(partial(discovery_task.apply_async, countdown=countdown))
