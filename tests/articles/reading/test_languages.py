"""The public pages in English, Spanish and French: addresses, the switch, dates, names."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from tests.support import factories as f

pytestmark = pytest.mark.django_db

HTML = "text/html,application/xhtml+xml"


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


@pytest.fixture
def world() -> dict:
    us = f.country("US", name_es="Estados Unidos", name_fr="États-Unis")
    mx = f.country("MX", name_es="México", name_fr="Mexique")
    ebrard = f.official(name="Marcelo Ebrard", slug="marcelo-ebrard", country=mx)
    f.tenure(
        official=ebrard,
        office="Secretary of Foreign Affairs",
        office_es="Secretario de Relaciones Exteriores",
        office_fr="Secrétaire aux Relations extérieures",
    )
    mpp = f.policy(
        name="Migrant Protection Protocols",
        name_es="Protocolos de Protección a Migrantes",
        name_fr="",
        slug="mpp",
    )
    summit = f.summit(
        title="North American Leaders' Summit",
        slug="nals-2021",
        start_date=date(2021, 11, 18),
        end_date=date(2021, 11, 19),
        countries=[us, mx],
        country=us,
        policies=[mpp],
    )
    paper = f.source(name="Diario Uno", domain="diario.example", language="es")
    article = f.article(
        title="Líderes acuerdan plan regional",
        source=paper,
        language="es",
        published_at=datetime(2021, 11, 18, 18, 5, tzinfo=UTC),
    )
    f.mention(article=article, entity=summit)
    f.mention(article=article, entity=mx)
    return {"us": us, "mx": mx, "mpp": mpp, "summit": summit, "article": article}


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_it_serves_english_at_the_plain_addresses_and_spanish_and_french_under_prefixes(
    client: Client, world: dict
) -> None:
    english = client.get("/summits/nals-2021/")
    spanish = client.get("/es/summits/nals-2021/")
    french = client.get("/fr/summits/nals-2021/")
    assert '<html lang="en">' in text(english) and ">Facts<" in text(english)
    assert '<html lang="es">' in text(spanish) and ">Datos<" in text(spanish)
    assert '<html lang="fr">' in text(french) and ">Faits<" in text(french)
    assert spanish["Content-Language"] == "es"


def test_links_on_a_spanish_page_stay_in_spanish(client: Client, world: dict) -> None:
    page = text(client.get("/es/"))
    assert 'href="/es/summits/nals-2021/"' in page
    assert 'href="/es/articles/"' in page


def test_a_browser_preferring_spanish_is_sent_to_the_spanish_page(
    client: Client, world: dict
) -> None:
    response = client.get(
        "/articles/?q=migraci%C3%B3n", HTTP_ACCEPT=HTML, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"
    )
    assert response.status_code == 302
    assert response["Location"] == "/es/articles/?q=migraci%C3%B3n"
    assert "Accept-Language" in response["Vary"]


def test_a_browser_preferring_english_or_an_unknown_language_stays(
    client: Client, world: dict
) -> None:
    for accept in ("en-US,en;q=0.9,es;q=0.5", "de-DE", ""):
        response = client.get("/", HTTP_ACCEPT=HTML, HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200, accept


def test_files_feeds_and_the_admin_keep_their_addresses_whatever_the_browser_prefers(
    client: Client, world: dict
) -> None:
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}
    csv = client.get("/exports/summits.csv", **spanish)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert client.get("/admin/login/", HTTP_ACCEPT=HTML, **spanish).status_code == 200
    assert client.get("/healthz", HTTP_ACCEPT=HTML, **spanish).status_code == 200
    # An API client asking for anything (curl's */*) is not redirected either.
    assert client.get("/articles/", HTTP_ACCEPT="*/*", **spanish).status_code == 200


def test_the_admin_stays_in_english(client: Client, world: dict) -> None:
    client.cookies["django_language"] = "fr"
    page = text(client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Log in" in page or "Username" in page


def test_the_switch_sets_the_language_and_keeps_the_page_and_its_filters(
    client: Client, world: dict
) -> None:
    page = text(client.get("/es/articles/?country=MX"))
    assert 'action="/es/language/"' in page
    assert 'name="next" value="/es/articles/?country=MX"' in page
    response = client.post("/es/language/", {"language": "fr", "next": "/es/articles/?country=MX"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/articles/?country=MX"
    assert client.cookies["django_language"].value == "fr"


def test_choosing_english_sticks_for_a_browser_that_prefers_spanish(
    client: Client, world: dict
) -> None:
    response = client.post("/es/language/", {"language": "en", "next": "/es/articles/"})
    assert response["Location"] == "/articles/"
    again = client.get("/articles/", HTTP_ACCEPT=HTML, HTTP_ACCEPT_LANGUAGE="es")
    assert again.status_code == 200
    assert '<html lang="en">' in text(again)


def test_the_redirect_never_leaves_the_site(client: Client, world: dict) -> None:
    response = client.get("//evil.example/articles/", HTTP_ACCEPT=HTML, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith("/es/")
        assert not response["Location"].startswith("//")


def test_dates_are_written_the_way_each_language_writes_them(client: Client, world: dict) -> None:
    assert "18\u201319 November 2021" in text(client.get("/summits/nals-2021/"))
    assert "18\u201319 de noviembre de 2021" in text(client.get("/es/summits/nals-2021/"))
    assert "18\u201319 novembre 2021" in text(client.get("/fr/summits/nals-2021/"))
    article = world["article"].pk
    assert "18 November 2021, 18:05 UTC" in text(client.get(f"/articles/{article}/"))
    assert "18 de noviembre de 2021, 18:05 UTC" in text(client.get(f"/es/articles/{article}/"))


def test_numbers_are_grouped_the_way_each_language_groups_them(world: dict) -> None:
    from django.utils import translation

    from articles.templatetags.charts import _articles

    with translation.override("en"):
        assert _articles(12345) == "12,345 articles"
    with translation.override("es"):
        assert _articles(12345) == "12\xa0345 artículos"
    with translation.override("fr"):
        assert _articles(1) == "1 article"
        assert _articles(12345) == "12\xa0345 articles"


def test_knowledge_base_names_are_shown_in_the_language_of_the_page(
    client: Client, world: dict
) -> None:
    spanish = text(client.get("/es/summits/nals-2021/"))
    assert "Estados Unidos" in spanish and "Protocolos de Protección a Migrantes" in spanish
    french = text(client.get("/fr/summits/nals-2021/"))
    assert "États-Unis" in french
    # No French name recorded for the policy: its English name, not an empty link.
    assert "Migrant Protection Protocols" in french
    official = text(client.get("/es/officials/marcelo-ebrard/"))
    assert "Secretario de Relaciones Exteriores" in official and "México" in official


def test_language_codes_are_shown_as_names(client: Client, world: dict) -> None:
    english = text(client.get("/articles/"))
    assert ">Spanish<" in english and ">es<" not in english
    assert ">Español<" in text(client.get("/es/articles/"))
    assert ">Espagnol<" in text(client.get("/fr/articles/"))


def test_counts_agree_with_their_nouns_in_every_language(client: Client, world: dict) -> None:
    assert "1 article<" in text(client.get("/"))
    assert "1 artículo<" in text(client.get("/es/"))
    assert "1 article<" in text(client.get("/fr/"))


def test_a_refused_filter_is_explained_in_the_language_of_the_page(
    client: Client, world: dict
) -> None:
    english = client.get("/articles/?from=2021-02-30")
    spanish = client.get("/es/articles/?from=2021-02-30")
    french = client.get("/fr/articles/?country=ZZ")
    assert english.status_code == spanish.status_code == french.status_code == 400
    assert "“2021-02-30” is not a date: use YYYY-MM-DD for from." in text(english)
    assert "«2021-02-30» no es una fecha" in text(spanish)
    assert "Il n&#x27;y a pas de pays « ZZ »." in text(french)


def test_each_page_names_its_versions_in_the_other_languages(client: Client, world: dict) -> None:
    page = text(client.get("/es/policies/mpp/"))
    for code, path in (
        ("en", "/policies/mpp/"),
        ("es", "/es/policies/mpp/"),
        ("fr", "/fr/policies/mpp/"),
    ):
        assert f'<link rel="alternate" hreflang="{code}" href="http://testserver{path}">' in page
    assert 'hreflang="es"' not in text(client.get("/no-such-page/"))


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_page_in_spanish_or_french_runs_the_queries_of_the_english_one(
    client: Client, language: str
) -> None:
    from tests.articles.reading.test_kb_views_queries import PAGES, build, count_queries

    build(6)
    indexes = ["/officials/", "/policies/", "/countries/", "/sources/"]
    for url in [*PAGES, *indexes, "/articles/", "/articles/?country=MX"]:
        count_queries(client, url)  # fills what a page caches, for both languages
        assert count_queries(client, f"/{language}{url}") == count_queries(client, url), url


def test_a_missing_page_says_so_in_the_language_of_the_page(client: Client, world: dict) -> None:
    response = client.get("/es/articles/999999/")
    assert response.status_code == 404
    assert "No existe el artículo número 999999." in text(response)
    assert "Il n&#x27;y a pas d&#x27;article numéro 999999." in text(
        client.get("/fr/articles/999999/")
    )


def test_the_export_limit_counts_a_client_across_languages(
    client: Client, settings: object
) -> None:
    settings.TRACKER_EXPORT_RATE_LIMIT = 3  # type: ignore[attr-defined]
    for path in (
        "/exports/countries.csv",
        "/es/exports/countries.csv",
        "/fr/exports/countries.csv",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/es/exports/countries.csv").status_code == 429
