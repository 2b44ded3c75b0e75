"""Visible tags per entity and month, kept by the database as deltas (MentionMonth), and an
index per kind of an entity's visible tags by article.

On the 200,000-article bench database an entity's coverage per month read every one of its
tags (Mexico's 190,000: 70 to 140 ms) and the home timeline's number of articles per meeting
every meeting tag (60 to 140 ms) after each write; the sums of a few hundred rows take a
millisecond. An entity's latest 5,000 articles (its co-mentions' sample) were found by sorting
all its tags (45 ms for the busiest official); the new indexes are read backwards and stop.

- PostgreSQL: statement triggers with transition tables append one row per (kind, entity,
  month) a statement changes, with the net change; an update nets its old rows against its
  new ones (a status change, a moved tag, an article's new date passed on by the triggers of
  0033). Writers only insert: no lock is taken on rows other writers also need.
- SQLite: row triggers append +1 and -1 rows; its writers take turns anyway.

The backfill and the triggers are made in one transaction, which locks the tags from the
first trigger made to the commit: no tag is written between them.
"""

import importlib

from django.conf import settings
from django.db import migrations, models

VISIBLE = "('auto', 'approved', 'editor_added')"
ENTITY = "coalesce(country_id, official_id, policy_id, summit_id)"
PG_MONTH = "date_trunc('month', published_at AT TIME ZONE 'UTC')::date"

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION tracker_mention_month() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
                SELECT kind, {ENTITY}, {PG_MONTH}, count(*) FROM added
                WHERE status IN {VISIBLE} GROUP BY 1, 2, 3;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
                SELECT kind, {ENTITY}, {PG_MONTH}, -count(*) FROM removed
                WHERE status IN {VISIBLE} GROUP BY 1, 2, 3;
        ELSE
            INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
                SELECT kind, entity_id, month, sum(n) FROM (
                    SELECT kind, {ENTITY} AS entity_id, {PG_MONTH} AS month, 1 AS n
                        FROM added WHERE status IN {VISIBLE}
                    UNION ALL
                    SELECT kind, {ENTITY}, {PG_MONTH}, -1
                        FROM removed WHERE status IN {VISIBLE}
                ) changed
                GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
        END IF;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 - constants of this module
    """
    CREATE TRIGGER tracker_mention_month_insert AFTER INSERT ON articles_mention
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_mention_month()
    """,
    """
    CREATE TRIGGER tracker_mention_month_update AFTER UPDATE ON articles_mention
        REFERENCING OLD TABLE AS removed NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_mention_month()
    """,
    """
    CREATE TRIGGER tracker_mention_month_delete AFTER DELETE ON articles_mention
        REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION tracker_mention_month()
    """,
    f"""
    INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
        SELECT kind, {ENTITY}, {PG_MONTH}, count(*) FROM articles_mention
        WHERE status IN {VISIBLE} GROUP BY 1, 2, 3
    """,  # noqa: S608 - constants of this module
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS tracker_mention_month_insert ON articles_mention",
    "DROP TRIGGER IF EXISTS tracker_mention_month_update ON articles_mention",
    "DROP TRIGGER IF EXISTS tracker_mention_month_delete ON articles_mention",
    "DROP FUNCTION IF EXISTS tracker_mention_month()",
]


def _sqlite_month(column: str) -> str:
    # Django writes datetimes as UTC text, "YYYY-MM-DD HH:MM:SS".
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE substr({column}, 1, 7) || '-01' END"


def _sqlite_row(row: str, n: int) -> str:
    month = _sqlite_month(f"{row}.published_at")
    entity = f"coalesce({row}.country_id, {row}.official_id, {row}.policy_id, {row}.summit_id)"
    return f"""
        INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
            SELECT {row}.kind, {entity}, {month}, {n} WHERE {row}.status IN {VISIBLE};
    """


SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER tracker_mention_month_insert AFTER INSERT ON articles_mention
    BEGIN {_sqlite_row("NEW", 1)} END
    """,
    f"""
    CREATE TRIGGER tracker_mention_month_update AFTER UPDATE ON articles_mention
    WHEN OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
        OR OLD.published_at IS NOT NEW.published_at OR OLD.country_id IS NOT NEW.country_id
        OR OLD.official_id IS NOT NEW.official_id OR OLD.policy_id IS NOT NEW.policy_id
        OR OLD.summit_id IS NOT NEW.summit_id
    BEGIN {_sqlite_row("OLD", -1)} {_sqlite_row("NEW", 1)} END
    """,
    f"""
    CREATE TRIGGER tracker_mention_month_delete AFTER DELETE ON articles_mention
    BEGIN {_sqlite_row("OLD", -1)} END
    """,
    f"""
    INSERT INTO articles_mentionmonth (kind, entity_id, month, n)
        SELECT kind, {ENTITY},
{_sqlite_month("published_at")}, count(*)
        FROM articles_mention WHERE status IN {VISIBLE} GROUP BY 1, 2, 3
    """,  # noqa: S608 - constants of this module
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tracker_mention_month_insert",
    "DROP TRIGGER IF EXISTS tracker_mention_month_update",
    "DROP TRIGGER IF EXISTS tracker_mention_month_delete",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No tag month triggers written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD})


def groups_refresh(apps, schema_editor) -> None:
    # Analysts may view every model of the app, this new one included: the groups migration
    # sets that, and is safe to run again.
    importlib.import_module("articles.migrations.0004_editor_analyst_groups").forward(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0035_article_indexes_without_like"),
        ("summits", "0006_i18n_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MentionMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("country", "Country"),
                            ("official", "Official"),
                            ("policy", "Policy"),
                            ("summit", "Summit"),
                        ],
                        max_length=10,
                    ),
                ),
                ("entity_id", models.IntegerField()),
                ("month", models.DateField(blank=True, null=True)),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.RunPython(groups_refresh, migrations.RunPython.noop),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(
                    ("kind", "country"), ("status__in", ("auto", "approved", "editor_added"))
                ),
                fields=["country", "article"],
                name="mention_country_latest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(
                    ("kind", "official"), ("status__in", ("auto", "approved", "editor_added"))
                ),
                fields=["official", "article"],
                name="mention_official_latest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(
                    ("kind", "policy"), ("status__in", ("auto", "approved", "editor_added"))
                ),
                fields=["policy", "article"],
                name="mention_policy_latest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="mentionmonth",
            index=models.Index(
                fields=["kind", "entity_id", "month"], include=("n",), name="mention_month_idx"
            ),
        ),
    ]
