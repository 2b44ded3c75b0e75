"""Figures and the home timeline are kept in the cache until the data they show changes.

These tests commit their writes (transaction=True): a figure is stored only outside a
transaction with writes of its own, as a page request is.
"""

from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Mention, MentionStatus
from articles.reading.figures import data_version, kb_html_cached_each, kb_version
from articles.tagging.review import mentions_review
from tests.support import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


def summit_with_tags(n: int) -> tuple:
    mx = f.country("MX")
    summit = f.summit(slug="the-summit", start_date=datetime(2021, 11, 18, tzinfo=UTC).date())
    outlet = f.source(country=mx)
    tags = [
        f.mention(article=f.article(source=outlet), entity=summit, confidence=0.95)
        for _ in range(n)
    ]
    return summit, tags


def home_count(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_data_version_rises_with_each_committed_write_to_what_pages_show() -> None:
    summit, (tag,) = summit_with_tags(1)
    seen = [data_version()]

    def changed() -> None:
        seen.append(data_version())
        assert seen[-1] is not None and seen[-1] > seen[-2]

    Mention.objects.filter(pk=tag.pk).update(status=MentionStatus.REJECTED)
    changed()
    Article.objects.filter(pk=tag.article_id).update(language="es")
    changed()
    tag.article.source.country = f.country("US")
    tag.article.source.save()
    changed()
    summit.title = "Renamed"
    summit.save()
    changed()
    summit.countries.clear()
    changed()
    Article.objects.filter(pk=tag.article_id).delete()
    changed()


def test_the_knowledge_base_version_rises_with_the_knowledge_base_and_not_with_articles() -> None:
    summit, (tag,) = summit_with_tags(1)
    before = kb_version()
    Article.objects.filter(pk=tag.article_id).update(language="es")
    f.mention(article=f.article(), entity=summit)
    assert kb_version() == before
    summit.title = "Renamed"
    summit.save()
    after = kb_version()
    assert before is not None and after is not None and after > before
    summit.countries.add(f.country("CA"))
    assert (kb_version() or 0) > after


def test_a_knowledge_base_part_is_kept_across_article_writes_and_drawn_again_after_an_edit() -> (
    None
):
    summit, _ = summit_with_tags(1)
    drawn: list[int] = []

    def draw(items: list[int]) -> list[str]:
        drawn.extend(items)
        return [f"<p>{n}</p>" for n in items]

    def cards() -> list[str]:
        kept = kb_html_cached_each("test-card", [1, 2], depends=lambda n: (n,), render=draw)
        return [str(html) for html in kept]

    assert cards() == ["<p>1</p>", "<p>2</p>"]
    assert cards() == ["<p>1</p>", "<p>2</p>"]
    f.mention(article=f.article(), entity=summit)  # a batch of articles: the data version rises
    assert cards() == ["<p>1</p>", "<p>2</p>"]
    assert drawn == [1, 2]
    summit.title = "Renamed"
    summit.save()
    assert cards() == ["<p>1</p>", "<p>2</p>"]
    assert drawn == [1, 2, 1, 2]
    with transaction.atomic():
        summit.title = "Renamed again"
        summit.save()
        # Uncommitted knowledge-base changes: drawn afresh and kept for no one.
        assert kb_version() is None
        cards()
    assert drawn == [1, 2, 1, 2, 1, 2]


def test_a_transaction_raises_the_version_once_and_only_when_it_commits() -> None:
    summit, _ = summit_with_tags(1)
    before = data_version()
    with transaction.atomic():
        for _ in range(3):
            f.mention(article=f.article(), entity=summit)
        # Uncommitted: this session reads afresh, and stores nothing for the others.
        assert data_version() is None
    after = data_version()
    assert after is not None and before is not None
    if connection.vendor == "postgresql":
        assert after == before + 1
    else:
        assert after > before


def test_a_summit_page_counts_a_new_tag_after_its_figures_were_kept() -> None:
    summit, _ = summit_with_tags(3)
    client = Client()
    first = client.get("/summits/the-summit/")
    assert first.context["articles"].count == 3
    assert sum(p.counts[1] for p in first.context["press"].rows) == 3  # Mexican press
    f.mention(article=f.article(source=f.source(country=f.country("MX"))), entity=summit)
    again = client.get("/summits/the-summit/")
    assert again.context["articles"].count == 4
    assert sum(p.counts[1] for p in again.context["press"].rows) == 4


def test_an_editors_rejection_leaves_the_coverage_at_once() -> None:
    _, tags = summit_with_tags(3)
    client = Client()
    assert "<span>3 articles</span>" in home_count(client)
    editor = User.objects.create_user("editor")
    mentions_review(mentions=tags[:1], status=MentionStatus.REJECTED, user=editor, via="test")
    page = home_count(client)
    # The meeting's bar counts its visible tags (the press chart above counts every article).
    assert "<span>2 articles</span>" in page and "<span>3 articles</span>" not in page


def test_a_meeting_renamed_in_the_admin_is_renamed_on_the_home_timeline() -> None:
    summit, _ = summit_with_tags(1)
    client = Client()
    assert "Renamed meeting" not in home_count(client)
    summit.title = "Renamed meeting"
    summit.save()
    assert "Renamed meeting" in home_count(client)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/summits/the-summit/",
        "/countries/MX/",
        "/articles/?q=summit&per=copy",
        "/api/summits/the-summit.json",
        "/api/articles.atom?q=summit",
    ],
)
def test_a_kept_page_runs_fewer_queries_than_its_first_reading(url: str) -> None:
    summit_with_tags(30)
    client = Client()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert len(warm.captured_queries) < len(cold.captured_queries) <= 40, url
    assert len(warm.captured_queries) <= 16, url
    if url in ("/", "/countries/MX/"):
        # Nothing left that reads the tags: coverage, co-mentions and series are kept.
        assert not [q for q in warm.captured_queries if "articles_mention" in q["sql"]], url


@pytest.mark.parametrize(
    "url", ["/summits/the-summit/", "/articles/?summit=the-summit", "/api/summits/the-summit.json"]
)
def test_a_kept_list_of_articles_shows_a_new_article_at_once(url: str) -> None:
    summit, _ = summit_with_tags(2)
    client = Client()
    assert "Freshly tagged" not in client.get(url).content.decode()
    assert "Freshly tagged" not in client.get(url).content.decode()  # kept
    f.mention(article=f.article(title="Freshly tagged"), entity=summit)
    assert "Freshly tagged" in client.get(url).content.decode()


def test_a_kept_answer_is_kept_under_its_own_address(settings: object) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "example.org"]  # type: ignore[attr-defined]
    summit_with_tags(1)
    client = Client()
    json = client.get("/api/summits/the-summit.json")
    atom = client.get("/api/summits/the-summit.atom")
    assert json["Content-Type"] == "application/json"
    assert atom["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert client.get("/api/summits/the-summit.json").content == json.content
    assert client.get("/api/summits/the-summit.atom").content == atom.content
    other_host = client.get("/api/summits/the-summit.json", HTTP_HOST="example.org")
    assert b"example.org" in other_host.content and b"example.org" not in json.content


def test_the_home_timeline_is_kept_per_language() -> None:
    summit_with_tags(1)
    client = Client()
    english = client.get("/").content.decode()
    spanish = client.get("/es/").content.decode()
    assert "<span>1 article</span>" in english and "<span>1 article</span>" not in spanish


def _triggered_tables(name: str = "tracker_data_changed") -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [name],
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{name}_%"],
            )
        return {row[0] for row in cursor.fetchall()}


def test_every_knowledge_base_table_and_the_articles_tables_pages_read_are_watched() -> None:
    models = [
        *apps.get_app_config("summits").get_models(),
        *(apps.get_model("articles", name) for name in ("Article", "Mention", "Source")),
        apps.get_model("articles", "StoryCluster"),
    ]
    tables = {m._meta.db_table for m in models} | {
        field.remote_field.through._meta.db_table
        for m in models
        for field in m._meta.local_many_to_many
    }
    # Recognisers are the tagger's and feed links ingestion's: pages never show them.
    missing = tables - _triggered_tables() - {"summits_recogniser", "articles_articlefeed"}
    assert not missing, f"add a data-version trigger (migration 0023) for: {sorted(missing)}"


def test_every_knowledge_base_table_raises_the_knowledge_base_version() -> None:
    models = list(apps.get_app_config("summits").get_models())
    tables = {m._meta.db_table for m in models} | {
        field.remote_field.through._meta.db_table
        for m in models
        for field in m._meta.local_many_to_many
    }
    # Recognisers are the tagger's: pages never show them.
    missing = tables - _triggered_tables("tracker_kb_changed") - {"summits_recogniser"}
    assert not missing, f"add a knowledge-base trigger (migration 0026) for: {sorted(missing)}"
