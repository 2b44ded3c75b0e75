"""Mentions drawn into the random review sample; the 'auto' status no longer claims every
automatic tag is awaiting review.

On SQLite, adding a NOT NULL column rebuilds the mentions table, which the published_at
triggers of 0007 refer to: they are dropped first and made again after.
"""

import importlib

from django.db import migrations, models

_triggers = importlib.import_module("articles.migrations.0007_mention_published_at")


def triggers_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _triggers.backward(apps, schema_editor)


def triggers_make(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _triggers.forward(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0017_recogniser_permissions'),
    ]

    operations = [
        migrations.RunPython(triggers_drop, triggers_make, elidable=False),
        migrations.AddField(
            model_name='mention',
            name='sampled_for_review',
            field=models.BooleanField(db_default=False, default=False, help_text="A confident tag drawn at random for review, to measure the tagger's precision."),
        ),
        migrations.AlterField(
            model_name='mention',
            name='status',
            field=models.CharField(choices=[('auto', 'Auto'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('editor_added', 'Added by an editor')], db_index=True, default='auto', max_length=20),
        ),
        migrations.RunPython(triggers_make, triggers_drop, elidable=False),
    ]
