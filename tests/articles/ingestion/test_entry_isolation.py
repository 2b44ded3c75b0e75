"""One bad entry never costs the others: each entry is stored and analysed on its own."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from articles.ingestion.services import source_for_url
from articles.models import Article, Feed, FeedEntryError, Mention, StoryCluster
from tests.articles.ingestion.feeds import RSS, rss

pytestmark = pytest.mark.django_db

REFUSAL = "refused by the test trigger"


def _refuse_tags_of(title_part: str) -> None:
    """A real database refusal in the middle of an entry: after its article row is written
    and clustered, when its tags are."""
    if connection.vendor == "postgresql":
        statements = [
            f"""CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF (SELECT title FROM articles_article WHERE id = NEW.article_id)
                        LIKE '%{title_part}%' THEN
                    RAISE EXCEPTION '{REFUSAL}';
                END IF;
                RETURN NEW;
            END $$""",
            "CREATE TRIGGER test_refuse BEFORE INSERT ON articles_mention "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse()",
        ]
    else:
        statements = [
            f"CREATE TRIGGER test_refuse BEFORE INSERT ON articles_mention "
            f"WHEN (SELECT title FROM articles_article WHERE id = NEW.article_id) "
            f"LIKE '%{title_part}%' BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _allow_again() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse" + (
            " ON articles_mention" if connection.vendor == "postgresql" else ""
        ))  # fmt: skip


def _ingest(feed: Feed) -> str:
    out = StringIO()
    call_command("ingest", "--feed", str(feed.pk), "--feeds-only", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_a_crash_in_one_entry_is_recorded_against_it_and_the_others_are_stored(
    http_server, reference
):
    items = [
        {"title": f"Mexico and Canada talk migration, part {n}",
         "link": f"https://wire.example/{n}", "guid": f"g{n}"}
        for n in range(5)
    ]  # fmt: skip
    items[2]["title"] = "Poisoned: Mexico and Canada talk migration"
    http_server.add("/feed.xml", body=rss(*items), headers=RSS)
    feed = Feed.objects.create(
        url=http_server.url("/feed.xml"), source=source_for_url(url="https://wire.example/")
    )
    _refuse_tags_of("Poisoned")
    line = _ingest(feed)
    assert line.startswith("feeds: 1 ok, 0 failed; entries: 4 new"), line
    assert "1 entry failed" in line
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0 and feed.active
    # The failing entry left nothing half-written: no article, no cluster, no tags.
    assert not Article.objects.filter(guid="g2").exists()
    assert Article.objects.count() == 4
    assert StoryCluster.objects.count() == 4
    assert Article.objects.filter(cluster__isnull=False, tagged_at__isnull=False).count() == 4
    assert Mention.objects.filter(article__guid="g2").count() == 0
    error = FeedEntryError.objects.get(feed=feed)
    assert error.entry_guid == "g2" and error.entry_link == "https://wire.example/2"
    assert REFUSAL in error.message
    assert "1 entry could not be stored" in feed.last_error

    _allow_again()
    line = _ingest(feed)
    assert "entries: 1 new, 0 updated" in line, line
    assert Article.objects.get(guid="g2").cluster_id is not None
    assert not FeedEntryError.objects.exists()
    feed.refresh_from_db()
    assert feed.last_error == ""
