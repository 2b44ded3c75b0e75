"""A summit's, official's, country's or policy's page is kept across writes that do not touch
what it shows, and shows at once every write that does.

These tests commit their writes (transaction=True), as ingestion and editors do.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Mention, MentionStatus, Source, StoryCluster
from articles.tagging.kb_change import articles_retag
from articles.tagging.review import articles_link_summit, mentions_review
from articles.tagging.tagger import knowledge_base_reset
from summits.models import Official, Policy, Recogniser, Summit
from tests.articles.tagging.helpers import tagged
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


def _page(client: Client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    # The language switch's form carries a token of its own on each answer.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return page, [q["sql"] for q in captured.captured_queries]


def _articles_read(queries: list[str]) -> list[str]:
    """The queries that read articles through the ORM (a page drawn, not kept)."""
    return [sql for sql in queries if 'FROM "articles_article"' in sql]


@pytest.fixture
def world() -> dict:
    mx, us = f.country("MX"), f.country("US")
    summit = f.summit(slug="the-summit", start_date=datetime(2021, 11, 18, tzinfo=UTC).date())
    other_summit = f.summit(slug="another-summit")
    person = f.official(slug="the-official", name="Ana Example", country=mx)
    outlet = f.source(country=mx, name="Diario Uno")
    shown = [f.article(source=outlet, title=f"Shown {n}") for n in range(3)]
    for article in shown:
        f.mention(article=article, entity=summit, confidence=0.95)
        f.mention(article=article, entity=person, confidence=0.95)
        f.mention(article=article, entity=mx, confidence=0.95)
    unrelated = f.article(source=f.source(country=us), title="Unrelated")
    f.mention(article=unrelated, entity=other_summit)
    f.mention(article=unrelated, entity=us)
    return {
        "summit": summit,
        "official": person,
        "country": mx,
        "shown": shown,
        "unrelated": unrelated,
        "other_summit": other_summit,
    }


def _unrelated_batch(world: dict) -> None:
    """What an ingestion batch about another meeting writes: a new article and its tags, and
    an edit of an article the pages under test do not show."""
    world["unrelated"].title = "Unrelated, edited"
    world["unrelated"].save()
    fresh = f.article(source=world["unrelated"].source, title="About another meeting")
    f.mention(article=fresh, entity=world["other_summit"])


@pytest.mark.parametrize("url", ["/summits/the-summit/", "/es/summits/the-summit/"])
def test_a_summit_page_is_kept_across_writes_to_articles_it_does_not_show(
    world: dict, url: str
) -> None:
    client = Client()
    first, _ = _page(client, url)
    _unrelated_batch(world)
    again, queries = _page(client, url)
    assert again == first
    assert not _articles_read(queries), url


def _co_mentions_read(queries: list[str]) -> list[str]:
    """The queries that count the entities tagged on an entity's articles (drawn, not kept)."""
    start = 'SELECT "articles_mention"."kind" AS "kind", "articles_mention"."country_id"'
    return [sql for sql in queries if sql.startswith(start)]


@pytest.mark.parametrize("url", ["/officials/the-official/", "/countries/MX/"])
def test_an_entity_page_is_kept_with_a_countrys_press_after_writes_it_does_not_show(
    world: dict, url: str
) -> None:
    client = Client()
    first, queries = _page(client, url)
    assert _co_mentions_read(queries), url
    _unrelated_batch(world)
    again, queries = _page(client, url)
    assert again == first
    # Its facts, its tags per month and the entities tagged with it are kept.
    assert not _co_mentions_read(queries), url
    facts = ("summits_summitparticipant", "summits_summit_countries", "summits_roletenure")
    assert not [sql for sql in queries if any(table in sql for table in facts)], url
    # A country's press per month (articles it does not tag) too: the batch wrote to
    # another country's outlets.
    redrawn = [sql for sql in queries if "articles_mention" in sql and "tracker_page" not in sql]
    assert not redrawn, redrawn


def test_a_summit_page_shows_an_edited_title_of_an_article_it_shows_at_once(world: dict) -> None:
    client = Client()
    assert "Shown 1" in _page(client, "/summits/the-summit/")[0]
    world["shown"][1].title = "Corrected headline"
    world["shown"][1].save()
    page, queries = _page(client, "/summits/the-summit/")
    assert "Corrected headline" in page and "Shown 1" not in page
    assert _articles_read(queries)


def _coverage_read(queries: list[str]) -> list[str]:
    """The queries that count an entity's tags per day, month or outlet (drawn, not kept)."""
    return [
        sql
        for sql in queries
        if "COUNT(*)" in sql and "articles_mention" in sql and "tracker_page" not in sql
    ]


@pytest.mark.parametrize("url", ["/summits/the-summit/", "/officials/the-official/"])
def test_counts_are_kept_across_an_edited_title_of_an_article_they_count(
    world: dict, url: str
) -> None:
    client = Client()
    first, queries = _page(client, url)
    assert _coverage_read(queries), url
    world["shown"][1].title = "Corrected headline"
    world["shown"][1].body = "A corrected text."
    world["shown"][1].save()
    again, queries = _page(client, url)
    assert not _coverage_read(queries), url
    assert not _co_mentions_read(queries), url
    # A summit lists its articles: that list is drawn again, with the new title.
    assert ("Corrected headline" in again) == ("summits" in url)
    assert again.replace("Corrected headline", "Shown 1") == first


def _section(page: str, heading: str) -> str:
    found = re.search(f'<section aria-labelledby="{heading}">.*?</section>', page, re.DOTALL)
    assert found, heading
    return found.group(0)


def test_an_article_moved_to_another_outlet_shows_at_once_in_a_summits_sources(
    world: dict,
) -> None:
    client = Client()
    assert "Diario Dos" not in _section(_page(client, "/summits/the-summit/")[0], "sources-heading")
    outlet = f.source(country=world["country"], name="Diario Dos")
    Article.objects.filter(pk=world["shown"][0].pk).update(source=outlet)
    page = _page(client, "/summits/the-summit/")[0]
    assert "Diario Dos" in _section(page, "sources-heading")


def test_articles_joining_one_story_show_at_once_in_a_summits_article_count(world: dict) -> None:
    # More stories than a page holds, so that the page counts them.
    more = [f.article(source=world["shown"][0].source, title=f"More {n}") for n in range(20)]
    for article in more:
        f.mention(article=article, entity=world["summit"])
    client = Client()
    heading = re.compile(r'<h2 id="articles-heading">[^<]*\((\d+)')
    page, _ = _page(client, "/summits/the-summit/")
    assert heading.search(page).group(1) == "23"  # type: ignore[union-attr]
    _page(client, "/summits/the-summit/")  # kept
    story = f.cluster(size=2)
    Article.objects.filter(pk__in=[more[0].pk, more[1].pk]).update(cluster=story)
    page, _ = _page(client, "/summits/the-summit/")
    assert heading.search(page).group(1) == "22"  # type: ignore[union-attr]


def test_a_summits_facts_are_kept_across_a_new_article_tagged_with_it(world: dict) -> None:
    client = Client()
    _page(client, "/summits/the-summit/")
    f.mention(article=f.article(title="Freshly tagged"), entity=world["summit"])
    page, queries = _page(client, "/summits/the-summit/")
    assert "Freshly tagged" in page
    assert not [sql for sql in queries if "summits_summitparticipant" in sql]


def _press(client: Client) -> str:
    return _section(_page(client, "/countries/MX/")[0], "press-heading")


def test_a_new_article_of_a_countrys_outlets_shows_at_once_in_its_press(world: dict) -> None:
    client = Client()
    before = _press(client)
    fresh = f.article(source=world["shown"][0].source, title="Fresh")
    f.mention(article=fresh, entity=world["other_summit"])
    assert _press(client) != before


def test_a_meeting_tag_on_an_old_article_of_a_countrys_outlets_shows_at_once_in_its_press(
    world: dict,
) -> None:
    untagged = f.article(source=world["shown"][0].source, title="Untagged yet")
    client = Client()
    before = _press(client)
    f.mention(article=untagged, entity=world["other_summit"])
    assert _press(client) != before


@pytest.mark.parametrize("change", ["moved", "deleted", "redated"])
def test_an_article_leaving_a_countrys_outlets_shows_at_once_in_its_press(
    world: dict, change: str
) -> None:
    client = Client()
    before = _press(client)
    # Another article written as well, so that the country's outlets keep as many articles.
    f.article(source=world["shown"][0].source, title="Untagged")
    shown = Article.objects.filter(pk=world["shown"][0].pk)
    if change == "moved":
        shown.update(source=world["unrelated"].source)
    elif change == "deleted":
        shown.delete()
    else:
        shown.update(published_at=datetime(2019, 5, 1, tzinfo=UTC))
    assert _press(client) != before


def test_an_outlet_moved_to_a_country_shows_at_once_in_its_press(world: dict) -> None:
    client = Client()
    before = _press(client)
    Source.objects.filter(pk=world["unrelated"].source.pk).update(country=world["country"])
    assert _press(client) != before


def test_a_summit_page_shows_a_story_that_gained_a_copy_at_once(world: dict) -> None:
    story = f.cluster(size=1)
    Article.objects.filter(pk=world["shown"][0].pk).update(cluster=story)
    client = Client()
    assert "2 copies" not in _page(client, "/summits/the-summit/")[0]
    # Clustering adds a copy from an outlet whose article is not tagged with the meeting.
    f.article(source=world["unrelated"].source, cluster=story)
    StoryCluster.objects.filter(pk=story.pk).update(size=2)
    assert "2 copies" in _page(client, "/summits/the-summit/")[0]


def test_a_renamed_outlet_shows_at_once_on_a_kept_summit_page(world: dict) -> None:
    client = Client()
    assert "Diario Uno" in _page(client, "/summits/the-summit/")[0]
    Source.objects.filter(name="Diario Uno").update(name="Diario Dos")
    page, _ = _page(client, "/summits/the-summit/")
    assert "Diario Dos" in page and "Diario Uno" not in page


def test_an_editors_rejection_empties_a_kept_official_page_at_once(world: dict) -> None:
    client = Client()
    empty = "No article has been tagged with Ana Example yet."
    assert empty not in _page(client, "/officials/the-official/")[0]
    editor = User.objects.create_user("editor")
    tags = list(Mention.objects.filter(official=world["official"]))
    mentions_review(mentions=tags, status=MentionStatus.REJECTED, user=editor, via="test")
    assert empty in _page(client, "/officials/the-official/")[0]


def test_a_moved_date_shows_at_once_on_a_kept_official_page(world: dict) -> None:
    client = Client()
    assert "to March 2022" not in _page(client, "/officials/the-official/")[0]
    later = datetime(2022, 3, 2, 12, tzinfo=UTC)
    Article.objects.filter(pk=world["shown"][0].pk).update(published_at=later)
    assert "to March 2022" in _page(client, "/officials/the-official/")[0]


def test_a_new_tag_of_another_entity_shows_in_a_kept_countrys_co_mentions(world: dict) -> None:
    client = Client()
    policy = f.policy(name="Safe Third Country Agreement")
    assert policy.name not in _page(client, "/countries/MX/")[0]
    # A tag added to an article the country's page already counts, without editing it.
    f.mention(article=world["shown"][0], entity=policy)
    assert policy.name in _page(client, "/countries/MX/")[0]


def test_a_knowledge_base_edit_shows_at_once_on_kept_pages(world: dict) -> None:
    client = Client()
    _page(client, "/summits/the-summit/")
    _page(client, "/officials/the-official/")
    Summit.objects.filter(pk=world["summit"].pk).update(title="Renamed meeting")
    Official.objects.filter(pk=world["official"].pk).update(name="Ana Renamed")
    assert "Renamed meeting" in _page(client, "/summits/the-summit/")[0]
    assert "Ana Renamed" in _page(client, "/officials/the-official/")[0]


def test_a_new_article_tagged_with_the_meeting_shows_at_once(world: dict) -> None:
    client = Client()
    _page(client, "/summits/the-summit/")
    f.mention(article=f.article(title="Freshly tagged"), entity=world["summit"])
    assert "Freshly tagged" in _page(client, "/summits/the-summit/")[0]


def test_a_deleted_article_leaves_a_kept_summit_page_at_once(world: dict) -> None:
    client = Client()
    assert "Shown 2" in _page(client, "/summits/the-summit/")[0]
    Article.objects.filter(pk=world["shown"][2].pk).delete()
    assert "Shown 2" not in _page(client, "/summits/the-summit/")[0]


def test_a_part_kept_from_before_the_journal_was_pruned_is_drawn_again(world: dict) -> None:
    client = Client()
    assert "Shown 1" in _page(client, "/summits/the-summit/")[0]
    world["shown"][1].title = "Corrected headline"
    world["shown"][1].save()
    # The journal's rows up to now are deleted, as they are once old enough.
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM tracker_page_version WHERE id = 1")
        (number,) = cursor.fetchone()
        cursor.execute("DELETE FROM tracker_page_change WHERE version <= %s", [number])
        cursor.execute("UPDATE tracker_page_version SET pruned = %s WHERE id = 1", [number])
    assert "Corrected headline" in _page(client, "/summits/the-summit/")[0]


# A tag of another entity added to an article an entity's page already counts, by each path
# that writes tags: the entity's own tags stay as many, so only the journal can tell.

ENTITY_PAGES = ["/officials/the-official/", "/countries/MX/"]


def _kept_then(client: Client, url: str, name: str) -> None:
    """Read the page twice (the second from the cache), without `name` among its entities."""
    _page(client, url)
    page, queries = _page(client, url)
    assert name not in page and not _co_mentions_read(queries), url


@pytest.mark.parametrize("url", ENTITY_PAGES)
def test_a_bulk_inserted_tag_on_an_old_article_shows_in_kept_co_mentions(
    world: dict, url: str
) -> None:
    client = Client()
    policy = f.policy(name="Safe Third Country Agreement")
    _kept_then(client, url, policy.name)
    Mention.objects.bulk_create(
        [Mention(article=world["shown"][0], kind="policy", policy=policy, confidence=0.9)]
    )
    assert policy.name in _page(client, url)[0]


@pytest.mark.parametrize("url", ENTITY_PAGES)
def test_an_editors_link_to_a_meeting_shows_in_kept_co_mentions(world: dict, url: str) -> None:
    client = Client()
    meeting = f.summit(title="North American Leaders Summit 2023", countries=[])
    _kept_then(client, url, meeting.title)
    editor = User.objects.create_user("editor")
    assert articles_link_summit(articles=[world["shown"][1]], summit=meeting, user=editor) == 1
    assert meeting.title in _page(client, url)[0]


@pytest.mark.parametrize("url", ENTITY_PAGES)
def test_a_tag_added_in_the_admin_shows_in_kept_co_mentions(world: dict, url: str) -> None:
    client = Client()
    policy = f.policy(name="Remain in Mexico")
    _kept_then(client, url, policy.name)
    editor = client_for(staff_user("Editor"))
    change = reverse("admin:articles_article_change", args=[world["shown"][2].pk])
    data = form_values(editor.get(change).content, "article_form")
    prefix = "mentions-3"  # the article page's inline of policy tags
    assert data[f"{prefix}-TOTAL_FORMS"] == "0"
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-policy": str(policy.pk)})
    data[f"{prefix}-0-status"] = MentionStatus.AUTO
    assert editor.post(change, data).status_code == 302
    assert Mention.objects.filter(article=world["shown"][2], policy=policy).exists()
    assert policy.name in _page(client, url)[0]


@pytest.mark.parametrize("url", ENTITY_PAGES)
def test_a_tag_moved_onto_an_old_article_shows_in_kept_co_mentions(world: dict, url: str) -> None:
    client = Client()
    policy = f.policy(name="Title 42")
    tag = f.mention(article=world["unrelated"], entity=policy)
    _kept_then(client, url, policy.name)
    Mention.objects.filter(pk=tag.pk).update(article=world["shown"][0])
    assert policy.name in _page(client, url)[0]


def test_a_new_article_with_the_entitys_tag_and_anothers_shows_in_kept_co_mentions(
    world: dict,
) -> None:
    client = Client()
    policy = f.policy(name="Safe Third Country Agreement")
    _kept_then(client, "/officials/the-official/", policy.name)
    # As ingestion writes: the article and its tags in one transaction.
    with transaction.atomic():
        fresh = f.article(title="Fresh")
        f.mention(article=fresh, entity=world["official"])
        f.mention(article=fresh, entity=policy)
    assert policy.name in _page(client, "/officials/the-official/")[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite journals every new tag")
def test_an_article_written_with_its_tags_journals_nothing_for_them(world: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tracker_page_change")
        (before,) = cursor.fetchone()
    with transaction.atomic():
        fresh = f.article(title="Fresh")
        f.mention(article=fresh, entity=world["official"])
        f.mention(article=fresh, entity=world["other_summit"])
    f.mention(article=world["shown"][0], entity=world["other_summit"])
    f.mention(article=world["shown"][0], entity=world["unrelated"].source.country)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id FROM tracker_page_change WHERE id > %s AND article_id IS NOT NULL",
            [before],
        )
        journaled = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT kind, entity_id FROM tracker_page_change WHERE id > %s AND kind IS NOT NULL",
            [before],
        )
        tagged = sorted(cursor.fetchall())
    # The old article once, for the transaction of each of its new tags.
    assert journaled == [world["shown"][0].pk] * 2
    # Each new tag as its entity, once per statement.
    other_country = world["unrelated"].source.country
    assert tagged == sorted(
        [
            ("official", world["official"].pk),
            ("summit", world["other_summit"].pk),
            ("summit", world["other_summit"].pk),
            ("country", other_country.pk),
        ]
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite journals every new tag")
def test_tags_inserted_with_their_dates_given_are_journaled_as_any_other(world: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tracker_page_change")
        (before,) = cursor.fetchone()
    summit, old = world["other_summit"], world["shown"][0]
    # As ingestion writes: the article, then its tags with its date given.
    with transaction.atomic():
        fresh = f.article(title="Fresh")
        Mention.objects.bulk_create(
            [Mention(article=fresh, kind="summit", summit=summit, published_at=fresh.published_at)]
        )
    Mention.objects.bulk_create(
        [Mention(article=old, kind="summit", summit=summit, published_at=old.published_at)]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id, kind, entity_id FROM tracker_page_change WHERE id > %s ORDER BY id",
            [before],
        )
        rows = cursor.fetchall()
    # The article committed earlier is journaled by itself; the one written with its tags is
    # not. Each statement's new tags journal their entity (migration 0031).
    assert [article for article, _, _ in rows if article is not None] == [old.pk]
    assert [(kind, entity) for article, kind, entity in rows if article is None] == [
        ("summit", summit.pk),
        ("summit", summit.pk),
    ]


@pytest.fixture
def roxham(reference: None) -> Iterator[Policy]:
    knowledge_base_reset()
    yield Policy.objects.get(slug="roxham-road-closure")
    knowledge_base_reset()


def test_a_tag_the_tagger_adds_on_re_tagging_shows_in_kept_co_mentions(roxham: Policy) -> None:
    text = "Mexico said Ottawa sealed the footpath near Champlain used by asylum seekers."
    article = f.article(body=text, published_at=datetime(2023, 3, 25, tzinfo=UTC))
    own = [(m.kind, m.country and m.country.iso2) for m in tagged(article)]
    assert ("country", "MX") in own and ("policy", None) not in own
    Recogniser.objects.create(policy=roxham, cues="footpath\nChamplain", confidence=0.8)
    client = Client()
    _kept_then(client, "/countries/MX/", roxham.name)
    assert articles_retag(article_ids=[article.pk]).added == 1
    assert Mention.objects.filter(article=article, country__iso2="MX").count() == 1
    assert roxham.name in _page(client, "/countries/MX/")[0]
