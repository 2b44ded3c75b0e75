"""A number the database raises with every committed change to what the pages count.

The pages' figures (coverage counts, co-mentions, result counts) read up to millions of rows,
and the home timeline renders every meeting; they are kept in the cache under a key holding
this number (articles.reading.figures), so a change to articles, tags, sources, story clusters
or the knowledge base makes everything computed before it unreachable. Triggers rather than code in the services, for the reason migration
0007 gives: tagging, review, admin, dedupe, COPY and cascades all write these tables, and only
the database sees every one of those writes.

PostgreSQL: a statement on a watched table notes its transaction once (a row in
tracker_data_change, and the transaction-local setting tracker.data_changed); a deferred
trigger on that row raises the number as the transaction commits. So the number becomes
visible together with the change (a figure is never stored under a number its data does not
have yet), its row is locked only while committing (after every other lock the transaction
takes: no lock-order deadlock with the clustering lock), and a bulk COPY costs one trigger
call per statement. Until it commits, the writing session sees tracker.data_changed and
reads figures afresh.

SQLite takes one writer at a time: a row trigger raises the number inside the transaction.
The tables are not models, so `flush` never resets the number under cached figures.
"""

from django.db import migrations

# What the pages show: articles, their tags, outlets and stories, and the knowledge base.
WATCHED = (
    "articles_article",
    "articles_mention",
    "articles_source",
    "articles_storycluster",
    "summits_country",
    "summits_formerslug",
    "summits_official",
    "summits_officialalias",
    "summits_officialcitation",
    "summits_policy",
    "summits_policy_countries",
    "summits_policyalias",
    "summits_policycitation",
    "summits_policyevent",
    "summits_roletenure",
    "summits_summit",
    "summits_summit_countries",
    "summits_summit_policies",
    "summits_summitcitation",
    "summits_summitparticipant",
)

POSTGRES_FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS tracker_data_version (
        id smallint PRIMARY KEY CHECK (id = 1),
        number bigint NOT NULL
    )
    """,
    "INSERT INTO tracker_data_version (id, number) VALUES (1, 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS tracker_data_change (xid xid8 PRIMARY KEY)",
    """
    CREATE OR REPLACE FUNCTION tracker_data_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('tracker.data_changed', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('tracker.data_changed', 'on', true);
            INSERT INTO tracker_data_change (xid) VALUES (pg_current_xact_id())
                ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tracker_data_version_raise() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tracker_data_version SET number = number + 1 WHERE id = 1;
        DELETE FROM tracker_data_change WHERE xid = NEW.xid;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tracker_data_version_raise ON tracker_data_change",
    """
    CREATE CONSTRAINT TRIGGER tracker_data_version_raise
        AFTER INSERT ON tracker_data_change
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION tracker_data_version_raise()
    """,
    *(
        sql
        for table in WATCHED
        for sql in (
            f"DROP TRIGGER IF EXISTS tracker_data_changed ON {table}",
            f"""
            CREATE TRIGGER tracker_data_changed
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION tracker_data_changed()
            """,
        )
    ),
]

POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS tracker_data_changed ON {table}" for table in WATCHED),
    "DROP TABLE IF EXISTS tracker_data_change",
    "DROP FUNCTION IF EXISTS tracker_data_version_raise()",
    "DROP FUNCTION IF EXISTS tracker_data_changed()",
    "DROP TABLE IF EXISTS tracker_data_version",
]

SQLITE_FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS tracker_data_version (
        id integer PRIMARY KEY CHECK (id = 1),
        number integer NOT NULL
    )
    """,
    "INSERT OR IGNORE INTO tracker_data_version (id, number) VALUES (1, 0)",
    *(
        f"""
        CREATE TRIGGER IF NOT EXISTS tracker_data_changed_{table}_{event.lower()}
        AFTER {event} ON {table} FOR EACH ROW
        BEGIN
            UPDATE tracker_data_version SET number = number + 1 WHERE id = 1;
        END
        """
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS tracker_data_changed_{table}_{event.lower()}"
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    "DROP TABLE IF EXISTS tracker_data_version",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No data version triggers written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_ingestion_write_indexes"),
        ("summits", "0006_i18n_names"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
