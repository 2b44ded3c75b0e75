"""Fewer indexes for every stored entry to write, and one for story clustering to read.

Each article and each of its ten-odd mentions writes every index of its table. Dropped: the
single-column indexes that a composite index already leads with (an article's source,
cluster and language; a mention's country, official, policy, summit and status, with the
text-pattern twins PostgreSQL adds for text columns). Added: the clustered articles by date,
which clustering reads a week either side of each batch.

Only the indexes change in the database: re-adding a foreign key, as Django's own
AlterField does, would check it again over every mention.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, index name): the indexes Django made for these columns.
DROPPED = [
    ("articles_article", "cluster_id", "articles_article_cluster_id_29634c79"),
    ("articles_article", "language", "articles_article_language_5aeb8b73"),
    ("articles_article", "source_id", "articles_article_source_id_9a8869ea"),
    ("articles_mention", "country_id", "articles_mention_country_id_14b415c8"),
    ("articles_mention", "official_id", "articles_mention_official_id_ed406838"),
    ("articles_mention", "policy_id", "articles_mention_policy_id_76a5bfbe"),
    ("articles_mention", "status", "articles_mention_status_ed4b2b55"),
    ("articles_mention", "summit_id", "articles_mention_summit_id_d88974cc"),
]
# PostgreSQL's varchar_pattern_ops twins of the text columns' indexes.
PATTERN = {"language", "status"}


def indexes_drop(apps, schema_editor):
    for table, column, name in DROPPED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        if column in PATTERN:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}_like"')


def indexes_create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, column, name in DROPPED:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
        if postgres and column in PATTERN:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}_like" ON "{table}" '
                f'("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_review_sample_index"),
        ("summits", "0006_i18n_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="cluster",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="articles",
                        to="articles.storycluster",
                    ),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="language",
                    field=models.CharField(blank=True, max_length=10),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="articles",
                        to="articles.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="country",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="summits.country",
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="official",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="summits.official",
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="policy",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="summits.policy",
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("auto", "Auto"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("editor_added", "Added by an editor"),
                        ],
                        default="auto",
                        max_length=20,
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="summit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="summits.summit",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(indexes_drop, indexes_create)],
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("cluster__isnull", False), ("simhash__isnull", False)),
                fields=["published_at"],
                name="article_dedupe_window_idx",
            ),
        ),
    ]
