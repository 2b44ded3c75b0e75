"""The page change journal (migration 0028) also notes a tag added to an article committed
earlier, so that an entity's co-mentions (the other entities tagged on its articles) can be
kept across writes that do not touch them.

An entity's kept parts notice its own new tags by counting them. Another entity's new tag
changes its co-mentions only on an article already tagged with it, and:
- on an article written in the same transaction (ingestion writes an article and its tags
  together), the entity's own tag on it is new as well, and counted: nothing is journaled;
- on an article committed earlier, no count moves: the article is journaled.
A tag moved to another article journals that article too (the update journal of 0028 names
the article it left).

PostgreSQL: the row trigger that already reads the tag's article for its date
(articles_mention_published_at, migration 0007) compares the article row's xmin with the
transaction's id. A row this transaction wrote has its id (or a savepoint's: journaled, which
costs a redraw, never a stale page); an article this transaction updated is journaled by
0028. One row per article and transaction.

SQLite has no transaction ids: every new tag journals its article (one writer at a time, no
ingestion at scale).
"""

from django.db import migrations

# Journal numbers kept, as in migration 0028 (SQLite prunes in each trigger).
JOURNAL_KEPT = 20_000

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION tracker_mention_published_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    written xid;
BEGIN
    SELECT published_at, xmin INTO NEW.published_at, written
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
"""

# Migration 0007's function, as it was.
POSTGRES_BACKWARD = """
CREATE OR REPLACE FUNCTION tracker_mention_published_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.published_at := (SELECT published_at FROM articles_article WHERE id = NEW.article_id);
    RETURN NEW;
END
$$
"""

_SQLITE_JOURNAL = """
    UPDATE tracker_page_version
        SET number = number + 1, pruned = max(pruned, number + 1 - {kept})
        WHERE id = 1;
    DELETE FROM tracker_page_change
        WHERE version <= (SELECT number FROM tracker_page_version WHERE id = 1) - {kept};
    INSERT INTO tracker_page_change (version, article_id, everything)
        VALUES ((SELECT number FROM tracker_page_version WHERE id = 1), NEW.article_id, 0);
"""

SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS tracker_page_change_articles_mention_insert
    AFTER INSERT ON articles_mention FOR EACH ROW
    BEGIN
        {journal}
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tracker_page_change_articles_mention_moved
    AFTER UPDATE OF article_id ON articles_mention FOR EACH ROW
    WHEN NEW.article_id IS NOT OLD.article_id
    BEGIN
        {journal}
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_mention_insert",
    "DROP TRIGGER IF EXISTS tracker_page_change_articles_mention_moved",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No page change journal written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    journal = _SQLITE_JOURNAL.format(kept=JOURNAL_KEPT)
    sqlite = [sql.replace("{journal}", journal) for sql in SQLITE_FORWARD]
    _run(schema_editor, {"postgresql": [POSTGRES_FORWARD], "sqlite": sqlite})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0028_pages_change_journal"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
