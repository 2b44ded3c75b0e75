"""Mentions carry their article's published_at, kept equal by database triggers.

Coverage charts and entity-filtered lists then read one partial index on mentions
(entity, published_at, article) instead of joining every tagged article. Triggers rather
than code in the services, because mentions are written by several modules (tagging, review,
admin, generate_data's COPY, bulk inserts) and the article's date changes on re-ingestion:
only the database sees every one of those writes.

- A mention takes its article's date when inserted, when moved to another article, and
  whenever something writes the column (Django's save() writes its stale in-memory value).
- An article whose published_at changes passes the new date to its mentions.
"""

from django.conf import settings
from django.db import migrations, models

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION tracker_mention_published_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.published_at := (SELECT published_at FROM articles_article WHERE id = NEW.article_id);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION tracker_article_published_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_mention SET published_at = NEW.published_at
        WHERE article_id = NEW.id AND published_at IS DISTINCT FROM NEW.published_at;
    RETURN NULL;
END
$$;

UPDATE articles_mention m SET published_at = a.published_at
    FROM articles_article a
    WHERE a.id = m.article_id AND m.published_at IS DISTINCT FROM a.published_at;

DROP TRIGGER IF EXISTS articles_mention_published_at ON articles_mention;
CREATE TRIGGER articles_mention_published_at
    BEFORE INSERT OR UPDATE OF article_id, published_at ON articles_mention
    FOR EACH ROW EXECUTE FUNCTION tracker_mention_published_at();

DROP TRIGGER IF EXISTS articles_article_published_at ON articles_article;
CREATE TRIGGER articles_article_published_at
    AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION tracker_article_published_at();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS articles_article_published_at ON articles_article;
DROP TRIGGER IF EXISTS articles_mention_published_at ON articles_mention;
DROP FUNCTION IF EXISTS tracker_article_published_at();
DROP FUNCTION IF EXISTS tracker_mention_published_at();
"""

# SQLite triggers cannot assign NEW: they correct the row just written instead. Recursive
# triggers are off in SQLite, and the WHEN clauses stop any loop regardless.
_ARTICLE_DATE = "(SELECT published_at FROM articles_article WHERE id = NEW.article_id)"
SQLITE_FORWARD = [
    """
    UPDATE articles_mention SET published_at = (
        SELECT published_at FROM articles_article WHERE id = articles_mention.article_id
    )
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS articles_mention_published_at_insert
    AFTER INSERT ON articles_mention
    FOR EACH ROW WHEN NEW.published_at IS NOT {_ARTICLE_DATE}
    BEGIN
        UPDATE articles_mention SET published_at = {_ARTICLE_DATE} WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS articles_mention_published_at_update
    AFTER UPDATE OF article_id, published_at ON articles_mention
    FOR EACH ROW WHEN NEW.published_at IS NOT {_ARTICLE_DATE}
    BEGIN
        UPDATE articles_mention SET published_at = {_ARTICLE_DATE} WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS articles_article_published_at
    AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN OLD.published_at IS NOT NEW.published_at
    BEGIN
        UPDATE articles_mention SET published_at = NEW.published_at
            WHERE article_id = NEW.id AND published_at IS NOT NEW.published_at;
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_article_published_at",
    "DROP TRIGGER IF EXISTS articles_mention_published_at_update",
    "DROP TRIGGER IF EXISTS articles_mention_published_at_insert",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"No published_at triggers written for {vendor}.")
    with schema_editor.connection.cursor() as cursor:
        for sql in statements[vendor]:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD})


def backward(apps, schema_editor) -> None:
    _run(schema_editor, {"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD})


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_article_url_index'),
        ('summits', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='mention',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.AddIndex(
            model_name='mention',
            index=models.Index(condition=models.Q(('status', 'auto')), fields=['-created_at', '-id'], name='mention_queue_idx'),
        ),
        migrations.AddIndex(
            model_name='mention',
            index=models.Index(condition=models.Q(('kind', 'country'), ('status__in', ('auto', 'approved', 'editor_added'))), fields=['country', 'published_at', 'article'], name='mention_country_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='mention',
            index=models.Index(condition=models.Q(('kind', 'official'), ('status__in', ('auto', 'approved', 'editor_added'))), fields=['official', 'published_at', 'article'], name='mention_official_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='mention',
            index=models.Index(condition=models.Q(('kind', 'policy'), ('status__in', ('auto', 'approved', 'editor_added'))), fields=['policy', 'published_at', 'article'], name='mention_policy_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='mention',
            index=models.Index(condition=models.Q(('kind', 'summit'), ('status__in', ('auto', 'approved', 'editor_added'))), fields=['summit', 'published_at', 'article'], name='mention_summit_pub_idx'),
        ),
    ]
