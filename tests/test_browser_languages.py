"""Every main page in English, Spanish and French in a real headless Chromium, at phone and
desktop widths: nothing sticks out sideways (Spanish and French run longer than English) and
the console stays clean. The switch moves a reader between the languages without script."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.support import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1440)
PREFIX = {"en": "", "es": "/es", "fr": "/fr"}


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def data() -> dict[str, Any]:
    us = f.country("US", name_es="Estados Unidos", name_fr="États-Unis")
    mx = f.country("MX", name_es="México", name_fr="Mexique")
    ca = f.country("CA", name_es="Canadá", name_fr="Canada")
    ebrard = f.official(name="Marcelo Ebrard Casaubón", slug="marcelo-ebrard", country=mx)
    f.tenure(
        official=ebrard,
        office="Secretary of Foreign Affairs",
        office_es="Secretario de Relaciones Exteriores",
        office_fr="Secrétaire aux Relations extérieures",
    )
    mpp = f.policy(
        name="Migrant Protection Protocols (Remain in Mexico)",
        name_es="Protocolos de Protección a Migrantes (Quédate en México)",
        name_fr="Protocoles de protection des migrants (Rester au Mexique)",
        slug="mpp",
    )
    mpp.countries.set([us, mx])
    summit = f.summit(
        title="North American Leaders' Summit",
        slug="nals-2021",
        start_date=date(2021, 11, 18),
        countries=[us, mx, ca],
        country=us,
        policies=[mpp],
        participants=[(ebrard, "Secretary of Foreign Affairs")],
    )
    wire = f.source(name="Wire Service", domain="wire.example")
    paper = f.source(name="Diario Uno", domain="diario.example", language="es")
    story = f.cluster(size=2, first_published_at=datetime(2021, 11, 18, 9, tzinfo=UTC))
    first = f.article(
        title="Leaders agree on regional asylum plan",
        source=wire,
        cluster=story,
        body="The three leaders met in Washington and agreed a plan.",
        published_at=datetime(2021, 11, 18, 9, tzinfo=UTC),
    )
    f.article(
        title="Líderes acuerdan plan regional de asilo",
        source=paper,
        cluster=story,
        language="es",
        original_source=wire,
        published_at=datetime(2021, 11, 18, 18, tzinfo=UTC),
    )
    for entity in (summit, ebrard, mpp, mx):
        f.mention(article=first, entity=entity, evidence="met in Washington")
    return {"article": first.pk}


def pages(article: int) -> list[str]:
    return [
        "/",
        "/summits/nals-2021/",
        "/officials/marcelo-ebrard/",
        "/countries/MX/",
        "/policies/mpp/",
        "/officials/",
        "/policies/",
        "/countries/",
        "/sources/",
        "/?lanes=policies",
        "/articles/",
        "/articles/?q=asylum&per=copy",
        f"/articles/{article}/",
        "/exports/",
        "/api/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_main_page_fits_and_stays_quiet_in_each_language(
    page: Any, live_server: Any, data: dict[str, Any], language: str
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    for path in pages(data["article"]):
        response = page.goto(live_server.url + PREFIX[language] + path)
        assert response.status == (404 if "no-such" in path else 200), path
        assert page.evaluate("document.documentElement.lang") == language, path
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{language} {path} scrolls sideways at {width}px by {overflow}px"
    # The 404 page's own status is logged by Chromium; anything else is a problem.
    assert [p for p in problems if "status of 404" not in p] == []


def test_a_reader_switches_language_and_keeps_the_page(
    page: Any, live_server: Any, data: dict[str, Any]
) -> None:
    page.goto(live_server.url + "/policies/mpp/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Migrant Protection Protocols (Remain in Mexico)"
    )
    page.get_by_role("button", name="español").click()
    assert page.url == live_server.url + "/es/policies/mpp/"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Protocolos de Protección a Migrantes (Quédate en México)"
    )
    assert page.get_by_role("heading", name="Fechas clave").is_visible()
    page.get_by_role("button", name="français").click()
    assert page.url == live_server.url + "/fr/policies/mpp/"
    page.get_by_role("button", name="English").click()
    assert page.url == live_server.url + "/policies/mpp/"


def test_a_browser_set_to_french_opens_the_french_pages(
    chromium: Any, live_server: Any, data: dict[str, Any]
) -> None:
    context = chromium.new_context(locale="fr-CA")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/articles/")
        assert page.url == live_server.url + "/fr/articles/"
        assert page.get_by_role("heading", level=1).inner_text() == "Articles"
        assert page.get_by_role("button", name="Rechercher").is_visible()
    finally:
        context.close()
