"""The starter OPML: real feeds of the three countries' press and press rooms, imported with
their sources' country, kind and language, safely twice and without the network."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Feed, Source
from tests.support import factories as f

pytestmark = pytest.mark.django_db

STARTER = Path(__file__).resolve().parents[3] / "reference" / "feeds" / "starter.opml"


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_the_starter_file_lists_forty_feeds_with_their_facts(reference: None) -> None:
    out, err = _run("import_opml", str(STARTER), "--no-check")

    feeds = Feed.objects.select_related("source__country")
    assert feeds.count() >= 40
    assert err == ""
    for feed in feeds:
        source = feed.source
        assert source.confirmed, feed.url
        assert source.country is not None and source.country.iso2 in {"US", "MX", "CA"}, feed.url
        assert source.language in {"en", "es", "fr"}, feed.url
    press = {(s.country.iso2, s.language) for s in Source.objects.select_related("country")}
    assert {("US", "en"), ("MX", "es"), ("CA", "en"), ("CA", "fr")} <= press
    government = Source.objects.filter(kind="government").values_list("country__iso2", flat=True)
    assert set(government) == {"US", "MX", "CA"}
    assert out.startswith(f"feeds: {feeds.count()} added, 0 already followed, 0 failed")


def test_importing_it_twice_changes_nothing(reference: None) -> None:
    _run("import_opml", str(STARTER), "--no-check")
    before = list(Source.objects.values_list("pk", "country", "kind", "language", "confirmed"))

    out, _ = _run("import_opml", str(STARTER), "--no-check")

    assert (
        out.splitlines()[0] == f"feeds: 0 added, {Feed.objects.count()} already followed, 0 failed"
    )
    assert (
        list(Source.objects.values_list("pk", "country", "kind", "language", "confirmed")) == before
    )


def test_an_editors_correction_is_kept_when_the_file_is_imported_again(tmp_path: Path) -> None:
    mx, us = f.country("MX"), f.country("US")
    opml = tmp_path / "one.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Wire" source="A wire" '
        'xmlUrl="https://wire.example/feed" country="MX" kind="wire" language="es"/></body></opml>'
    )
    _run("import_opml", str(opml), "--no-check")
    source = Source.objects.get(domain="wire.example")
    assert (source.country, source.kind, source.language, source.name) == (
        mx,
        "wire",
        "es",
        "A wire",
    )
    source.country = us  # the editor knows better
    source.save()

    out, _ = _run("import_opml", str(opml), "--no-check")

    source.refresh_from_db()
    assert source.country == us
    assert "1 already confirmed and left as they are" in out


def test_a_fact_it_cannot_use_is_said_and_the_feed_is_still_added(tmp_path: Path) -> None:
    opml = tmp_path / "bad.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="X" xmlUrl="https://x.example/feed" '
        'country="ZZ" kind="outlet" language="en"/></body></opml>'
    )

    out, err = _run("import_opml", str(opml), "--no-check")

    assert out == "feeds: 1 added, 0 already followed, 0 failed"
    assert "there is no country with the code 'ZZ'" in err
    assert not Source.objects.get(domain="x.example").confirmed
