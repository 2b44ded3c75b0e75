"""Editors edit a summit's policies and their effect, and may remove one; analysts see them.

The summit-policy table got a model of its own (summits 0004), with permissions of its own.
"""

import importlib

from django.db import migrations

recognisers = importlib.import_module("articles.migrations.0017_recogniser_permissions")


def forward(apps, schema_editor) -> None:
    recognisers.grant(apps, "summitpolicy")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_mention_review_sample"),
        ("summits", "0004_summit_policy_effect"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
