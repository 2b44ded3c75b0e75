"""Search: the same cases on whichever database the suite runs on (SQLite or PostgreSQL)."""

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article
from articles.reading.filters import ArticleFilters
from articles.reading.search import search_filter, search_terms
from articles.reading.selectors import article_list
from articles.search_text import fold, search_text
from summits.models import OfficialAlias
from tests.support import factories as f

pytestmark = pytest.mark.django_db

TITLES = {
    "accented": "La migración en la frontera norte",
    "plain": "Migration talks in Ottawa",
    "amlo": "López Obrador recibe a Trudeau",
    "remain": "Court revives the Remain in Mexico policy",
    "scattered": "Mexico says it will remain firm; policy in flux",
}


@pytest.fixture
def corpus() -> dict[str, Article]:
    return {key: f.article(title=title) for key, title in TITLES.items()}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("migracion", {"accented"}),
        ("MIGRACIÓN", {"accented"}),
        ("Lopez Obrador", {"amlo"}),
        ("lópez", {"amlo"}),
        ("migration", {"plain"}),
        ("migra", set()),  # whole words, not pieces of them
        ('"remain in mexico"', {"remain"}),
        ("remain in mexico", {"remain", "scattered"}),
        ('"in mexico" court', {"remain"}),
        ('"unclosed phrase', set()),
        ("policy", {"remain", "scattered"}),
        ("frontera ottawa", set()),
    ],
)
def test_search_finds_what_people_type(
    corpus: dict[str, Article], q: str, expected: set[str]
) -> None:
    found = set(search_filter(Article.objects.all(), q))
    assert found == {corpus[key] for key in expected}


def test_a_known_alias_finds_the_articles_tagged_with_its_official() -> None:
    amlo = f.official(name="Andrés Manuel López Obrador")
    OfficialAlias.objects.create(official=amlo, name="AMLO")
    tagged = f.article(title="El presidente habla de migración")
    f.mention(article=tagged, entity=amlo)
    named = f.article(title="AMLO y Trudeau", body="")
    f.article(title="Unrelated")
    assert set(search_filter(Article.objects.all(), "AMLO")) == {tagged, named}
    assert set(search_filter(Article.objects.all(), "amlo", aliases=False)) == {named}


def test_a_rejected_tag_does_not_make_an_alias_match() -> None:
    amlo = f.official(name="Andrés Manuel López Obrador")
    OfficialAlias.objects.create(official=amlo, name="AMLO")
    wrong = f.article(title="Something else")
    f.mention(article=wrong, entity=amlo, status="rejected")
    assert list(search_filter(Article.objects.all(), "AMLO")) == []


def test_summary_html_and_body_are_searched_and_kept_in_step_on_every_write() -> None:
    article = f.article(title="Talks", summary="<p>Asilo &amp; <b>refugio</b></p>")
    assert list(search_filter(Article.objects.all(), "refugio")) == [article]
    assert list(search_filter(Article.objects.all(), "amp")) == []  # entities are text
    article.body = "El Título 42 terminó."
    article.save(update_fields=["body"])
    assert list(search_filter(Article.objects.all(), '"titulo 42"')) == [article]
    article.title = "Nueva ronda"
    Article.objects.bulk_update([article], ["title"])
    assert list(search_filter(Article.objects.all(), "ronda")) == [article]


def test_bulk_created_articles_are_searchable() -> None:
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


def test_an_update_of_the_text_is_refused_rather_than_left_unsearchable() -> None:
    f.article(title="Talks")
    with pytest.raises(TypeError, match="save"):
        Article.objects.update(body="remain in mexico")


def test_search_text_folds_accents_case_and_punctuation() -> None:
    assert fold("López-Obrador, ¡MIGRACIÓN!") == "lopez obrador migracion"
    assert search_text(title="Ça va", summary="<i>œuvre</i>", body="") == " ca va oeuvre "
    assert [t.words for t in search_terms('"Lopez  Obrador" «frontera» lopez')] == [
        "lopez obrador",
        "frontera",
        "lopez",
    ]


def test_search_results_are_newest_first(corpus: dict[str, Article]) -> None:
    older = f.article(title="Remain in Mexico, again", published_at=corpus["remain"].published_at)
    newest = list(article_list(filters=ArticleFilters(q="remain", per="copy")))
    assert newest[0].published_at >= newest[-1].published_at
    assert set(newest) == {corpus["remain"], corpus["scattered"], older}


def test_search_syntax_the_user_types_never_breaks_the_page(client: Client) -> None:
    f.article(title="Border talks")
    for q in ['"unclosed', "a & b | !", "-", "OR OR", "(((", "border -talks", "%", "_", "\\"]:
        assert client.get("/articles/", {"q": q}).status_code == 200


def test_a_name_typed_without_quotes_finds_its_words_anywhere_or_its_tags() -> None:
    amlo = f.official(name="Andrés Manuel López Obrador")
    tagged = f.article(title="El presidente en Ottawa")
    f.mention(article=tagged, entity=amlo)
    apart = f.article(title="Obrador, Andrés Manuel López")
    f.article(title="Andrés Bello")
    q = "Andres Manuel Lopez Obrador"
    assert set(search_filter(Article.objects.all(), q)) == {tagged, apart}
    assert set(search_filter(Article.objects.all(), f'"{q}"')) == {tagged}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word index is PostgreSQL's")
def test_on_postgresql_words_are_found_through_the_word_index(
    corpus: dict[str, Article],
) -> None:
    # The table is tiny here: without a sequential scan to choose, the plan shows the index
    # the expression matches, for a word and for a phrase (whose words the index finds).
    for q in ("migracion", '"remain in mexico"'):
        qs = search_filter(Article.objects.all(), q, aliases=False)
        with connection.cursor() as cursor:
            # Nor a walk of another index filtering each row (the date index serves the order,
            # and the planner took it once the suite's earlier tests had left statistics).
            for scan in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{scan} = off")
            sql, params = qs.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "article_search_words_idx" in plan, plan
        assert list(qs) == [corpus["accented" if q == "migracion" else "remain"]]


def test_a_story_found_by_an_alias_is_listed_once_by_its_first_matching_copy() -> None:
    amlo = f.official(name="Andrés Manuel López Obrador")
    OfficialAlias.objects.create(official=amlo, name="AMLO")
    story = f.cluster(size=3)
    tagged = f.article(title="El presidente en Ottawa", cluster=story)
    f.mention(article=tagged, entity=amlo)
    named = f.article(title="AMLO en Ottawa", cluster=story)
    f.article(title="Otra copia", cluster=story)
    assert list(article_list(filters=ArticleFilters(q="amlo"))) == [tagged]
    assert set(article_list(filters=ArticleFilters(q="amlo", per="copy"))) == {tagged, named}
    assert list(article_list(filters=ArticleFilters(q="ottawa"))) == [tagged]
