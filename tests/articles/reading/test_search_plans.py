"""Search reads a list in one of two ways and finds the same articles in the same order.

A search with many matches is read newest first, each article checked, and stops at its page;
one with few is found in the indexes and sorted (articles.reading.search.search_is_broad).
On PostgreSQL the two are different SQL; on SQLite both read every article. Either way the
answer must be the same, on whichever database the suite runs.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.reading import search
from articles.reading.filters import ArticleFilters
from articles.reading.search import search_filter
from articles.reading.selectors import article_list
from summits.models import OfficialAlias
from tests.support import factories as f

pytestmark = pytest.mark.django_db

WORDS = ["border", "migración", "safe", "third", "country", "amlo", "talks"]
START = datetime(2020, 1, 1, tzinfo=UTC)

ARTICLES = st.lists(
    st.fixed_dictionaries(
        {
            "words": st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
            "day": st.none() | st.integers(0, 5),
            "tagged": st.booleans(),
            "story": st.none() | st.integers(0, 2),
        }
    ),
    min_size=1,
    max_size=14,
)
QUERIES = st.sampled_from(
    [
        "border",
        "migracion talks",
        '"safe third country"',
        '"third country" border',
        "AMLO",
        "amlo border",
        "Lopez Obrador",
        '"lopez obrador" talks',
        "xylophone",
    ]
)


def _corpus(articles: list[dict[str, Any]]) -> None:
    amlo = f.official(name="Andrés Manuel López Obrador")
    OfficialAlias.objects.create(official=amlo, name="AMLO")
    stories = [f.cluster(size=2) for _ in range(3)]
    for spec in articles:
        day = spec["day"]
        article = f.article(
            title=" ".join(spec["words"]),
            published_at=None if day is None else START + timedelta(days=day),
            cluster=None if spec["story"] is None else stories[spec["story"]],
        )
        if spec["tagged"]:
            f.mention(article=article, entity=amlo)


def _newest_first(qs: Any) -> list[int]:
    return list(
        qs.order_by(F("published_at").desc(nulls_first=True), "-pk").values_list("pk", flat=True)
    )


@pytest.fixture
def walk_from(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set how many matches make a search broad, forgetting the choices already made."""

    def set_to(value: int) -> None:
        monkeypatch.setattr(search, "WALK_FROM", value)
        search._BROAD.clear()

    yield set_to
    search._BROAD.clear()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(articles=ARTICLES, q=QUERIES)
def test_a_walked_search_finds_what_the_indexed_one_finds_in_the_same_order(
    walk_from: Any, articles: list[dict[str, Any]], q: str
) -> None:
    with transaction.atomic():
        _corpus(articles)
        indexed = _newest_first(search_filter(Article.objects.all(), q))
        per_row = _newest_first(search_filter(Article.objects.all(), q, per_row=True))
        assert per_row == indexed
        # A name's words in a set read from the word index, or checked in each article's text.
        for threshold in (0, 10**9):
            walk_from(threshold)
            walked = search_filter(Article.objects.all(), q, walk=True)
            assert _newest_first(walked) == indexed, threshold
        transaction.set_rollback(True)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(articles=ARTICLES, q=QUERIES, per=st.sampled_from(["story", "copy"]))
def test_the_list_of_a_broad_search_is_the_list_of_a_narrow_one(
    walk_from: Any, articles: list[dict[str, Any]], q: str, per: str
) -> None:
    with transaction.atomic():
        _corpus(articles)
        filters = ArticleFilters(q=q, per=per)
        walk_from(10**9)
        assert not search.search_is_broad(q)
        narrow = [a.pk for a in article_list(filters=filters)]
        walk_from(0)
        # Only PostgreSQL has a word index to choose instead of reading each article.
        assert search.search_is_broad(q) == search._indexed()
        broad = [a.pk for a in article_list(filters=filters)]
        assert broad == narrow
        transaction.set_rollback(True)
