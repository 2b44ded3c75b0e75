"""PostgreSQL learns how many tags of each kind an entity has.

A tag names exactly one entity of its kind, so "country = US" already implies "kind =
country"; without statistics on the pair the planner multiplies both fractions and expects a
third of the tags a busy country really has, then hashes all of them instead of walking the
tag index. Extended statistics (most common value pairs) correct the estimate. SQLite plans
these queries without statistics, so nothing is done there.
"""

from django.db import migrations

KINDS = ("country", "official", "policy", "summit")


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(
                f"CREATE STATISTICS IF NOT EXISTS mention_{kind}_kind_stats (mcv) "
                f"ON kind, {kind}_id FROM articles_mention"
            )
        cursor.execute("ANALYZE articles_mention")


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for kind in KINDS:
            cursor.execute(f"DROP STATISTICS IF EXISTS mention_{kind}_kind_stats")


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_article_count_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
