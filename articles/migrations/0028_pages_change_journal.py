"""A journal of the edits that may change what a summit's, official's, country's or policy's
page shows, so that a batch of new articles about one meeting keeps every other page.

The data version (migration 0024) rises with every write, so after each ingestion batch every
kept page was drawn again. A part of such a page that depends only on the entity's own tags
and on the articles they point to is kept instead under (articles.reading.figures):
- the knowledge-base version (migration 0026);
- the number of the entity's visible tags, read at request time from its partial index
  (mention_<kind>_pub_idx): a new tag changes it;
- this journal: every other change that could reach such a part, numbered as it commits.
  An article edited (title, date, outlet, story, text…), a tag edited or removed (an editor's
  decision, a date copied from its article), a story whose size changed, and any edit of an
  outlet (its name, country and time zone are on every page: "everything").

Only updates, deletes and truncates are journaled: inserts of articles and tags, the
ingestion write path, carry no trigger of this migration (a new tag is counted instead, and a
new article shows on an entity's page only through a new tag of that entity).

PostgreSQL: statement triggers with transition tables write one row per changed article, tag
or story, and note their transaction once (tracker_page_change_txn, the setting
tracker.page_changed); a deferred trigger numbers the transaction's rows as it commits, under
the lock of the journal's counter, so numbers become visible in order, together with the
rows. Rows older than JOURNAL_KEPT numbers are deleted; `pruned` says up to which number, and
a part kept from before it is drawn again.

SQLite takes one writer at a time: row triggers raise the number and write the row inside
the transaction.
"""

from django.db import migrations

# Journal numbers kept: a part kept longer ago than this many committed edits is drawn again.
JOURNAL_KEPT = 20_000

TABLE = """
CREATE TABLE IF NOT EXISTS tracker_page_change (
    id {serial} PRIMARY KEY,
    xid {xid},
    version bigint,
    article_id integer,
    cluster_id integer,
    kind varchar(16),
    entity_id integer,
    everything boolean NOT NULL DEFAULT false
)
"""
COUNTER = """
CREATE TABLE IF NOT EXISTS tracker_page_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    number bigint NOT NULL,
    pruned bigint NOT NULL
)
"""

# (table, event, rows written from the transition table `changed`)
POSTGRES_JOURNALED = [
    ("articles_article", "UPDATE", "SELECT id, NULL::integer, NULL, NULL::integer FROM changed"),
    ("articles_article", "DELETE", "SELECT id, NULL::integer, NULL, NULL::integer FROM changed"),
    (
        "articles_mention",
        "UPDATE",
        "SELECT article_id, NULL::integer, kind, "
        "coalesce(country_id, official_id, policy_id, summit_id) FROM changed",
    ),
    (
        "articles_mention",
        "DELETE",
        "SELECT article_id, NULL::integer, kind, "
        "coalesce(country_id, official_id, policy_id, summit_id) FROM changed",
    ),
    (
        "articles_storycluster",
        "UPDATE",
        "SELECT NULL::integer, id, NULL, NULL::integer FROM changed",
    ),
    (
        "articles_storycluster",
        "DELETE",
        "SELECT NULL::integer, id, NULL, NULL::integer FROM changed",
    ),
]
# Statements whose rows are not read one by one: they change everything.
POSTGRES_EVERYTHING = [
    ("articles_article", "TRUNCATE"),
    ("articles_mention", "TRUNCATE"),
    ("articles_storycluster", "TRUNCATE"),
    ("articles_source", "UPDATE"),
    ("articles_source", "DELETE"),
    ("articles_source", "TRUNCATE"),
]


def _trigger_name(table: str, event: str) -> str:
    return f"tracker_page_change_{table}_{event.lower()}"


POSTGRES_FORWARD = [
    TABLE.format(serial="bigserial", xid="xid8"),
    "CREATE INDEX IF NOT EXISTS tracker_page_change_version_idx ON tracker_page_change (version)",
    "CREATE INDEX IF NOT EXISTS tracker_page_change_xid_idx ON tracker_page_change (xid)",
    COUNTER,
    "INSERT INTO tracker_page_version (id, number, pruned) VALUES (1, 0, 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS tracker_page_change_txn (xid xid8 PRIMARY KEY)",
    """
    CREATE OR REPLACE FUNCTION tracker_page_change_noted() RETURNS void
        LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('tracker.page_changed', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('tracker.page_changed', 'on', true);
            INSERT INTO tracker_page_change_txn (xid) VALUES (pg_current_xact_id())
                ON CONFLICT DO NOTHING;
        END IF;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION tracker_page_change_number() RETURNS trigger
        LANGUAGE plpgsql AS $$
    DECLARE
        n bigint;
    BEGIN
        UPDATE tracker_page_version
            SET number = number + 1,
                pruned = greatest(pruned, number + 1 - {JOURNAL_KEPT})
            WHERE id = 1
            RETURNING number INTO n;
        UPDATE tracker_page_change SET version = n, xid = NULL WHERE xid = NEW.xid;
        DELETE FROM tracker_page_change WHERE version <= n - {JOURNAL_KEPT};
        DELETE FROM tracker_page_change_txn WHERE xid = NEW.xid;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 - a constant of this module
    "DROP TRIGGER IF EXISTS tracker_page_change_number ON tracker_page_change_txn",
    """
    CREATE CONSTRAINT TRIGGER tracker_page_change_number
        AFTER INSERT ON tracker_page_change_txn
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION tracker_page_change_number()
    """,
    *(
        sql
        for table, event, rows in POSTGRES_JOURNALED
        for sql in (
            f"""
            CREATE OR REPLACE FUNCTION {_trigger_name(table, event)}() RETURNS trigger
                LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO tracker_page_change (xid, article_id, cluster_id, kind, entity_id)
                    SELECT DISTINCT pg_current_xact_id(), r.* FROM ({rows}) AS r;
                IF FOUND THEN
                    PERFORM tracker_page_change_noted();
                END IF;
                RETURN NULL;
            END
            $$
            """,  # noqa: S608 - table names and columns of this module
            f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}",
            f"""
            CREATE TRIGGER {_trigger_name(table, event)}
                AFTER {event} ON {table}
                REFERENCING {"NEW" if event == "INSERT" else "OLD"} TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION {_trigger_name(table, event)}()
            """,
        )
    ),
    """
    CREATE OR REPLACE FUNCTION tracker_page_change_everything() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tracker_page_change (xid, everything) VALUES (pg_current_xact_id(), true);
        PERFORM tracker_page_change_noted();
        RETURN NULL;
    END
    $$
    """,
    *(
        sql
        for table, event in POSTGRES_EVERYTHING
        for sql in (
            f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}",
            f"""
            CREATE TRIGGER {_trigger_name(table, event)}
                AFTER {event} ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION tracker_page_change_everything()
            """,
        )
    ),
]

POSTGRES_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}"
        for table, event, _ in POSTGRES_JOURNALED
    ),
    *(
        f"DROP FUNCTION IF EXISTS {_trigger_name(table, event)}()"
        for table, event, _ in POSTGRES_JOURNALED
    ),
    *(
        f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}"
        for table, event in POSTGRES_EVERYTHING
    ),
    "DROP FUNCTION IF EXISTS tracker_page_change_everything()",
    "DROP TABLE IF EXISTS tracker_page_change_txn",
    "DROP FUNCTION IF EXISTS tracker_page_change_number()",
    "DROP FUNCTION IF EXISTS tracker_page_change_noted()",
    "DROP TABLE IF EXISTS tracker_page_version",
    "DROP TABLE IF EXISTS tracker_page_change",
]

_SQLITE_NUMBER = f"""
    UPDATE tracker_page_version
        SET number = number + 1, pruned = max(pruned, number + 1 - {JOURNAL_KEPT})
        WHERE id = 1;
    DELETE FROM tracker_page_change
        WHERE version <= (SELECT number FROM tracker_page_version WHERE id = 1) - {JOURNAL_KEPT};
"""  # noqa: S608 - a constant of this module
_SQLITE_VERSION = "(SELECT number FROM tracker_page_version WHERE id = 1)"
# (table, event, values written for OLD)
SQLITE_JOURNALED = [
    ("articles_article", "UPDATE", "OLD.id, NULL, NULL, NULL, 0"),
    ("articles_article", "DELETE", "OLD.id, NULL, NULL, NULL, 0"),
    (
        "articles_mention",
        "UPDATE",
        "OLD.article_id, NULL, OLD.kind, "
        "coalesce(OLD.country_id, OLD.official_id, OLD.policy_id, OLD.summit_id), 0",
    ),
    (
        "articles_mention",
        "DELETE",
        "OLD.article_id, NULL, OLD.kind, "
        "coalesce(OLD.country_id, OLD.official_id, OLD.policy_id, OLD.summit_id), 0",
    ),
    ("articles_storycluster", "UPDATE", "NULL, OLD.id, NULL, NULL, 0"),
    ("articles_storycluster", "DELETE", "NULL, OLD.id, NULL, NULL, 0"),
    ("articles_source", "UPDATE", "NULL, NULL, NULL, NULL, 1"),
    ("articles_source", "DELETE", "NULL, NULL, NULL, NULL, 1"),
]

SQLITE_FORWARD = [
    TABLE.format(serial="integer", xid="integer"),
    "CREATE INDEX IF NOT EXISTS tracker_page_change_version_idx ON tracker_page_change (version)",
    COUNTER,
    "INSERT OR IGNORE INTO tracker_page_version (id, number, pruned) VALUES (1, 0, 0)",
    *(
        f"""
        CREATE TRIGGER IF NOT EXISTS {_trigger_name(table, event)}
        AFTER {event} ON {table} FOR EACH ROW
        BEGIN
            {_SQLITE_NUMBER}
            INSERT INTO tracker_page_change
                (version, article_id, cluster_id, kind, entity_id, everything)
                VALUES ({_SQLITE_VERSION}, {values});
        END
        """  # noqa: S608 - table names and columns of this module
        for table, event, values in SQLITE_JOURNALED
    ),
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)}"
        for table, event, _ in SQLITE_JOURNALED
    ),
    "DROP TABLE IF EXISTS tracker_page_version",
    "DROP TABLE IF EXISTS tracker_page_change",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No page change journal written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0027_ingestion_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
