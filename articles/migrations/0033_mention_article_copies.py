"""Mentions also carry their article's outlet and story (`article_source`, `article_cluster`),
kept equal by the database as their copy of its date is (migrations 0007, 0029, 0030).

A summit's coverage by outlet, by press country and by story, and a country's press coverage
of the talks, then read one partial index on mentions instead of joining every tagged article
(on the 200,000-article bench database, a busy meeting's outlets took 350 ms and Mexico's
press per month 460 ms). The outlet's country is not copied: it is read from the outlet (a
few dozen rows), so an editor's edit of an outlet needs nothing kept in step.

- A mention takes the three values from its article when inserted without a date or an
  outlet, when moved to another article, and whenever something writes one of the columns
  (Django's save() writes its stale in-memory values). The function of migration 0029
  reads them all at once, with its journal of tags on old articles as it was.
- A mention inserted with its date given (ingestion, migration 0030) gives the other two as
  well; the check once per statement compares all three with the article and sets a row
  that differs again from it.
- An article whose date, outlet or story changes passes them to its mentions.

SQLite: the triggers of 0007 correct the row after the write, now for all three.

The backfill writes every mention once; the journal's update trigger (0028), which would
write a row for each, is disabled meanwhile: no value a page shows changes.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

# The article's columns copied, and the mention's columns they are copied to.
ARTICLE = ("published_at", "source_id", "cluster_id")
MENTION = ("published_at", "article_source_id", "article_cluster_id")

_ROW_MENTION = "ROW(" + ", ".join(f"m.{c}" for c in MENTION) + ")"
_ROW_ARTICLE = "ROW(" + ", ".join(f"a.{c}" for c in ARTICLE) + ")"

POSTGRES_BACKFILL = [
    "ALTER TABLE articles_mention DISABLE TRIGGER tracker_page_change_articles_mention_update",
    """
    UPDATE articles_mention m
        SET article_source_id = a.source_id, article_cluster_id = a.cluster_id
        FROM articles_article a
        WHERE a.id = m.article_id
    """,
    "ALTER TABLE articles_mention ENABLE TRIGGER tracker_page_change_articles_mention_update",
]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION tracker_mention_published_at() RETURNS trigger
        LANGUAGE plpgsql AS $$
    DECLARE
        written xid;
    BEGIN
        SELECT published_at, source_id, cluster_id, xmin
            INTO NEW.published_at, NEW.article_source_id, NEW.article_cluster_id, written
            FROM articles_article WHERE id = NEW.article_id;
        IF (TG_OP = 'INSERT' AND FOUND AND written <> pg_current_xact_id()::xid)
            OR (TG_OP = 'UPDATE' AND NEW.article_id IS DISTINCT FROM OLD.article_id) THEN
            INSERT INTO tracker_page_change (xid, article_id)
                SELECT pg_current_xact_id(), NEW.article_id
                WHERE NOT EXISTS (
                    SELECT 1 FROM tracker_page_change
                    WHERE xid = pg_current_xact_id() AND article_id = NEW.article_id
                );
            PERFORM tracker_page_change_noted();
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS articles_mention_published_at ON articles_mention",
    """
    CREATE TRIGGER articles_mention_published_at
        BEFORE UPDATE OF article_id, published_at, article_source_id, article_cluster_id
        ON articles_mention
        FOR EACH ROW EXECUTE FUNCTION tracker_mention_published_at()
    """,
    # A writer that gives the date alone (an outlet is never empty) takes all three here,
    # before the row is written, rather than by the statement check's update, which would
    # journal the tag as edited.
    "DROP TRIGGER IF EXISTS articles_mention_published_at_insert ON articles_mention",
    """
    CREATE TRIGGER articles_mention_published_at_insert
        BEFORE INSERT ON articles_mention
        FOR EACH ROW WHEN (NEW.published_at IS NULL OR NEW.article_source_id IS NULL)
        EXECUTE FUNCTION tracker_mention_published_at()
    """,
    f"""
    CREATE OR REPLACE FUNCTION tracker_mention_dates_given() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM added m JOIN articles_article a ON a.id = m.article_id
            WHERE m.published_at IS NOT NULL
                AND ({_ROW_MENTION} IS DISTINCT FROM {_ROW_ARTICLE}
                     OR a.xmin <> pg_current_xact_id()::xid)
        ) THEN
            RETURN NULL;
        END IF;
        -- As the row trigger does for a mention of an article committed earlier (0029).
        INSERT INTO tracker_page_change (xid, article_id)
            SELECT DISTINCT pg_current_xact_id(), m.article_id
            FROM added m JOIN articles_article a ON a.id = m.article_id
            WHERE m.published_at IS NOT NULL AND a.xmin <> pg_current_xact_id()::xid
                AND NOT EXISTS (
                    SELECT 1 FROM tracker_page_change c
                    WHERE c.xid = pg_current_xact_id() AND c.article_id = m.article_id
                );
        IF FOUND THEN
            PERFORM tracker_page_change_noted();
        END IF;
        -- The row trigger sets the date, outlet and story again from the article.
        UPDATE articles_mention SET published_at = NULL
            FROM added m JOIN articles_article a ON a.id = m.article_id
            WHERE articles_mention.id = m.id AND m.published_at IS NOT NULL
                AND {_ROW_MENTION} IS DISTINCT FROM {_ROW_ARTICLE};
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 - columns of this module
    """
    CREATE OR REPLACE FUNCTION tracker_article_published_at() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE articles_mention
            SET published_at = NEW.published_at, article_source_id = NEW.source_id,
                article_cluster_id = NEW.cluster_id
            WHERE article_id = NEW.id
                AND ROW(published_at, article_source_id, article_cluster_id)
                    IS DISTINCT FROM ROW(NEW.published_at, NEW.source_id, NEW.cluster_id);
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS articles_article_published_at ON articles_article",
    """
    CREATE TRIGGER articles_article_published_at
        AFTER UPDATE OF published_at, source_id, cluster_id ON articles_article
        FOR EACH ROW WHEN (
            ROW(OLD.published_at, OLD.source_id, OLD.cluster_id)
                IS DISTINCT FROM ROW(NEW.published_at, NEW.source_id, NEW.cluster_id)
        )
        EXECUTE FUNCTION tracker_article_published_at()
    """,
]

dates_given = import_module("articles.migrations.0030_mention_dates_given")
tags_of_old_articles = import_module("articles.migrations.0029_pages_journal_tags_of_old_articles")
published = import_module("articles.migrations.0007_mention_published_at")

# The functions and triggers as 0007, 0029 and 0030 left them.
POSTGRES_BACKWARD = [
    tags_of_old_articles.POSTGRES_FORWARD,
    *(
        sql
        for sql in dates_given.POSTGRES_FORWARD
        if "OR REPLACE FUNCTION tracker_mention_dates_given()" in sql
        or "articles_mention_published_at_insert" in sql
    ),
    "DROP TRIGGER IF EXISTS articles_mention_published_at ON articles_mention",
    """
    CREATE TRIGGER articles_mention_published_at
        BEFORE UPDATE OF article_id, published_at ON articles_mention
        FOR EACH ROW EXECUTE FUNCTION tracker_mention_published_at()
    """,
    """
    CREATE OR REPLACE FUNCTION tracker_article_published_at() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE articles_mention SET published_at = NEW.published_at
            WHERE article_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS articles_article_published_at ON articles_article",
    """
    CREATE TRIGGER articles_article_published_at
        AFTER UPDATE OF published_at ON articles_article
        FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
        EXECUTE FUNCTION tracker_article_published_at()
    """,
]

# SQLite triggers cannot assign NEW: they correct the row just written, as in 0007.
_SQLITE_ARTICLE = {
    column: f"(SELECT {source} FROM articles_article WHERE id = NEW.article_id)"
    for column, source in zip(MENTION, ARTICLE, strict=True)
}
_SQLITE_DIFFERS = " OR ".join(f"NEW.{c} IS NOT {value}" for c, value in _SQLITE_ARTICLE.items())
_SQLITE_SET = ", ".join(f"{c} = {value}" for c, value in _SQLITE_ARTICLE.items())
SQLITE_BACKFILL = [
    """
    UPDATE articles_mention SET
        article_source_id = (
            SELECT source_id FROM articles_article WHERE id = articles_mention.article_id),
        article_cluster_id = (
            SELECT cluster_id FROM articles_article WHERE id = articles_mention.article_id)
    """,
]
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS articles_mention_published_at_insert",
    f"""
    CREATE TRIGGER articles_mention_published_at_insert
    AFTER INSERT ON articles_mention
    FOR EACH ROW WHEN {_SQLITE_DIFFERS}
    BEGIN
        UPDATE articles_mention SET {_SQLITE_SET} WHERE id = NEW.id;
    END
    """,
    "DROP TRIGGER IF EXISTS articles_mention_published_at_update",
    f"""
    CREATE TRIGGER articles_mention_published_at_update
    AFTER UPDATE OF article_id, published_at, article_source_id, article_cluster_id
    ON articles_mention
    FOR EACH ROW WHEN {_SQLITE_DIFFERS}
    BEGIN
        UPDATE articles_mention SET {_SQLITE_SET} WHERE id = NEW.id;
    END
    """,
    "DROP TRIGGER IF EXISTS articles_article_published_at",
    """
    CREATE TRIGGER articles_article_published_at
    AFTER UPDATE OF published_at, source_id, cluster_id ON articles_article
    FOR EACH ROW WHEN OLD.published_at IS NOT NEW.published_at
        OR OLD.source_id IS NOT NEW.source_id OR OLD.cluster_id IS NOT NEW.cluster_id
    BEGIN
        UPDATE articles_mention
            SET published_at = NEW.published_at, article_source_id = NEW.source_id,
                article_cluster_id = NEW.cluster_id
            WHERE article_id = NEW.id AND (published_at IS NOT NEW.published_at
                OR article_source_id IS NOT NEW.source_id
                OR article_cluster_id IS NOT NEW.cluster_id);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_article_published_at",
    "DROP TRIGGER IF EXISTS articles_mention_published_at_update",
    "DROP TRIGGER IF EXISTS articles_mention_published_at_insert",
    *published.SQLITE_FORWARD[1:],
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No mention copy triggers written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def backfill(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKFILL, "sqlite": SQLITE_BACKFILL})


def forward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


def analyze(apps, schema_editor) -> None:
    # The planner's statistics of the new columns, so that the new indexes are chosen at once.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_mention")


VISIBLE = Q(("kind", "summit"), ("status__in", ("auto", "approved", "editor_added")))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0032_search_words_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="mention", name="mention_summit_pub_idx"),
        migrations.AddField(
            model_name="mention",
            name="article_cluster",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="articles.storycluster",
            ),
        ),
        migrations.AddField(
            model_name="mention",
            name="article_source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="articles.source",
            ),
        ),
        # The table is locked from the first column added to the commit: no mention is written
        # between the backfill and the triggers, which would each read the article again.
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=VISIBLE,
                fields=["summit", "published_at", "article"],
                include=("article_source", "article_cluster"),
                name="mention_summit_pub_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=VISIBLE,
                fields=["article_source", "published_at", "article"],
                name="mention_summit_press_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=False),
    ]
