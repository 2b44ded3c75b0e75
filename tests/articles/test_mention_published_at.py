"""Mentions carry their article's published_at: database triggers keep the copy right."""

from datetime import UTC, datetime

import pytest

from articles.models import Article, Mention, MentionStatus
from tests.support import factories as f

pytestmark = pytest.mark.django_db

NOV = datetime(2021, 11, 18, 15, tzinfo=UTC)
DEC = datetime(2021, 12, 2, 9, 30, tzinfo=UTC)


def stored(mention: Mention) -> datetime | None:
    return Mention.objects.values_list("published_at", flat=True).get(pk=mention.pk)


def test_a_new_mention_takes_its_articles_date() -> None:
    article = f.article(published_at=NOV)
    mention = f.mention(article=article, entity=f.country("MX"))
    assert stored(mention) == NOV


def test_mentions_written_in_bulk_take_their_articles_dates() -> None:
    mx, us = f.country("MX"), f.country("US")
    first, second = f.article(published_at=NOV), f.article(published_at=DEC)
    Mention.objects.bulk_create(
        [
            Mention(article=first, kind="country", country=mx),
            Mention(article=second, kind="country", country=us),
        ]
    )
    dates = dict(Mention.objects.values_list("article_id", "published_at"))
    assert dates == {first.pk: NOV, second.pk: DEC}


def test_mentions_follow_when_the_article_date_changes() -> None:
    article = f.article(published_at=NOV)
    mentions = [
        f.mention(article=article, entity=f.country("MX")),
        f.mention(article=article, entity=f.summit(slug="nals-2021")),
    ]
    article.published_at = DEC
    article.save()
    assert [stored(m) for m in mentions] == [DEC, DEC]
    Article.objects.filter(pk=article.pk).update(published_at=None)
    assert [stored(m) for m in mentions] == [None, None]


def test_saving_a_mention_with_a_stale_date_does_not_overwrite_the_articles() -> None:
    article = f.article(published_at=NOV)
    mention = f.mention(article=article, entity=f.country("MX"))
    assert mention.published_at is None  # the in-memory object never saw the trigger's value
    mention.status = MentionStatus.APPROVED
    mention.save()
    assert stored(mention) == NOV


def test_a_mention_moved_to_another_article_takes_the_new_date() -> None:
    mx = f.country("MX")
    mention = f.mention(article=f.article(published_at=NOV), entity=mx)
    later = f.article(published_at=DEC)
    Mention.objects.filter(pk=mention.pk).update(article=later)
    assert stored(mention) == DEC


def test_a_rejected_tag_is_not_counted_in_summit_coverage() -> None:
    from articles.reading.kb_selectors import summit_coverage_by_day, summit_coverage_counts

    summit = f.summit(slug="nals-2021")
    kept = f.mention(article=f.article(published_at=NOV), entity=summit)
    rejected = f.mention(article=f.article(published_at=NOV), entity=summit)
    Mention.objects.filter(pk=rejected.pk).update(status=MentionStatus.REJECTED)
    assert summit_coverage_counts(summit_ids=[summit.pk]) == {summit.pk: 1}
    summit.refresh_from_db()
    days = {d.day: d.count for d in summit_coverage_by_day(summit=summit)}
    assert days[NOV.date()] == 1
    Mention.objects.filter(pk=kept.pk).update(status=MentionStatus.REJECTED)
    assert summit_coverage_counts(summit_ids=[summit.pk]) == {}


def test_a_saved_mention_reads_the_database_date_once_refreshed() -> None:
    article = f.article(published_at=NOV)
    mention = f.mention(article=article, entity=f.country("MX"))
    mention.refresh_from_db(fields=["published_at"])
    assert mention.published_at == NOV


def test_a_mention_inserted_with_a_wrong_date_takes_its_articles_date() -> None:
    article = f.article(published_at=NOV)
    Mention.objects.bulk_create(
        [Mention(article=article, kind="country", country=f.country("MX"), published_at=DEC)]
    )
    assert Mention.objects.values_list("published_at", flat=True).get() == NOV
