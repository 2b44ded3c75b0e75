"""The article admin and the review queue, driven as a logged-in editor."""

from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import (
    Article,
    ArticleFeed,
    Feed,
    Mention,
    MentionStatus,
    ReviewStatus,
)
from articles.reading.admin_filters import EstimatedCountPaginator
from summits.models import OfficialAlias
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:articles_article_changelist")
QUEUE = reverse("admin:articles_mentionreview_changelist")


@pytest.fixture
def editor_client() -> Client:
    return client_for(staff_user("Editor"))


def history(obj: object) -> list[str]:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(obj)
    entries = LogEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("pk")  # type: ignore[attr-defined]
    return [f"{e.user.username}: {e.get_change_message()}" for e in entries]


def test_the_article_list_shows_summits_and_auto_tags_awaiting_review(editor_client: Client):
    article = f.article(title="Leaders meet on migration")
    summit = f.summit(title="North American Leaders' Summit")
    f.mention(article=article, entity=summit, status=MentionStatus.APPROVED)
    f.mention(article=article, entity=f.official(), confidence=0.5)
    f.mention(article=article, entity=f.policy(), confidence=0.6)
    f.mention(article=article, entity=f.country("CA"), status=MentionStatus.REJECTED)

    response = editor_client.get(ARTICLES)

    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert row.awaiting == 2
    assert [m.summit.title for m in row.summit_mentions] == ["North American Leaders' Summit"]
    assert "North American Leaders&#x27; Summit" in response.content.decode()


def test_the_article_list_runs_as_many_queries_for_30_rows_as_for_3(editor_client: Client):
    def list_queries(n: int) -> int:
        Article.objects.all().delete()
        src = f.source()
        for _ in range(n):
            a = f.article(source=src)
            f.mention(article=a, entity=f.summit())
            f.mention(article=a, entity=f.official(), confidence=0.4)
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(ARTICLES).status_code == 200
        return len(ctx.captured_queries)

    assert list_queries(30) == list_queries(3)


def test_a_filtered_article_list_never_counts_the_whole_table(editor_client: Client):
    src = f.source(name="Diario Uno")
    for _ in range(3):
        f.article(source=src)
    f.article()

    with CaptureQueriesContext(connection) as ctx:
        response = editor_client.get(ARTICLES, {"source": "Diario Uno"})

    assert response.context["cl"].result_count == 3
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts, "the filtered list is counted"
    assert all("WHERE" in sql.upper() and "LIMIT 5001" in sql.upper() for sql in counts), counts


def test_a_big_filtered_list_stops_counting_at_the_cap(editor_client: Client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_CAP", 2)
    src = f.source(name="Diario Uno")
    for _ in range(4):
        f.article(source=src)

    response = editor_client.get(ARTICLES, {"source": "Diario Uno"})

    assert response.context["cl"].paginator.capped
    assert "more than 2 articles" in response.content.decode()
    assert [a.source for a in response.context["cl"].result_list] == [src] * 4


def test_an_unfiltered_list_on_postgresql_uses_the_planners_estimate(
    editor_client: Client, monkeypatch: pytest.MonkeyPatch
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_class.reltuples exists on PostgreSQL only")
    for _ in range(5):
        f.article()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", 0)

    with CaptureQueriesContext(connection) as ctx:
        response = editor_client.get(ARTICLES)

    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if '"__count"' in q["sql"]]
    assert any("reltuples" in q["sql"] for q in ctx.captured_queries)


def test_the_filters_narrow_the_article_list_by_what_it_mentions(editor_client: Client):
    ebrard = f.official(name="Marcelo Ebrard")
    OfficialAlias.objects.create(official=ebrard, name="Canciller Ebrard")
    mpp = f.policy(name="Migrant Protection Protocols")
    summit = f.summit(title="High-Level Security Dialogue")
    about_ebrard = f.article(title="Ebrard in Washington", language="es")
    about_mpp = f.article(title="Remain in Mexico returns")
    about_summit = f.article(title="Dialogue opens")
    rejected = f.article(title="Wrongly tagged")
    f.mention(article=about_ebrard, entity=ebrard)
    f.mention(article=about_mpp, entity=mpp)
    f.mention(article=about_summit, entity=summit)
    f.mention(article=about_summit, entity=f.country("CA"))
    f.mention(article=rejected, entity=ebrard, status=MentionStatus.REJECTED)
    feed = Feed.objects.create(url="https://outlet.example/rss", source=about_mpp.source)
    ArticleFeed.objects.create(article=about_mpp, feed=feed)

    def titles(**params: str) -> set[str]:
        response = editor_client.get(ARTICLES, params)
        assert response.status_code == 200, response.content[:500]
        return {a.title for a in response.context["cl"].result_list}

    assert titles(official="canciller") == {"Ebrard in Washington"}
    assert titles(official=str(ebrard.pk)) == {"Ebrard in Washington"}
    assert titles(policy="protection") == {"Remain in Mexico returns"}
    assert titles(summit="security dialogue") == {"Dialogue opens"}
    assert titles(country="CA") == {"Dialogue opens"}
    assert titles(feed=str(feed.pk)) == {"Remain in Mexico returns"}
    assert titles(source=about_mpp.source.name) == {"Remain in Mexico returns"}
    assert titles(language__exact="es") == {"Ebrard in Washington"}
    assert titles(q="washington") == {"Ebrard in Washington"}
    assert titles(official="nobody-like-this") == set()


def test_a_text_filter_says_what_it_matched(editor_client: Client):
    f.official(name="Alicia Bárcena")

    found = editor_client.get(ARTICLES, {"official": "bárcena"}).content.decode()
    missing = editor_client.get(ARTICLES, {"official": "zzz"}).content.decode()

    assert "Alicia Bárcena" in found
    assert "nothing matches" in missing


# The article page has one inline per kind of tag; Django numbers the prefixes of inlines
# of one model in the order they are shown.
PREFIX = {"summit": "mentions", "official": "mentions-2", "policy": "mentions-3",
          "country": "mentions-4"}  # fmt: skip


def test_an_editor_approves_and_rejects_tags_on_the_article_page(editor_client: Client):
    article = f.article()
    keep = f.mention(article=article, entity=f.official(name="Alejandro Mayorkas"), confidence=0.5)
    drop = f.mention(article=article, entity=f.policy(name="Title 42"), confidence=0.4)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = editor_client.get(url)
    assert "Alejandro Mayorkas" in page.content.decode()
    data = form_values(page.content, "article_form")
    assert data[f"{PREFIX['official']}-0-id"] == str(keep.pk)
    assert data[f"{PREFIX['policy']}-0-id"] == str(drop.pk)
    data[f"{PREFIX['official']}-0-status"] = MentionStatus.APPROVED
    data[f"{PREFIX['policy']}-0-status"] = MentionStatus.REJECTED

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    keep.refresh_from_db()
    drop.refresh_from_db()
    assert (keep.status, keep.reviewed_by.username) == (MentionStatus.APPROVED, "editor")
    assert drop.status == MentionStatus.REJECTED and drop.reviewed_at is not None
    assert history(keep) == ["editor: Status: Auto → Approved (on the article's page)."]
    assert any("Changed Status" in line for line in history(article))


def test_a_tag_an_editor_adds_by_hand_is_editor_added(editor_client: Client):
    article = f.article()
    summit = f.summit(title="Summit of the Americas")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_values(editor_client.get(url).content, "article_form")
    prefix = PREFIX["summit"]
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-summit": str(summit.pk)})
    data[f"{prefix}-0-status"] = MentionStatus.AUTO

    response = editor_client.post(url, data)

    assert response.status_code == 302
    mention = Mention.objects.get(article=article)
    assert (mention.kind, mention.summit, mention.status, mention.confidence) == (
        "summit",
        summit,
        MentionStatus.EDITOR_ADDED,
        1.0,
    )
    entry = LogEntry.objects.get(object_id=str(mention.pk), content_type__model="mention")
    assert entry.action_flag == ADDITION and entry.user.username == "editor"


def test_a_tag_without_an_entity_is_refused_next_to_the_field_in_plain_words(
    editor_client: Client,
):
    article = f.article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_values(editor_client.get(url).content, "article_form")
    prefix = PREFIX["official"]
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-status": MentionStatus.APPROVED})

    response = editor_client.post(url, data)

    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    row_errors = doc.cssselect(f"#{prefix}-0 .errorlist, #{prefix}-group .row-form-errors")
    assert "Choose an official for this tag." in " ".join(e.text_content() for e in row_errors)
    assert "Constraint" not in response.content.decode()
    assert not Mention.objects.exists()


def test_a_second_tag_for_the_same_entity_is_refused_next_to_it(editor_client: Client):
    article = f.article()
    mayorkas = f.official(name="Alejandro Mayorkas")
    f.mention(article=article, entity=mayorkas, confidence=0.5)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_values(editor_client.get(url).content, "article_form")
    prefix = PREFIX["official"]
    data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-1-official": str(mayorkas.pk)})
    data[f"{prefix}-1-status"] = MentionStatus.APPROVED

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "already has a tag for “Alejandro Mayorkas”" in response.content.decode()
    assert Mention.objects.count() == 1


def test_the_article_page_edits_authors_as_lines_and_links_the_story(editor_client: Client):
    story = f.cluster()
    article = f.article(cluster=story, authors=["Priya Castellanos"])
    copy = f.article(cluster=story, title="The same story, syndicated")
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = editor_client.get(url)
    html = page.content.decode()
    assert reverse("admin:articles_article_change", args=[copy.pk]) in html
    assert reverse("admin:articles_storycluster_change", args=[story.pk]) in html
    assert reverse("articles:article", args=[article.pk]) in html  # view on site
    data = form_values(page.content, "article_form")
    assert data["authors"].strip() == "Priya Castellanos"
    data["authors"] = "Dana Whitfield\n  Marcus   Ybarra \n\nDana Whitfield"

    assert editor_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.authors == ["Dana Whitfield", "Marcus Ybarra"]


def test_the_queue_holds_uncertain_auto_tags_newest_first(editor_client: Client, settings):
    settings.TRACKER_REVIEW_THRESHOLD = 0.8
    article = f.article()
    older = f.mention(article=article, entity=f.official(), confidence=0.3)
    newer = f.mention(article=article, entity=f.policy(), confidence=0.7)
    Mention.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    f.mention(article=article, entity=f.summit(), confidence=0.95)  # sure enough
    f.mention(article=article, entity=f.country("CA"), confidence=0.2, status="approved")
    gone = f.article(review_status=ReviewStatus.NOT_RELEVANT)
    f.mention(article=gone, entity=f.official(), confidence=0.1)

    response = editor_client.get(QUEUE)

    assert response.status_code == 200
    assert [m.pk for m in response.context["cl"].result_list] == [newer.pk, older.pk]
    assert "below 80% confidence" in response.content.decode()

    settings.TRACKER_REVIEW_THRESHOLD = 0.5
    assert [m.pk for m in editor_client.get(QUEUE).context["cl"].result_list] == [older.pk]


def _queue_action(client: Client, action: str, mentions: list[Mention], **extra: str):
    data = {"action": action, "_selected_action": [str(m.pk) for m in mentions], **extra}
    return client.post(QUEUE, data)


def test_bulk_approve_and_reject_record_who_when_and_what(editor_client: Client):
    article = f.article()
    a = f.mention(article=article, entity=f.official(name="Ken Salazar"), confidence=0.5)
    b = f.mention(article=article, entity=f.official(name="Roberto Velasco"), confidence=0.5)
    c = f.mention(article=article, entity=f.policy(name="CBP One"), confidence=0.5)

    approved = _queue_action(editor_client, "approve", [a, b])
    rejected = _queue_action(editor_client, "reject", [c])

    assert approved.status_code == rejected.status_code == 302
    statuses = dict(Mention.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "approved", b.pk: "approved", c.pk: "rejected"}
    assert Mention.objects.filter(reviewed_by__username="editor").count() == 3
    assert history(c) == ["editor: Status: Auto → Rejected (review queue)."]
    # The mention's own history page shows it.
    page = editor_client.get(reverse("admin:articles_mention_history", args=[c.pk]))
    assert "Rejected (review queue)" in page.content.decode()


def test_one_click_approves_a_single_tag_and_running_it_twice_changes_nothing(
    editor_client: Client,
):
    mention = f.mention(article=f.article(), entity=f.official(), confidence=0.4)
    url = reverse("admin:articles_mentionreview_decide", args=[mention.pk, "approved"])

    first = editor_client.post(url)
    second = editor_client.post(url, follow=True)

    mention.refresh_from_db()
    assert first.status_code == 302 and mention.status == MentionStatus.APPROVED
    assert "Already approved" in second.content.decode()
    assert len(history(mention)) == 1
    assert editor_client.get(url).status_code == 403  # decisions are POSTs only


def test_link_to_summit_asks_which_summit_then_links_the_articles(editor_client: Client):
    summit = f.summit(title="Mexico City Declaration talks")
    one, two = f.article(), f.article()
    m1 = f.mention(article=one, entity=f.official(), confidence=0.5)
    m2 = f.mention(article=two, entity=f.policy(), confidence=0.5)
    f.mention(article=two, entity=summit, status=MentionStatus.REJECTED, confidence=0.3)

    ask = _queue_action(editor_client, "link_to_summit", [m1, m2])
    assert ask.status_code == 200
    assert "Mexico City Declaration talks" in ask.content.decode()
    form = form_values(ask.content, "link-summit-form")
    form["summit"] = str(summit.pk)
    done = editor_client.post(QUEUE, form)

    assert done.status_code == 302
    links = dict(Mention.objects.filter(summit=summit).values_list("article_id", "status"))
    assert links == {one.pk: "editor_added", two.pk: "approved"}
    assert "Linked to summit “Mexico City Declaration talks" in history(one)[0]
    # Running it again adds nothing.
    editor_client.post(QUEUE, form)
    assert Mention.objects.filter(summit=summit).count() == 2


def test_link_to_summit_without_a_choice_asks_again(editor_client: Client):
    m = f.mention(article=f.article(), entity=f.official(), confidence=0.5)
    ask = _queue_action(editor_client, "link_to_summit", [m])
    form = form_values(ask.content, "link-summit-form")
    form["summit"] = ""

    again = editor_client.post(QUEUE, form)

    assert again.status_code == 200
    assert "This field is required" in again.content.decode()


def test_mark_not_relevant_takes_the_articles_tags_out_of_the_queue(editor_client: Client):
    article = f.article()
    m = f.mention(article=article, entity=f.official(), confidence=0.5)
    f.mention(article=article, entity=f.policy(), confidence=0.5)

    response = _queue_action(editor_client, "mark_not_relevant", [m])

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.review_status == ReviewStatus.NOT_RELEVANT
    assert list(editor_client.get(QUEUE).context["cl"].result_list) == []
    assert history(article) == ["editor: Review status: Not reviewed → Not relevant."]


def test_the_queue_runs_as_many_queries_for_40_rows_as_for_4(editor_client: Client):
    def queries(n: int) -> int:
        Mention.objects.all().delete()
        for _ in range(n):
            f.mention(article=f.article(), entity=f.official(), confidence=0.5)
        with CaptureQueriesContext(connection) as ctx:
            assert editor_client.get(QUEUE).status_code == 200
        return len(ctx.captured_queries)

    assert queries(40) == queries(4)


def test_a_queue_row_opens_the_mention_page(editor_client: Client):
    m = f.mention(article=f.article(), entity=f.official(), confidence=0.5)
    response = editor_client.get(reverse("admin:articles_mentionreview_change", args=[m.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_mention_change", args=[m.pk])


def test_the_feed_list_shows_health_and_articles_of_the_last_7_days(editor_client: Client):
    src = f.source(name="Border Times")
    feed = Feed.objects.create(
        url="https://bordertimes.example/feed",
        source=src,
        title="Border Times",
        last_success_at=datetime(2026, 1, 2, tzinfo=UTC),
        last_error="The site answered 503 (temporarily unavailable).",
        consecutive_failures=3,
    )
    fresh, old = f.article(source=src), f.article(source=src)
    ArticleFeed.objects.create(article=fresh, feed=feed)
    ArticleFeed.objects.create(article=old, feed=feed)
    ArticleFeed.objects.filter(article=old).update(first_seen_at=timezone.now() - timedelta(days=9))

    response = editor_client.get(reverse("admin:articles_feed_changelist"))
    failing = editor_client.get(reverse("admin:articles_feed_changelist"), {"health": "failing"})

    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert row.articles_7d == 1
    body = response.content.decode()
    assert "The site answered 503" in body
    assert "new entries fetched, last 7 days" in body.lower()
    assert list(failing.context["cl"].result_list) == [feed]
    # The count's link lists the same entries: those the feed first carried this week.
    link = reverse("admin:articles_article_changelist") + f"?feed={feed.pk}&fetched=7"
    assert link.replace("&", "&amp;") in body
    listed = editor_client.get(link)
    assert [a.pk for a in listed.context["cl"].result_list] == [fresh.pk]


def test_story_clusters_show_their_earliest_title_outlets_and_languages(editor_client: Client):
    story = f.cluster(size=3)
    wire = f.source(name="Border Wire")
    f.article(cluster=story, source=wire, title="Canada brings back visas",
              published_at=datetime(2024, 2, 29, 12, tzinfo=UTC))  # fmt: skip
    f.article(cluster=story, title="Canadá vuelve a exigir visa", language="es",
              published_at=datetime(2024, 2, 29, 15, tzinfo=UTC))  # fmt: skip
    f.article(cluster=story, title="Le Canada réimpose le visa", language="fr",
              published_at=datetime(2024, 3, 1, tzinfo=UTC))  # fmt: skip

    response = editor_client.get(reverse("admin:articles_storycluster_changelist"))
    page = editor_client.get(reverse("admin:articles_storycluster_change", args=[story.pk]))

    row = " ".join(
        lxml.html.fromstring(response.content.decode())
        .cssselect("#result_list tbody tr")[0]
        .text_content()
        .split()
    )
    assert "Canada brings back visas" in row and "Border Wire" in row and "en, es, fr" in row
    assert "Le Canada réimpose le visa" in page.content.decode()


def test_the_article_list_searches_words_and_counts_a_search_to_1000(editor_client: Client):
    hit = f.article(title="Asylum talks resume", body="Officials discussed asylum.")
    f.article(title="Trade talks", body="Tariffs.")

    response = editor_client.get(ARTICLES, {"q": "asylum"})

    assert [a.pk for a in response.context["cl"].result_list] == [hit.pk]
    assert response.context["cl"].paginator.COUNT_CAP == 1_000
    by_hash = editor_client.get(ARTICLES, {"q": hit.url_hash})
    assert [a.pk for a in by_hash.context["cl"].result_list] == [hit.pk]
