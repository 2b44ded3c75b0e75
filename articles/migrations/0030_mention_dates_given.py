"""A mention inserted with its article's date already given skips the per-row trigger that
looks the date up (migrations 0007 and 0029); one check per statement keeps it right.

Ingestion inserts its new articles and their mentions in one transaction and knows each
article's date: the row trigger's look-up, a PL/pgSQL call per row, was a third of the
database's cost of a mention. Now, on PostgreSQL:
- a mention inserted without a date (every other writer: the ORM, the admin, generate_data's
  COPY) takes its article's as before, journal included (0029);
- after each statement that inserted mentions with a date given, one query compares them
  with their articles. A date that differs is set again from the article (an update of the
  column, which the row trigger answers), and an article committed earlier is journaled as
  the row trigger would have journaled it. Ingestion gives only the dates of articles it
  inserted in the same transaction, so neither happens on its path.
Updates of a mention's article or date go through the row trigger as before.

SQLite's triggers (0007) already compare a new mention's date with its article's after the
insert and correct it only when it differs: nothing to change there.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "DROP TRIGGER IF EXISTS articles_mention_published_at ON articles_mention",
    """
    CREATE TRIGGER articles_mention_published_at
        BEFORE UPDATE OF article_id, published_at ON articles_mention
        FOR EACH ROW EXECUTE FUNCTION tracker_mention_published_at()
    """,
    "DROP TRIGGER IF EXISTS articles_mention_published_at_insert ON articles_mention",
    """
    CREATE TRIGGER articles_mention_published_at_insert
        BEFORE INSERT ON articles_mention
        FOR EACH ROW WHEN (NEW.published_at IS NULL)
        EXECUTE FUNCTION tracker_mention_published_at()
    """,
    """
    CREATE OR REPLACE FUNCTION tracker_mention_dates_given() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM added m JOIN articles_article a ON a.id = m.article_id
            WHERE m.published_at IS NOT NULL
                AND (m.published_at IS DISTINCT FROM a.published_at
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
        -- The row trigger sets the date again from the article.
        UPDATE articles_mention SET published_at = NULL
            FROM added m JOIN articles_article a ON a.id = m.article_id
            WHERE articles_mention.id = m.id AND m.published_at IS NOT NULL
                AND m.published_at IS DISTINCT FROM a.published_at;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS articles_mention_dates_given ON articles_mention",
    """
    CREATE TRIGGER articles_mention_dates_given
        AFTER INSERT ON articles_mention
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_mention_dates_given()
    """,
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_mention_dates_given ON articles_mention",
    "DROP FUNCTION IF EXISTS tracker_mention_dates_given()",
    "DROP TRIGGER IF EXISTS articles_mention_published_at_insert ON articles_mention",
    "DROP TRIGGER IF EXISTS articles_mention_published_at ON articles_mention",
    """
    CREATE TRIGGER articles_mention_published_at
        BEFORE INSERT OR UPDATE OF article_id, published_at ON articles_mention
        FOR EACH ROW EXECUTE FUNCTION tracker_mention_published_at()
    """,
]


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRES_FORWARD)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0029_pages_journal_tags_of_old_articles"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
