"""Editors' decisions on tags and articles, each recorded in the admin's history.

Every write here also writes a LogEntry (who, when, what changed, in plain words) on the
object it changed, so the object's "History" page in admin shows bulk and inline decisions
as well as form edits.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from articles.models import Article, Mention, MentionKind, MentionStatus, ReviewStatus
from summits.models import Summit

User = AbstractBaseUser | AnonymousUser


def review_threshold() -> float:
    return settings.TRACKER_REVIEW_THRESHOLD


def review_sampled(*, article_id: int, kind: str, entity_id: int) -> bool:
    """Whether a confident tag is in the random review sample (TRACKER_REVIEW_SAMPLE).

    Drawn from a hash of the tag, not a fresh coin: re-tagging the article keeps the same
    tags in the sample, and the sample is independent of everything a reviewer sees.
    """
    digest = hashlib.blake2b(f"{article_id}:{kind}:{entity_id}".encode(), digest_size=8)
    return int.from_bytes(digest.digest()) / 2**64 < float(settings.TRACKER_REVIEW_SAMPLE)


def review_queue(*, mentions: QuerySet[Mention] | None = None) -> QuerySet[Mention]:
    """Auto-tags below the confidence threshold, and the random sample of those above it, on
    articles still relevant, newest first."""
    base = Mention.objects.all() if mentions is None else mentions
    uncertain = Q(confidence__lt=review_threshold()) | Q(sampled_for_review=True)
    return (
        base.filter(uncertain, status=MentionStatus.AUTO)
        .exclude(article__review_status=ReviewStatus.NOT_RELEVANT)
        .order_by("-created_at", "-pk")
    )


def mention_awaits_review(mention: Mention) -> bool:
    """Whether the mention is in the review queue (as review_queue selects it)."""
    return (
        mention.status == MentionStatus.AUTO
        and (mention.confidence < review_threshold() or mention.sampled_for_review)
        and mention.article.review_status != ReviewStatus.NOT_RELEVANT
    )


@dataclass
class KindPrecision:
    kind: str
    label: str
    approved: int
    rejected: int

    @property
    def reviewed(self) -> int:
        return self.approved + self.rejected

    @property
    def precision(self) -> float | None:
        return self.approved / self.reviewed if self.reviewed else None


def sampled_precision() -> list[KindPrecision]:
    """Per kind, how many tags of the random sample of confident ones editors approved and
    rejected: the tagger's live precision above the threshold."""
    rows = (
        Mention.objects.filter(
            sampled_for_review=True,
            confidence__gte=review_threshold(),
            status__in=[MentionStatus.APPROVED, MentionStatus.REJECTED],
        )
        .values("kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(r["kind"], r["status"]): r["n"] for r in rows}
    return [
        KindPrecision(
            kind=kind,
            label=str(label),
            approved=counts.get((kind, MentionStatus.APPROVED), 0),
            rejected=counts.get((kind, MentionStatus.REJECTED), 0),
        )
        for kind, label in MentionKind.choices
    ]


def change_record(
    *, user: User, objects: Iterable[Model], message: str, flag: int = CHANGE
) -> None:
    """Write one admin history entry per object, saying what changed."""
    objects = list(objects)
    if objects and user.pk is not None:
        LogEntry.objects.log_actions(user.pk, objects, flag, message)


def _label(status: str) -> str:
    return str(MentionStatus(status).label)


@transaction.atomic
def mentions_review(*, mentions: Iterable[Mention], status: str, user: User, via: str) -> int:
    """Approve or reject mentions; return how many changed (those already so are skipped)."""
    if status not in (MentionStatus.APPROVED, MentionStatus.REJECTED):
        raise ValueError(f"A review sets a mention approved or rejected, not {status!r}.")
    now = timezone.now()
    # Re-read as plain Mentions (not the queue's proxy) so history lands on the mention itself.
    rows = (
        Mention.objects.select_for_update(of=("self",))
        .filter(pk__in=[m.pk for m in mentions])
        .exclude(status=status)
        .select_related("country", "official", "policy", "summit")
        .order_by("pk")
    )
    changed = 0
    for mention in rows:
        before = mention.status
        mention.status, mention.reviewed_by_id, mention.reviewed_at = status, user.pk, now
        mention.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        change_record(
            user=user,
            objects=[mention],
            message=f"Status: {_label(before)} → {_label(status)} ({via}).",
        )
        changed += 1
    return changed


@transaction.atomic
def articles_link_summit(*, articles: Iterable[Article], summit: Summit, user: User) -> int:
    """Link articles to a summit as editor-added mentions; return how many links are new."""
    now = timezone.now()
    linked = 0
    for article in articles:
        mention, created = Mention.objects.get_or_create(
            article=article,
            kind=MentionKind.SUMMIT,
            summit=summit,
            defaults={
                "status": MentionStatus.EDITOR_ADDED,
                "confidence": 1.0,
                "method": "editor",
                "reviewed_by_id": user.pk,
                "reviewed_at": now,
            },
        )
        if created:
            change_record(
                user=user, objects=[mention], message="Added by an editor.", flag=ADDITION
            )
        elif mention.status in (MentionStatus.AUTO, MentionStatus.REJECTED):
            # An explicit link overrides an earlier automatic guess or rejection.
            before = mention.status
            mention.status, mention.reviewed_by_id, mention.reviewed_at = (
                MentionStatus.APPROVED,
                user.pk,
                now,
            )
            mention.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
            change_record(
                user=user,
                objects=[mention],
                message=f"Status: {_label(before)} → Approved (linked to summit).",
            )
        else:
            continue
        change_record(user=user, objects=[article], message=f"Linked to summit “{summit}”.")
        linked += 1
    return linked


@transaction.atomic
def articles_mark(*, articles: Iterable[Article], review_status: str, user: User) -> int:
    """Set the articles' review status; return how many changed."""
    target = ReviewStatus(review_status)
    changed = 0
    for article in articles:
        if article.review_status == target:
            continue
        before = ReviewStatus(article.review_status).label
        Article.objects.filter(pk=article.pk).update(review_status=target)
        article.review_status = target
        change_record(
            user=user, objects=[article], message=f"Review status: {before} → {target.label}."
        )
        changed += 1
    return changed
