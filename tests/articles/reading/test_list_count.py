"""The filtered list's count, worked out from the article indexes, matches the rows it lists."""

from datetime import UTC, date, datetime, timedelta

import pytest

from articles.models import MentionStatus, ReviewStatus
from articles.reading.filters import ArticleFilters
from articles.reading.selectors import article_count_queryset, article_list, queryset_slice
from tests.support import factories as f

pytestmark = pytest.mark.django_db

START = datetime(2021, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def world() -> dict:
    mx, us = f.country("MX"), f.country("US")
    wire = f.source(name="Wire", domain="wire.example")
    paper = f.source(name="Diario", domain="diario.example", language="es")
    articles = []
    for n in range(4):
        story = f.cluster(size=3, first_published_at=START + timedelta(days=n))
        # The first copy is English; Spanish copies follow, so a Spanish filter keeps the
        # story through its first Spanish copy that matches.
        first = f.article(
            source=wire, cluster=story, language="en", published_at=START + timedelta(days=n)
        )
        es1 = f.article(
            source=paper,
            cluster=story,
            language="es",
            published_at=START + timedelta(days=n, hours=1),
            review_status=ReviewStatus.REVIEWED if n % 2 else ReviewStatus.UNREVIEWED,
        )
        es2 = f.article(
            source=paper,
            cluster=story,
            language="es",
            published_at=START + timedelta(days=n, hours=2),
        )
        f.mention(article=first, entity=mx)
        f.mention(article=es1, entity=mx if n != 1 else us)
        f.mention(
            article=es2, entity=mx, status=MentionStatus.REJECTED if n == 2 else MentionStatus.AUTO
        )
        articles += [first, es1, es2]
    for n in range(5):
        lone = f.article(source=paper, language="es", published_at=START - timedelta(days=30 * n))
        f.mention(article=lone, entity=mx)
        articles.append(lone)
    return {"mx": mx, "us": us, "paper": paper, "articles": articles}


def combos(world: dict) -> list[ArticleFilters]:
    mx, us = world["mx"], world["us"]
    out = []
    for per in ("story", "copy"):
        for country in (None, mx, us):
            for status in ("", ReviewStatus.REVIEWED):
                for date_from in (None, date(2021, 3, 1), date(2021, 6, 2)):
                    out.append(
                        ArticleFilters(
                            country=country,
                            language="es",
                            status=status,
                            date_from=date_from,
                            date_to=date(2021, 6, 3) if date_from == date(2021, 6, 2) else None,
                            per=per,
                        )
                    )
    return out


def test_the_count_finds_the_same_stories_as_the_list_for_every_combination(world: dict) -> None:
    checked = 0
    for filters in combos(world):
        counted = article_count_queryset(filters=filters)
        assert counted is not None
        listed = set(article_list(filters=filters).values_list("pk", flat=True))
        assert set(counted.values_list("pk", flat=True)) == listed, filters
        checked += bool(listed)
    assert checked > 10


def test_a_spanish_filter_counts_a_story_once_through_its_first_matching_copy(world: dict) -> None:
    filters = ArticleFilters(country=world["mx"], language="es", date_from=date(2021, 6, 1))
    # Stories 0 and 3 through their first Spanish copy, story 1 through its second (the
    # first is about the US), story 2 through its first (the second's tag was rejected); and
    # the one unclustered article of that day.
    counted = article_count_queryset(filters=filters)
    assert counted is not None and counted.count() == 5
    copies = article_count_queryset(filters=ArticleFilters(**{**filters.__dict__, "per": "copy"}))
    assert copies is not None and copies.count() == 7


def test_the_page_count_stops_at_the_cap_and_says_so(world: dict) -> None:
    filters = ArticleFilters(language="es", per="copy")
    page = queryset_slice(
        article_list(filters=filters),
        number=1,
        per_page=2,
        cap=3,
        counted=article_count_queryset(filters=filters),
    )
    assert page.count_is_capped and page.num_pages is None
    page = queryset_slice(
        article_list(filters=filters),
        number=1,
        per_page=2,
        cap=100,
        counted=article_count_queryset(filters=filters),
    )
    assert page.count == 13 and page.num_pages == 7


def test_without_a_language_the_list_is_counted_as_listed() -> None:
    assert article_count_queryset(filters=ArticleFilters(per="copy")) is None
    assert article_count_queryset(filters=ArticleFilters(language="es", q="border")) is None


def test_postgresql_knows_how_the_tag_kind_and_entity_go_together() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("extended statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE 'mention_%_kind_stats'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {f"mention_{k}_kind_stats" for k in ("country", "official", "policy", "summit")}
