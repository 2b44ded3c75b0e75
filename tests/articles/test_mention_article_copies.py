"""Mentions carry their article's outlet and story: database triggers keep the copies right
on every write path (migration 0033), as they keep its date."""

from datetime import UTC, datetime

import pytest

from articles.models import Article, Mention, MentionStatus, StoryCluster
from articles.reading.filters import ArticleFilters
from articles.reading.kb_selectors import summit_story_count
from articles.reading.selectors import article_list
from tests.support import factories as f

pytestmark = pytest.mark.django_db

NOV = datetime(2021, 11, 18, 15, tzinfo=UTC)


def copies(mention: Mention) -> tuple[int | None, int | None]:
    return Mention.objects.values_list("article_source_id", "article_cluster_id").get(pk=mention.pk)


def test_a_new_mention_takes_its_articles_outlet_and_story() -> None:
    story = f.cluster()
    article = f.article(cluster=story)
    mention = f.mention(article=article, entity=f.country("MX"))
    assert copies(mention) == (article.source_id, story.pk)


def test_mentions_inserted_with_wrong_copies_given_take_their_articles() -> None:
    # As ingestion inserts them, with the article's date given, but another outlet and story.
    article = f.article(published_at=NOV)
    other = f.source()
    Mention.objects.bulk_create(
        [
            Mention(
                article=article,
                kind="country",
                country=f.country("MX"),
                published_at=NOV,
                article_source=other,
                article_cluster=f.cluster(),
            )
        ]
    )
    assert copies(Mention.objects.get()) == (article.source_id, None)


def test_mentions_follow_when_the_article_changes_outlet_or_story() -> None:
    article = f.article()
    mentions = [
        f.mention(article=article, entity=f.country("MX")),
        f.mention(article=article, entity=f.summit(slug="nals-2021")),
    ]
    outlet, story = f.source(), f.cluster()
    article.source, article.cluster = outlet, story
    article.save()
    assert [copies(m) for m in mentions] == [(outlet.pk, story.pk)] * 2
    # A deleted story leaves its articles (on_delete=SET_NULL): their tags follow.
    story.delete()
    assert [copies(m) for m in mentions] == [(outlet.pk, None)] * 2


def test_a_mention_moved_to_another_article_takes_its_outlet_and_story() -> None:
    mention = f.mention(article=f.article(), entity=f.country("MX"))
    story = f.cluster()
    later = f.article(cluster=story)
    Mention.objects.filter(pk=mention.pk).update(article=later)
    assert copies(mention) == (later.source_id, story.pk)


def test_saving_a_mention_with_stale_copies_keeps_its_articles() -> None:
    story = f.cluster()
    article = f.article(cluster=story)
    mention = f.mention(article=article, entity=f.country("MX"))
    assert mention.article_source_id is None  # the object never saw the trigger's values
    mention.status = MentionStatus.APPROVED
    mention.save()
    assert copies(mention) == (article.source_id, story.pk)


def test_a_summits_story_count_is_what_its_list_counts() -> None:
    summit = f.summit(slug="nals-2021")
    story, other_story = f.cluster(), f.cluster()
    tagged = [
        f.article(cluster=story),
        f.article(cluster=story),
        f.article(cluster=other_story),
        f.article(),
        f.article(),
    ]
    for article in tagged:
        f.mention(article=article, entity=summit)
    # A copy not tagged with the summit, and a rejected tag: neither counts.
    f.article(cluster=other_story)
    rejected = f.mention(article=f.article(cluster=f.cluster()), entity=summit)
    Mention.objects.filter(pk=rejected.pk).update(status=MentionStatus.REJECTED)
    listed = article_list(filters=ArticleFilters(summit=summit)).count()
    assert listed == 4
    assert summit_story_count(summit=summit, cap=100) == listed
    assert summit_story_count(summit=summit, cap=2) == 3
    # Stories joined: the count follows.
    Article.objects.filter(cluster=other_story).update(cluster=story)
    assert summit_story_count(summit=summit, cap=100) == 3
    StoryCluster.objects.filter(pk=story.pk).delete()
    assert summit_story_count(summit=summit, cap=100) == 5
