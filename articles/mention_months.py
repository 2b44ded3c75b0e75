"""Visible tags per entity and month, read from the deltas the database keeps (MentionMonth,
migration 0036), and folded into one row per month when an entity has gathered many."""

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Sum

from articles.models import MentionMonth

# An entity's deltas past this many more rows than it has months are folded after a read.
FOLD_AFTER = 64


class MonthTotal(NamedTuple):
    entity_id: int
    month: date | None  # None: tags of undated articles
    tags: int


def mention_months(*, kind: str, entity_ids: Sequence[int]) -> list[MonthTotal]:
    """The entities' visible tags per month (months with none left out), folding their deltas
    when they have gathered many."""
    if not entity_ids:
        return []
    rows = list(
        MentionMonth.objects.filter(kind=kind, entity_id__in=list(entity_ids))
        .values("entity_id", "month")
        .annotate(total=Sum("n"), rows=Count("*"))
        .order_by("entity_id", "month")
    )
    if sum(row["rows"] for row in rows) - len(rows) > FOLD_AFTER:
        mention_months_fold(kind=kind, entity_ids=entity_ids)
    return [
        MonthTotal(row["entity_id"], row["month"], row["total"]) for row in rows if row["total"]
    ]


def mention_months_fold(*, kind: str, entity_ids: Sequence[int]) -> None:
    """Replace the entities' deltas with one row per month holding their sum."""
    ids = list(entity_ids)
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    if connection.vendor == "postgresql":
        # The rows another fold holds are left to it (SKIP LOCKED): no fold waits for another,
        # so none deadlocks, and each row is summed by the one that deleted it. Writers only
        # insert rows, which no fold here sees before they commit.
        sql = f"""
            WITH folded AS (
                DELETE FROM articles_mentionmonth WHERE id IN (
                    SELECT id FROM articles_mentionmonth
                    WHERE kind = %s AND entity_id IN ({marks})
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING kind, entity_id, month, n
            )
            INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
                SELECT kind, entity_id, month, sum(n) FROM folded
                GROUP BY 1, 2, 3 HAVING sum(n) <> 0
        """  # noqa: S608 - placeholders only
        with connection.cursor() as cursor:
            cursor.execute(sql, [kind, *ids])
        return
    # SQLite: writers take turns; the rows up to the last one read are folded.
    with transaction.atomic():
        found = MentionMonth.objects.filter(kind=kind, entity_id__in=ids)
        last = found.order_by("-pk").values_list("pk", flat=True).first()
        if last is None:
            return
        sums = list(
            found.filter(pk__lte=last)
            .values("entity_id", "month")
            .annotate(total=Sum("n"))
            .order_by()
        )
        found.filter(pk__lte=last).delete()
        MentionMonth.objects.bulk_create(
            MentionMonth(kind=kind, entity_id=row["entity_id"], month=row["month"], n=row["total"])
            for row in sums
            if row["total"]
        )
