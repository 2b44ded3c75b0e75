"""A new source gets a best guess at its country, kind and language, until an editor confirms."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from articles.ingestion.services import feed_add, source_for_url
from articles.ingestion.sources import source_guess, source_guess_store
from articles.models import Source, SourceKind
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user
from tests.support.httpserver import LocalServer


@pytest.mark.parametrize(
    ("domain", "language", "expected"),
    [
        ("eluniversal.com.mx", "", ("MX", "outlet", "es")),
        ("jornada.com.mx", "es-MX", ("MX", "outlet", "es")),
        ("lapresse.ca", "fr", ("CA", "outlet", "fr")),
        ("cbc.ca", "", ("CA", "outlet", "")),
        ("nytimes.com", "en", ("", "outlet", "en")),
        ("state.gov", "", ("US", "government", "")),
        ("dhs.gov", "en", ("US", "government", "en")),
        ("gob.mx", "", ("MX", "government", "es")),
        ("sre.gob.mx", "", ("MX", "government", "es")),
        ("canada.ca", "", ("CA", "government", "")),
        ("pm.gc.ca", "fr", ("CA", "government", "fr")),
        ("news.gov.bc.ca", "", ("CA", "government", "")),
        ("reuters.com", "en", ("", "wire", "en")),
        ("apnews.com", "", ("US", "wire", "")),
        ("efe.com", "es", ("ES", "wire", "es")),
        ("thecanadianpress.com", "", ("CA", "wire", "")),
        ("news.google.com", "", ("", "aggregator", "")),
        ("es-us.noticias.yahoo.com", "es", ("", "aggregator", "es")),
        ("bbc.co.uk", "", ("GB", "outlet", "en")),
        ("example.tv", "", ("", "outlet", "")),
    ],
)
def test_the_guess_reads_the_domain_and_the_language_published(domain, language, expected):
    guess = source_guess(domain=domain, language=language)
    assert (guess.country_iso2, guess.kind, guess.language) == expected


@pytest.mark.django_db
def test_a_new_source_gets_the_guess_unconfirmed():
    mexico = f.country("MX")
    source = source_for_url(url="https://www.milenio.com.mx/politica/nota-1")
    source.refresh_from_db()
    assert (source.domain, source.country, source.kind, source.language) == (
        "milenio.com.mx",
        mexico,
        SourceKind.OUTLET,
        "es",
    )
    assert source.confirmed is False


@pytest.mark.django_db
def test_a_feed_added_from_a_site_sets_the_language_it_publishes_in(http_server: LocalServer):
    f.country("CA")
    rss = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Le Devoir</title><link>https://www.ledevoir.ca/</link>
<language>fr-CA</language><description>Nouvelles</description>
<item><title>Ottawa et Mexico</title><link>http://127.0.0.1/a1</link><guid>a1</guid></item>
</channel></rss>"""
    url = http_server.add("/rss.xml", body=rss, headers={"Content-Type": "application/rss+xml"})
    feed = feed_add(url=url).feed
    source = Source.objects.get(pk=feed.source_id)
    assert (source.domain, source.country.iso2, source.language, source.confirmed) == (
        "ledevoir.ca",
        "CA",
        "fr",
        False,
    )


@pytest.mark.django_db
def test_a_confirmed_source_keeps_what_the_editor_set():
    source = f.source(domain="diario.com.mx", language="en", kind=SourceKind.WIRE, confirmed=True)
    assert source_guess_store(source=source, language="es") is False
    source.refresh_from_db()
    assert (source.language, source.kind, source.country) == ("en", SourceKind.WIRE, None)


@pytest.mark.django_db
def test_an_editor_setting_the_details_confirms_them():
    f.country("US")
    canada = f.country("CA")
    editor = client_for(staff_user("Editor"))
    source = f.source(name="Prairie Dispatch", domain="prairiedispatch.example", language="en")
    url = reverse("admin:articles_source_change", args=[source.pk])
    data = form_values(editor.get(url).content, "source_form")
    data.update(country=str(canada.pk), kind=SourceKind.OUTLET, language="en", _save="Save")
    response = editor.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    source.refresh_from_db()
    assert (source.country, source.confirmed) == (canada, True)


@pytest.mark.django_db
def test_confirming_in_bulk_is_recorded():
    editor = client_for(staff_user("Editor"))
    sources = [f.source(), f.source(confirmed=True)]
    response = editor.post(
        reverse("admin:articles_source_changelist"),
        {"action": "confirm_details", "_selected_action": [s.pk for s in sources]},
        follow=True,
    )
    assert "Confirmed 1 source(s)." in response.content.decode()
    assert Source.objects.filter(confirmed=True).count() == 2
    assert LogEntry.objects.filter(object_id=str(sources[0].pk)).count() == 1
    assert LogEntry.objects.filter(object_id=str(sources[1].pk)).count() == 0
