"""The page change journal (migration 0028) says whether an edit may change what a page
counts, so that the parts of a summit's, official's, country's or policy's page that count
its tags (per day, month, outlet, press country, story; the entities tagged with it) are kept
across edits of its articles that change none of that: a new title, text or excerpt, a
story's size.

An edited or deleted article's row also names the outlet it had (`source_id`), so that a
country's press coverage (articles of its outlets, migration 0025) can be kept across edits
of articles of other outlets: an article that left its outlets, or was deleted, is found by
it; one that is there now, by its article.

A new tag is journaled too, as its kind and entity, once per statement (PostgreSQL) or row
(SQLite): a kept part of an entity's page then needs no count of the entity's tags to notice
one (counting Mexico's 190,000 tags took longer than drawing most parts again). A tag added
to an article the same transaction edited before (which migration 0029 leaves to the
article's row) makes that row count.

Every row counts (`counted`, true by default: tags, outlets, deleted articles) but:
- an edited article whose outlet, date and story are the same (its tags carry the date, and
  a moved date also journals each of them, migration 0007);
- an edited or deleted story cluster (its size is shown by lists of articles only; an
  article that joins or leaves a story is an edit of that article).

PostgreSQL: the statement trigger on article updates also reads the new rows (a second
transition table) to compare. SQLite: the row trigger compares OLD and NEW.
"""

from importlib import import_module

from django.db import migrations

journal = import_module("articles.migrations.0028_pages_change_journal")

# What an article edit must change to count (compared as one row value).
COUNTED_COLUMNS = ("source_id", "published_at", "cluster_id")

_OLD = ", ".join(f"o.{column}" for column in COUNTED_COLUMNS)
_NEW = ", ".join(f"n.{column}" for column in COUNTED_COLUMNS)

POSTGRES_FORWARD = [
    "ALTER TABLE tracker_page_change ADD COLUMN IF NOT EXISTS counted boolean NOT NULL "
    "DEFAULT true",
    "ALTER TABLE tracker_page_change ADD COLUMN IF NOT EXISTS source_id integer",
    f"""
    CREATE OR REPLACE FUNCTION tracker_page_change_articles_article_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tracker_page_change (xid, article_id, source_id, counted)
            SELECT DISTINCT pg_current_xact_id(), o.id, o.source_id,
                n.id IS NULL OR ROW({_OLD}) IS DISTINCT FROM ROW({_NEW})
            FROM changed o LEFT JOIN changed_new n ON n.id = o.id;
        IF FOUND THEN
            PERFORM tracker_page_change_noted();
        END IF;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 - columns of this module
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_article_update ON articles_article",
    """
    CREATE TRIGGER tracker_page_change_articles_article_update
        AFTER UPDATE ON articles_article
        REFERENCING OLD TABLE AS changed NEW TABLE AS changed_new
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_page_change_articles_article_update()
    """,
    """
    CREATE OR REPLACE FUNCTION tracker_page_change_articles_article_delete() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tracker_page_change (xid, article_id, source_id)
            SELECT DISTINCT pg_current_xact_id(), id, source_id FROM changed;
        IF FOUND THEN
            PERFORM tracker_page_change_noted();
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tracker_page_change_articles_mention_insert() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tracker_page_change (xid, kind, entity_id)
            SELECT DISTINCT pg_current_xact_id(), kind,
                coalesce(country_id, official_id, policy_id, summit_id)
            FROM changed;
        IF FOUND THEN
            -- A tag added to an article this transaction edited first (an editor's form): the
            -- trigger of migration 0029 leaves it to the article's row, which now counts.
            UPDATE tracker_page_change SET counted = true
                WHERE xid = pg_current_xact_id() AND NOT counted
                    AND article_id IN (SELECT article_id FROM changed);
            PERFORM tracker_page_change_noted();
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_mention_insert ON articles_mention",
    """
    CREATE TRIGGER tracker_page_change_articles_mention_insert
        AFTER INSERT ON articles_mention
        REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_page_change_articles_mention_insert()
    """,
    *(
        f"""
        CREATE OR REPLACE FUNCTION tracker_page_change_articles_storycluster_{event}()
            RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO tracker_page_change (xid, cluster_id, counted)
                SELECT DISTINCT pg_current_xact_id(), id, false FROM changed;
            IF FOUND THEN
                PERFORM tracker_page_change_noted();
            END IF;
            RETURN NULL;
        END
        $$
        """  # noqa: S608 - names of this module
        for event in ("update", "delete")
    ),
]

# Migration 0028's functions and trigger, as they were.
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_mention_insert ON articles_mention",
    "DROP FUNCTION IF EXISTS tracker_page_change_articles_mention_insert()",
    *(
        sql
        for sql in journal.POSTGRES_FORWARD
        if any(
            name in sql
            for name in (
                "tracker_page_change_articles_article_update",
                "tracker_page_change_articles_article_delete",
                "tracker_page_change_articles_storycluster_update",
                "tracker_page_change_articles_storycluster_delete",
            )
        )
    ),
    "ALTER TABLE tracker_page_change DROP COLUMN IF EXISTS counted",
    "ALTER TABLE tracker_page_change DROP COLUMN IF EXISTS source_id",
]

_SQLITE_COUNTED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in COUNTED_COLUMNS)
# (trigger, event, values for version, article_id, cluster_id, kind, entity_id, everything,
# source_id, counted)
SQLITE_TRIGGERS = [
    (
        "articles_article",
        "UPDATE",
        f"OLD.id, NULL, NULL, NULL, 0, OLD.source_id, {_SQLITE_COUNTED}",
    ),
    ("articles_article", "DELETE", "OLD.id, NULL, NULL, NULL, 0, OLD.source_id, 1"),
    ("articles_storycluster", "UPDATE", "NULL, OLD.id, NULL, NULL, 0, NULL, 0"),
    ("articles_storycluster", "DELETE", "NULL, OLD.id, NULL, NULL, 0, NULL, 0"),
]

SQLITE_FORWARD = [
    "ALTER TABLE tracker_page_change ADD COLUMN counted boolean NOT NULL DEFAULT 1",
    "ALTER TABLE tracker_page_change ADD COLUMN source_id integer",
    *(
        sql
        for table, event, values in SQLITE_TRIGGERS
        for sql in (
            f"DROP TRIGGER IF EXISTS {journal._trigger_name(table, event)}",
            f"""
            CREATE TRIGGER {journal._trigger_name(table, event)}
            AFTER {event} ON {table} FOR EACH ROW
            BEGIN
                {journal._SQLITE_NUMBER}
                INSERT INTO tracker_page_change
                    (version, article_id, cluster_id, kind, entity_id, everything, source_id,
                    counted)
                    VALUES ({journal._SQLITE_VERSION}, {values});
            END
            """,  # noqa: S608 - table names and columns of this module
        )
    ),
]

_SQLITE_TAG = """
    CREATE TRIGGER tracker_page_change_articles_mention_insert
    AFTER INSERT ON articles_mention FOR EACH ROW
    BEGIN
        {number}
        INSERT INTO tracker_page_change (version, article_id, kind, entity_id, everything)
            VALUES ({version}, NEW.article_id, NEW.kind,
                coalesce(NEW.country_id, NEW.official_id, NEW.policy_id, NEW.summit_id), 0);
    END
"""
SQLITE_FORWARD += [
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_mention_insert",
    _SQLITE_TAG.format(number=journal._SQLITE_NUMBER, version=journal._SQLITE_VERSION),
]
tags_of_old_articles = import_module("articles.migrations.0029_pages_journal_tags_of_old_articles")

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_mention_insert",
    tags_of_old_articles.SQLITE_FORWARD[0].replace(
        "{journal}", tags_of_old_articles._SQLITE_JOURNAL.format(kept=journal.JOURNAL_KEPT)
    ),
    *(
        f"DROP TRIGGER IF EXISTS {journal._trigger_name(table, event)}"
        for table, event, _ in SQLITE_TRIGGERS
    ),
    *(
        sql
        for sql in journal.SQLITE_FORWARD
        if any(
            journal._trigger_name(table, event) in sql for table, event, _ in SQLITE_TRIGGERS
        )
    ),
    "ALTER TABLE tracker_page_change DROP COLUMN counted",
    "ALTER TABLE tracker_page_change DROP COLUMN source_id",
]


def forward(apps, schema_editor) -> None:
    journal._run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    journal._run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0029_pages_journal_tags_of_old_articles"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
