"""Editors and Analysts get the same rights on the knowledge base's citations as on its other
rows inside a record: editors add, change and delete them; analysts view them."""

import importlib

from django.db import migrations

groups = importlib.import_module("articles.migrations.0004_editor_analyst_groups")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_ingestion_robustness"),
        ("summits", "0002_precision_status_citations"),
    ]

    operations = [migrations.RunPython(groups.forward, migrations.RunPython.noop)]
