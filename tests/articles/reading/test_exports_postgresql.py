"""On PostgreSQL the database renders articles.csv itself; it must match the csv module's bytes."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import QueryDict

from articles.models import Mention, Source
from articles.reading.exports import export_prepare, export_stream
from tests.articles.reading.test_exports import HOSTILE, World, article

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the SQL-rendered export is PostgreSQL's"
    ),
]


def both_ways(query: str) -> tuple[bytes, bytes]:
    export = export_prepare(kind="articles", params=QueryDict(query))
    assert export.lines is not None
    rendered = b"".join(export_stream(export=export, bom=True))
    export.lines = None
    written = b"".join(export_stream(export=export, bom=True))
    return rendered, written


@pytest.fixture
def odd_world() -> World:
    world = World()
    nameless = Source.objects.create(name="", domain="nameless.example")
    odd = article(
        world,
        90,
        title="'",
        authors=["", "-dash", "semi; colon", "=x", "a,b", 'say "hi"'],
        original_source=nameless,
        original_source_name="Given as text",
        published_at=datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
        tagger_version="@v2",
        language="",
    )
    article(world, 91, title="plain", authors=[], url="-https://odd.example/,x")
    # Equal confidence: the older tag comes first, as in the csv-module path.
    Mention.objects.create(article=odd, kind="country", country=world.us, confidence=0.5)
    Mention.objects.create(article=odd, kind="country", country=world.mx, confidence=0.5)
    Mention.objects.create(article=odd, kind="summit", summit=world.summit, status="approved")
    Mention.objects.create(article=odd, kind="policy", policy=world.policy, status="rejected")
    return world


@pytest.mark.parametrize(
    "query",
    [
        "",
        "per=story",
        "per=story&language=es",
        "country=MX",
        "official=alicia-barcena",
        "summit=nals-2023&per=story",
        "from=2024-01-02&to=2024-01-05",
        "q=line",
        "status=reviewed",
    ],
)
def test_the_database_writes_the_same_bytes_as_the_csv_module(odd_world: World, query: str) -> None:
    rendered, written = both_ways(query)
    assert rendered.count(b"\r\n") > 1
    assert rendered == written


def test_every_hostile_title_is_in_the_rendered_file(odd_world: World) -> None:
    rendered, _ = both_ways("")
    for value in HOSTILE:
        quoted = value.replace('"', '""')
        assert quoted.encode() in rendered
