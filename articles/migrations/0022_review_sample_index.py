"""A partial index for the review sample's live precision on the editors' desk: the sampled
tags are a few in a thousand, and counting them scanned the whole mentions table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_discovery_candidates"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("sampled_for_review", True)),
                fields=["kind", "status"],
                name="mention_sample_idx",
            ),
        ),
    ]
