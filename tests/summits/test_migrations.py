"""Moving from URL lists to citations keeps every URL an existing database held."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("summits", "0001_initial")]
AFTER = [("summits", "0002_precision_status_citations")]


@pytest.mark.django_db(transaction=True)
def test_urls_become_citations_and_come_back_on_the_way_down():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    country = old.get_model("summits", "Country").objects.create(
        iso2="MX", iso3="MEX", name_en="Mexico", name_es="México", name_fr="Mexique"
    )
    old.get_model("summits", "Official").objects.create(
        slug="someone",
        name="Someone",
        country=country,
        sources=["https://en.wikipedia.org/wiki/Someone", "https://example.org/2020/readout"],
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    citations = new.get_model("summits", "OfficialCitation").objects.order_by("pk")
    assert [(c.url, c.kind) for c in citations] == [
        ("https://en.wikipedia.org/wiki/Someone", "secondary"),
        ("https://example.org/2020/readout", "primary"),
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    official = executor.loader.project_state(BEFORE).apps.get_model("summits", "Official")
    assert official.objects.get(slug="someone").sources == [
        "https://en.wikipedia.org/wiki/Someone",
        "https://example.org/2020/readout",
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
