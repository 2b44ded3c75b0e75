"""Search reads a declared, folded `search_text` column on both databases.

It replaces the PostgreSQL-only `search_vector` column of 0002, which no model declared and a
trigger kept. The new column is written by the ORM (articles.search_text, the one definition)
and filled here for the articles already stored. On PostgreSQL a trigram index (pg_trgm)
serves the substring matches search makes; other databases scan. Analysts are also given
the view permission on the knowledge base's new former-slug table.
"""

import importlib

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from articles.search_text import search_text

BATCH = 2_000
# SQLite adds the column by rebuilding articles_article, which its published_at triggers
# (migration 0007) name: they are dropped before the rebuild and made again after it.
_TRIGGERS = importlib.import_module("articles.migrations.0007_mention_published_at")

DROP_VECTOR = """
DROP INDEX IF EXISTS article_search_idx;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
DROP FUNCTION IF EXISTS tracker_article_search_vector();
DROP FUNCTION IF EXISTS tracker_search_text(text);
"""

TRIGRAM_INDEX = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS article_search_text_trgm_idx
    ON articles_article USING gin (search_text gin_trgm_ops);
"""


def _run(schema_editor, sql: str) -> None:
    for statement in filter(None, (part.strip() for part in sql.split(";"))):
        schema_editor.execute(statement)


def sqlite_triggers_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _TRIGGERS.backward(apps, schema_editor)


def sqlite_triggers_make(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _TRIGGERS.forward(apps, schema_editor)


def drop_vector(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, DROP_VECTOR)


def fill(apps, schema_editor) -> None:
    Article = apps.get_model("articles", "Article")
    last = 0
    while True:
        rows = list(
            Article.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "title", "summary", "body")[:BATCH]
        )
        if not rows:
            break
        for row in rows:
            row.search_text = search_text(title=row.title, summary=row.summary, body=row.body)
        Article.objects.bulk_update(rows, ["search_text"])
        last = rows[-1].pk


def add_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, TRIGRAM_INDEX)


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_text_trgm_idx")


def analysts_see_former_slugs(apps, schema_editor) -> None:
    """Analysts see every knowledge-base table, the former slugs too (as 0004 grants)."""
    app_config = apps.get_app_config("summits")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.filter(name="Analyst").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="summits", codename="view_formerslug"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_summit_policy_permissions"),
        ("summits", "0005_former_slug"),
    ]

    operations = [
        # Going back leaves the old vector gone: 0002's own reverse drops it if present.
        migrations.RunPython(drop_vector, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(sqlite_triggers_drop, sqlite_triggers_make),
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="Folded words of the title, summary and body, for search.",
            ),
        ),
        migrations.RunPython(sqlite_triggers_make, sqlite_triggers_drop),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(add_index, drop_index, elidable=False),
        migrations.RunPython(analysts_see_former_slugs, migrations.RunPython.noop),
    ]
