"""Indexes for a country's press coverage of the talks: its outlets' articles with their ids
(article_source_pub_idx now carries the id), and whether an article has a visible meeting tag
(a partial index over meeting tags only), so the count reads two indexes and no table rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0024_pages_data_version"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="article_source_pub_idx",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["source", "-published_at"], include=("id",), name="article_source_pub_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(
                    ("kind", "summit"), ("status__in", ("auto", "approved", "editor_added"))
                ),
                fields=["article"],
                name="mention_summit_article_idx",
            ),
        ),
    ]
