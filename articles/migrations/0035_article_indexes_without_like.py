"""An article's url_hash, content_hash and review_status indexed without the varchar_pattern_ops
twin PostgreSQL adds for a text column declared unique=True or db_index=True: no query reads
them with LIKE, and every stored article wrote three more index entries.

Only names change otherwise, found by introspection: the unique constraint on url_hash and the
two indexes are kept and renamed to the model's (PostgreSQL), so nothing is rebuilt on a large
table. SQLite has no twins; its two indexes are made again under the new names, and url_hash
keeps the unique constraint written in its table (renaming it would rebuild the table, which
the mention triggers refer to).
"""

from django.db import migrations, models

TABLE = "articles_article"
# column -> (the model's name for its index or unique constraint, whether unique)
RENAMED = {
    "url_hash": ("article_url_hash_unique", True),
    "content_hash": ("article_content_hash_idx", False),
    "review_status": ("article_review_status_idx", False),
}


def _found(schema_editor, column: str, unique: bool, exclude: set[str]) -> list[str]:
    """Names of the single-column btree indexes (or unique constraints) on `column`."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, c in constraints.items()
        if c["columns"] == [column]
        and name not in exclude
        and (c["unique"] and not c["primary_key"] if unique else c["index"] and not c["unique"])
    ]


def forward(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for column, (name, unique) in RENAMED.items():
        if postgres:
            old = _found(schema_editor, column, unique, {name})
            twins = [n for n in _found(schema_editor, column, False, {name}) if n.endswith("_like")]
            for twin in twins:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{twin}"')
            old = [n for n in old if n not in twins]
            if unique:
                schema_editor.execute(
                    f'ALTER TABLE "{TABLE}" RENAME CONSTRAINT "{old[0]}" TO "{name}"'
                )
            else:
                schema_editor.execute(f'ALTER INDEX "{old[0]}" RENAME TO "{name}"')
        elif not unique:
            for old in _found(schema_editor, column, False, {name}):
                schema_editor.execute(f'DROP INDEX IF EXISTS "{old}"')
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ("{column}")')


def backward(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for column, (name, unique) in RENAMED.items():
        plain = f"{TABLE}_{column}_idx"
        if postgres:
            if unique:
                schema_editor.execute(
                    f'ALTER TABLE "{TABLE}" RENAME CONSTRAINT "{name}" TO "{TABLE}_{column}_key"'
                )
            else:
                schema_editor.execute(f'ALTER INDEX "{name}" RENAME TO "{plain}"')
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{TABLE}_{column}_like" ON "{TABLE}" '
                f'("{column}" varchar_pattern_ops)'
            )
        elif not unique:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{plain}" ON "{TABLE}" ("{column}")')


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0034_mention_article_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="content_hash",
                    field=models.CharField(blank=True, max_length=64),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="review_status",
                    field=models.CharField(
                        choices=[
                            ("unreviewed", "Not reviewed"),
                            ("reviewed", "Reviewed"),
                            ("not_relevant", "Not relevant"),
                        ],
                        default="unreviewed",
                        max_length=20,
                    ),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="url_hash",
                    field=models.CharField(
                        help_text="SHA-256 of the canonical URL: the identity.", max_length=64
                    ),
                ),
                migrations.AddIndex(
                    model_name="article",
                    index=models.Index(fields=["content_hash"], name="article_content_hash_idx"),
                ),
                migrations.AddIndex(
                    model_name="article",
                    index=models.Index(fields=["review_status"], name="article_review_status_idx"),
                ),
                migrations.AddConstraint(
                    model_name="article",
                    constraint=models.UniqueConstraint(
                        fields=("url_hash",), name="article_url_hash_unique"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
        ),
    ]
