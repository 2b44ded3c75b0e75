"""Search on PostgreSQL: ranked, accent-insensitive, on the stored GIN-indexed vector."""

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article
from articles.reading.filters import ArticleFilters
from articles.reading.search import search_filter
from articles.reading.selectors import article_list
from tests.support import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(settings: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL (the SQLite fallback is tested elsewhere)")
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


def test_a_title_match_ranks_above_a_body_match() -> None:
    body_only = f.article(title="Talks in Ottawa", body="A word on the asylum agreement.")
    in_title = f.article(title="Asylum agreement signed", body="Nothing else.")
    found = list(article_list(filters=ArticleFilters(q="asylum agreement", per="copy")))
    assert found == [in_title, body_only]


def test_search_ignores_accents_both_ways() -> None:
    a = f.article(title="López Obrador recibe a Trudeau")
    b = f.article(title="Lopez Obrador meets Biden")
    assert set(search_filter(Article.objects.all(), "lopez")) == {a, b}
    assert set(search_filter(Article.objects.all(), "López")) == {a, b}


def test_rows_written_by_bulk_create_and_updates_are_searchable() -> None:
    source = f.source()
    Article.objects.bulk_create(
        [
            Article(
                source=source,
                title="Safe third country",
                url=f"https://x.example/{i}",
                canonical_url=f"https://x.example/{i}",
                url_hash=f"h{i}",
            )
            for i in range(3)
        ]
    )
    assert search_filter(Article.objects.all(), "third").count() == 3
    Article.objects.filter(url_hash="h0").update(body="remain in mexico")
    assert list(search_filter(Article.objects.all(), '"remain in mexico"')) == [
        Article.objects.get(url_hash="h0")
    ]


def test_search_syntax_the_user_types_never_breaks_the_page(client: Client) -> None:
    f.article(title="Border talks")
    for q in ['"unclosed', "a & b | !", "-", "OR OR", "(((", "border -talks"]:
        assert client.get("/articles/", {"q": q}).status_code == 200


def test_only_the_newest_matches_are_ranked_and_older_ones_follow_newest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime

    from articles.reading import search
    from articles.reading.selectors import queryset_slice

    monkeypatch.setattr(search, "RANK_WINDOW", 3)

    def day(n: int, title: str) -> Article:
        published = datetime(2021, 11, n, tzinfo=UTC)
        return f.article(title=title, body="asylum", published_at=published)

    old_strong, old_weak = day(1, "Asylum asylum asylum"), day(2, "Talks")
    weak, strong, weaker = day(3, "Talks"), day(4, "Asylum deal"), day(5, "Summit")
    results = article_list(filters=ArticleFilters(q="asylum", per="copy"))
    assert list(results) == [strong, weaker, weak, old_weak, old_strong]
    page = queryset_slice(results, number=2, per_page=2)
    assert (page.rows, page.count) == ([weak, old_weak], 5)
