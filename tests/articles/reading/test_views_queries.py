"""The article list and page run a bounded number of SQL queries, however many rows they show."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


def build(n: int) -> int:
    """n two-copy stories on one summit, country, official and policy; returns an article id."""
    from summits.models import Official, Policy, Summit

    mx = f.country("MX")
    hub = Official.objects.filter(slug="hub").first() or f.official(slug="hub", country=mx)
    policy = Policy.objects.filter(slug="hub-policy").first() or f.policy(slug="hub-policy")
    summit = Summit.objects.filter(slug="hub-summit").first() or f.summit(slug="hub-summit")
    last = 0
    for i in range(n):
        story = f.cluster(size=2)
        for copy in range(2):
            a = f.article(
                cluster=story,
                source=f.source(),
                title=f"Border talks {i}",
                published_at=datetime(2021, 11, 1, tzinfo=UTC) + timedelta(hours=i * 3 + copy),
            )
            for entity in (summit, mx, hub, policy):
                f.mention(article=a, entity=entity)
            last = a.pk
    return last


PAGES = [
    "/articles/",
    "/articles/?per=copy",
    "/articles/?country=MX&official=hub&policy=hub-policy&summit=hub-summit&language=en",
    "/articles/?q=border+talks",
    "/articles/?q=border&from=2021-01-01&to=2022-01-01&status=unreviewed",
]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_the_list_query_count_does_not_grow_with_rows(client: Client, url: str) -> None:
    build(2)
    # A search first compiles the tagger's names (once per process and knowledge-base change).
    client.get(url)
    few = count_queries(client, url)
    assert few <= 20, url
    build(20)  # more than a page
    # Once the results pass one page, one capped COUNT query tells how many there are (and,
    # on PostgreSQL, one reads the data version it would be kept under).
    assert count_queries(client, url) <= few + 2, url
    build(10)
    many = count_queries(client, url)
    build(10)
    assert count_queries(client, url) == many, url


def test_the_article_page_query_count_does_not_grow_with_tags_or_copies(
    client: Client,
) -> None:
    pk = build(1)
    few = count_queries(client, f"/articles/{pk}/")
    assert few <= 6
    from articles.models import Article

    article = Article.objects.get(pk=pk)
    for _ in range(10):
        f.article(cluster=article.cluster)
        f.mention(article=article, entity=f.official())
    assert count_queries(client, f"/articles/{pk}/") == few
