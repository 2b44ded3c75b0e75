"""Search finds articles by their words through an index of each article's words (PostgreSQL).

The folded search text (migration 0020) is words of [a-z0-9] between single spaces, so split
at its spaces it is the list of the article's words, and an article has a searched word
exactly when the word is among them: a GIN index on that array answers a word with no
re-reading of the text, and a phrase by the articles that have all its words. It replaces the
trigram index of 0020, which found candidates only (every one re-read) and wrote an entry for
each three letters of the text at every insert. Other databases scan, as before.
"""

from django.db import migrations

WORDS_INDEX = """
CREATE INDEX IF NOT EXISTS article_search_words_idx
    ON articles_article USING gin (string_to_array(search_text, ' '))
"""
TRIGRAM_INDEX = """
CREATE INDEX IF NOT EXISTS article_search_text_trgm_idx
    ON articles_article USING gin (search_text gin_trgm_ops)
"""


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WORDS_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS article_search_text_trgm_idx")
        # The planner has no statistics of the new expression until the table is analysed, and
        # a migration writes too little to start autovacuum's: without them a common word's
        # search took seconds at 200,000 articles.
        schema_editor.execute("ANALYZE articles_article")


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGRAM_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS article_search_words_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0031_pages_journal_counted"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
