"""An article's tags are indexed with the kind, status and entity of each (INCLUDE), in place
of the plain index Django made for the foreign key: an entity's co-mentions then read the
other tags of its latest articles from the index alone. Without it, on the 200,000-article
bench copy after migration 0033 rewrote every tag, the planner read all 2M tags (2.8 s)."""

import django.db.models.deletion
from django.db import migrations, models


def _plain_index(schema_editor) -> str:
    # The name Django gave the foreign key's index (migration 0001).
    return schema_editor._create_index_name("articles_mention", ["article_id"], suffix="")


def _drop_plain_index(apps, schema_editor) -> None:
    name = schema_editor.quote_name(_plain_index(schema_editor))
    schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def _create_plain_index(apps, schema_editor) -> None:
    name = schema_editor.quote_name(_plain_index(schema_editor))
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON articles_mention (article_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0033_mention_article_copies"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                fields=["article"],
                include=("kind", "status", "country", "official", "policy", "summit"),
                name="mention_article_idx",
            ),
        ),
        # The foreign key's own index is dropped by name: an AlterField would make SQLite
        # copy the table, and drop the triggers on it with the old one.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mention",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="articles.article",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(_drop_plain_index, _create_plain_index, elidable=False)
            ],
        ),
    ]
