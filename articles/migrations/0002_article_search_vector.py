"""On PostgreSQL only: a stored, GIN-indexed tsvector on articles for ranked full-text search.

The column is kept up to date by a trigger rather than declared GENERATED, so that Django's
own ALTER COLUMN operations on title/summary/body keep working (PostgreSQL refuses to change
a column that a generated column depends on). It is not a model field: Django's inserts and
bulk inserts name their columns and never touch it; a COPY must list its columns too.

Words are indexed with the 'simple' configuration over unaccented text: the press writes in
English, Spanish and French and machine translations drop diacritics ("Lopez Obrador"), so
matching exact, accent-insensitive word forms works across all three languages alike.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION tracker_search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT {body} $$;

CREATE OR REPLACE FUNCTION tracker_article_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', tracker_search_text(coalesce(NEW.title, ''))), 'A')
        || setweight(to_tsvector('simple', tracker_search_text(coalesce(NEW.summary, ''))), 'B')
        || setweight(to_tsvector('simple',
                tracker_search_text(left(coalesce(NEW.body, ''), 200000))), 'C');
    RETURN NEW;
END
$$;
"""

FORWARD = """
ALTER TABLE articles_article ADD COLUMN IF NOT EXISTS search_vector tsvector;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF title, summary, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION tracker_article_search_vector();
UPDATE articles_article SET title = title;
CREATE INDEX IF NOT EXISTS article_search_idx ON articles_article USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS article_search_idx;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
DROP FUNCTION IF EXISTS tracker_article_search_vector();
DROP FUNCTION IF EXISTS tracker_search_text(text);
"""


def _unaccent_schema(cursor) -> str | None:
    """Where the unaccent extension lives, installing it when we may; None if unavailable."""
    cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
    row = cursor.fetchone()
    if row:
        return row[0]
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
    if cursor.fetchone() is None:
        return None
    cursor.execute("SAVEPOINT tracker_unaccent")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:
        # Not allowed to install extensions here: search still works, only accent-sensitive.
        cursor.execute("ROLLBACK TO SAVEPOINT tracker_unaccent")
        return None
    cursor.execute("RELEASE SAVEPOINT tracker_unaccent")
    return _unaccent_schema(cursor)


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _unaccent_schema(cursor)
        if schema:
            body = f"{schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
        else:
            body = "$1"
        cursor.execute(FUNCTIONS.format(body=body))
        cursor.execute(FORWARD)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
