"""Visible tags per entity and month (MentionMonth): the database keeps them on every write to
tags and their articles (migration 0036), and they equal a direct count of the tags after
each kind of write, and after folding."""

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum

from articles.mention_months import FOLD_AFTER, mention_months, mention_months_fold
from articles.models import VISIBLE_STATUSES, Article, Mention, MentionMonth, MentionStatus
from articles.reading.kb_selectors import (
    MonthCount,
    entity_coverage_by_month,
    summit_coverage_counts,
)
from tests.support import factories as f

ROOT = Path(__file__).resolve().parent.parent.parent

NOV = datetime(2021, 11, 18, 15, tzinfo=UTC)
JAN = datetime(2022, 1, 31, 23, 30, tzinfo=UTC)


def direct() -> Counter[tuple[str, int, date | None]]:
    """Visible tags per (kind, entity, month), counted from the tags themselves."""
    counts: Counter[tuple[str, int, date | None]] = Counter()
    for m in Mention.objects.filter(status__in=VISIBLE_STATUSES):
        month = m.published_at.date().replace(day=1) if m.published_at else None
        entity = m.country_id or m.official_id or m.policy_id or m.summit_id
        counts[(m.kind, entity, month)] += 1
    return counts


def kept() -> Counter[tuple[str, int, date | None]]:
    rows = MentionMonth.objects.values("kind", "entity_id", "month").annotate(total=Sum("n"))
    return Counter(
        {(r["kind"], r["entity_id"], r["month"]): r["total"] for r in rows if r["total"]}
    )


@pytest.mark.django_db
class TestKeptOnEveryWrite:
    def test_a_new_tag_counts_in_its_articles_month(self) -> None:
        mexico = f.country("MX")
        f.mention(article=f.article(published_at=NOV), entity=mexico)
        f.mention(article=f.article(published_at=JAN), entity=f.summit(slug="nals-2021"))
        assert kept() == direct() != Counter()
        assert kept()[("country", mexico.pk, date(2021, 11, 1))] == 1

    def test_tags_inserted_in_bulk_with_their_dates_given_count(self) -> None:
        # As ingestion writes them: the date given, in one statement.
        articles = [f.article(published_at=NOV), f.article(published_at=JAN)]
        mexico, canada = f.country("MX"), f.country("CA")
        Mention.objects.bulk_create(
            Mention(article=a, kind="country", country=c, published_at=a.published_at)
            for a in articles
            for c in (mexico, canada)
        )
        # A date given wrong is corrected from the article, and counted in its month.
        Mention.objects.bulk_create(
            [Mention(article=articles[0], kind="policy", policy=f.policy(), published_at=JAN)]
        )
        assert kept() == direct()
        assert len(direct()) == 5

    def test_a_rejected_tag_leaves_the_count_and_an_approved_one_returns(self) -> None:
        tag = f.mention(article=f.article(), entity=f.country("MX"))
        Mention.objects.filter(pk=tag.pk).update(status=MentionStatus.REJECTED)
        assert kept() == direct() == Counter()
        tag.refresh_from_db()
        tag.status = MentionStatus.APPROVED
        tag.save()
        assert kept() == direct() != Counter()

    def test_a_tag_moved_to_another_article_or_entity_counts_there(self) -> None:
        tag = f.mention(article=f.article(published_at=NOV), entity=f.country("MX"))
        Mention.objects.filter(pk=tag.pk).update(article=f.article(published_at=JAN))
        assert kept() == direct()
        Mention.objects.filter(pk=tag.pk).update(country=f.country("US"))
        assert kept() == direct()
        assert set(direct()) == {("country", f.country("US").pk, date(2022, 1, 1))}

    def test_an_articles_new_date_moves_its_tags_to_that_month(self) -> None:
        article = f.article(published_at=NOV)
        f.mention(article=article, entity=f.country("MX"))
        f.mention(article=article, entity=f.official())
        article.published_at = JAN
        article.save()
        assert kept() == direct()
        assert {key[2] for key in direct()} == {date(2022, 1, 1)}
        Article.objects.filter(pk=article.pk).update(published_at=None)
        assert kept() == direct()
        assert {key[2] for key in direct()} == {None}

    def test_deleted_tags_and_articles_leave_the_count(self) -> None:
        article, other = f.article(published_at=NOV), f.article(published_at=NOV)
        mexico = f.country("MX")
        tag = f.mention(article=article, entity=mexico)
        f.mention(article=other, entity=mexico)
        f.mention(article=other, entity=f.summit(slug="nals-2021"))
        tag.delete()
        assert kept() == direct()
        other.delete()
        assert kept() == direct() == Counter()

    def test_folding_keeps_the_sums_in_one_row_per_month(self) -> None:
        mexico = f.country("MX")
        tags = [f.mention(article=f.article(published_at=NOV), entity=mexico) for _ in range(5)]
        tags[0].delete()
        f.mention(article=f.article(published_at=None), entity=mexico)
        before = kept()
        mention_months_fold(kind="country", entity_ids=[mexico.pk])
        assert kept() == before == direct()
        assert MentionMonth.objects.filter(kind="country", entity_id=mexico.pk).count() == 2

    def test_a_read_folds_an_entity_that_gathered_many_rows(self) -> None:
        mexico = f.country("MX")
        article = f.article(published_at=NOV)
        tag = f.mention(article=article, entity=mexico)
        for _ in range(FOLD_AFTER // 2 + 1):  # each a -1 and a +1 row
            Mention.objects.filter(pk=tag.pk).update(status=MentionStatus.REJECTED)
            Mention.objects.filter(pk=tag.pk).update(status=MentionStatus.AUTO)
        assert MentionMonth.objects.count() > FOLD_AFTER
        read = mention_months(kind="country", entity_ids=[mexico.pk])
        assert [(r.month, r.tags) for r in read] == [(date(2021, 11, 1), 1)]
        assert MentionMonth.objects.count() == 1
        assert kept() == direct()


@pytest.mark.django_db
def test_the_pages_read_an_entitys_months_and_a_meetings_articles_from_the_counts() -> None:
    mexico, summit = f.country("MX"), f.summit(slug="nals-2021")
    for when in (NOV, NOV, JAN, None):
        article = f.article(published_at=when)
        f.mention(article=article, entity=mexico)
        f.mention(article=article, entity=summit)
    assert entity_coverage_by_month(kind="country", entity=mexico) == [
        MonthCount(date(2021, 11, 1), 2),
        MonthCount(date(2021, 12, 1), 0),
        MonthCount(date(2022, 1, 1), 1),
    ]
    # Every tag of the meeting, the undated one too.
    assert summit_coverage_counts(summit_ids=[summit.pk]) == {summit.pk: 4}


# Two worker processes tagging articles of the same entities at once -------------------------

WRITER = """
import sys, time
import django
django.setup()
from django.db import transaction
from articles.mention_months import mention_months_fold
from articles.models import Mention, MentionStatus
from summits.models import Country

first, last, reverse = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "reverse"
countries = list(Country.objects.filter(iso2__in=["MX", "US", "CA"]).order_by("iso2"))
if reverse:
    countries.reverse()
for article_id in range(first, last + 1):
    with transaction.atomic():
        for country in countries:
            Mention.objects.create(article_id=article_id, kind="country", country=country)
            time.sleep(0.002)  # the other process writes meanwhile
        if article_id % 3 == 0:
            Mention.objects.filter(article_id=article_id, country=countries[0]).update(
                status=MentionStatus.REJECTED
            )
        if article_id % 5 == 0:
            Mention.objects.filter(article_id=article_id, country=countries[-1]).delete()
    if article_id % 4 == 0:
        mention_months_fold(kind="country", entity_ids=[c.pk for c in countries])
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's writers take turns")
@pytest.mark.django_db(transaction=True)
def test_two_processes_tagging_the_same_entities_lose_no_count_and_never_deadlock() -> None:
    for iso2 in ("MX", "US", "CA"):
        f.country(iso2)
    articles = [f.article(published_at=NOV if i % 2 else JAN) for i in range(80)]
    ids = [a.pk for a in articles]
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    halves = [(ids[0], ids[39], "forward"), (ids[40], ids[79], "reverse")]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(a), str(b), order],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for a, b, order in halves
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()[-2000:]
    assert kept() == direct()
    # Three tags per article, less one rejected (every third) and one deleted (every fifth).
    assert sum(direct().values()) == sum(3 - (i % 3 == 0) - (i % 5 == 0) for i in ids)


def test_the_database_counts_the_statuses_the_pages_show() -> None:
    from importlib import import_module

    migration = import_module("articles.migrations.0036_mention_months")
    shown = "(" + ", ".join(f"'{s}'" for s in VISIBLE_STATUSES) + ")"
    assert shown == migration.VISIBLE
