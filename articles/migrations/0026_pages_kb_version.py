"""A second number the database raises with every committed change to the knowledge base only.

The data version (migration 0024) rises with every ingestion batch, as articles and tags change.
Parts of the pages drawn from the knowledge base alone (a meeting's card on the home timeline:
its title, dates, place, countries, participants and policies) do not change with articles:
they are kept under this number instead (articles.reading.figures), and survive ingestion.

The same mechanism as 0024: on PostgreSQL a statement on a knowledge-base table notes its
transaction once (a row in tracker_kb_change, and the transaction-local setting
tracker.kb_changed), and a deferred trigger on that row raises the number as the transaction
commits; on SQLite a row trigger raises it inside the transaction. Every table named here is
also watched by the data version, so a session with uncommitted changes of its own sees
tracker.data_changed and reads afresh.
"""

from django.db import migrations

# The knowledge base's tables: what a meeting, an official, a policy or a country is.
WATCHED = (
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
    CREATE TABLE IF NOT EXISTS tracker_kb_version (
        id smallint PRIMARY KEY CHECK (id = 1),
        number bigint NOT NULL
    )
    """,
    "INSERT INTO tracker_kb_version (id, number) VALUES (1, 0) ON CONFLICT DO NOTHING",
    "CREATE TABLE IF NOT EXISTS tracker_kb_change (xid xid8 PRIMARY KEY)",
    """
    CREATE OR REPLACE FUNCTION tracker_kb_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('tracker.kb_changed', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('tracker.kb_changed', 'on', true);
            INSERT INTO tracker_kb_change (xid) VALUES (pg_current_xact_id())
                ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION tracker_kb_version_raise() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tracker_kb_version SET number = number + 1 WHERE id = 1;
        DELETE FROM tracker_kb_change WHERE xid = NEW.xid;
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS tracker_kb_version_raise ON tracker_kb_change",
    """
    CREATE CONSTRAINT TRIGGER tracker_kb_version_raise
        AFTER INSERT ON tracker_kb_change
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION tracker_kb_version_raise()
    """,
    *(
        sql
        for table in WATCHED
        for sql in (
            f"DROP TRIGGER IF EXISTS tracker_kb_changed ON {table}",
            f"""
            CREATE TRIGGER tracker_kb_changed
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION tracker_kb_changed()
            """,
        )
    ),
]

POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS tracker_kb_changed ON {table}" for table in WATCHED),
    "DROP TABLE IF EXISTS tracker_kb_change",
    "DROP FUNCTION IF EXISTS tracker_kb_version_raise()",
    "DROP FUNCTION IF EXISTS tracker_kb_changed()",
    "DROP TABLE IF EXISTS tracker_kb_version",
]

SQLITE_FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS tracker_kb_version (
        id integer PRIMARY KEY CHECK (id = 1),
        number integer NOT NULL
    )
    """,
    "INSERT OR IGNORE INTO tracker_kb_version (id, number) VALUES (1, 0)",
    *(
        f"""
        CREATE TRIGGER IF NOT EXISTS tracker_kb_changed_{table}_{event.lower()}
        AFTER {event} ON {table} FOR EACH ROW
        BEGIN
            UPDATE tracker_kb_version SET number = number + 1 WHERE id = 1;
        END
        """
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS tracker_kb_changed_{table}_{event.lower()}"
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    "DROP TABLE IF EXISTS tracker_kb_version",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No knowledge-base version triggers written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0025_pages_press_indexes"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
