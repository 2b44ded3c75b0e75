"""The pages in a real headless Chromium: browse, filter, search, at desktop and phone widths."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def data() -> None:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    ebrard = f.official(name="Marcelo Ebrard", slug="marcelo-ebrard", country=mx)
    mpp = f.policy(name="Migrant Protection Protocols", slug="mpp")
    summit = f.summit(
        title="North American Leaders' Summit",
        slug="nals-2021",
        start_date=date(2021, 11, 18),
        countries=[us, mx, ca],
        policies=[mpp],
        participants=[(ebrard, "Secretary of Foreign Affairs")],
    )
    f.summit(
        title="Migration dialogue",
        slug="hld-2019",
        start_date=date(2019, 6, 7),
        kind="high_level_dialogue",
        countries=[us, mx],
    )
    wire = f.source(name="Wire Service", domain="wire.example")
    paper = f.source(name="Diario Uno", domain="diario.example", language="es")
    story = f.cluster(size=2)
    first = f.article(
        title="Leaders agree on regional asylum plan",
        source=wire,
        cluster=story,
        body="The three leaders met in Washington and agreed a plan.",
    )
    f.article(
        title="Líderes acuerdan plan regional de asilo",
        source=paper,
        cluster=story,
        language="es",
        original_source=wire,
        published_at=datetime(2021, 11, 18, 18, tzinfo=UTC),
    )
    other = f.article(
        title="Border crossings fall in spring",
        source=paper,
        language="es",
        published_at=datetime(2022, 4, 2, tzinfo=UTC),
    )
    for a in (first,):
        f.mention(article=a, entity=summit, evidence="met in Washington")
        f.mention(article=a, entity=ebrard)
    f.mention(article=other, entity=mx)


def watch(page: Any) -> list[str]:
    """Collect console errors and CSP violations; the test fails if any appear."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def shot(page: Any, output_dir: Path, name: str) -> None:
    for width in (1440, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(output_dir / f"{name}-{width}.png"), full_page=True)
        # At either width nothing may stick out sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}px by {overflow}px"
    page.set_viewport_size({"width": 1440, "height": 900})


def test_an_analyst_browses_filters_and_searches(
    page: Any, live_server: Any, data: None, output_dir: Path
) -> None:
    problems = watch(page)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="2021").is_visible()
    assert page.get_by_text("1 article", exact=True).is_visible()
    shot(page, output_dir, "home")

    page.get_by_role("link", name="North American Leaders' Summit").click()
    assert page.get_by_role("heading", level=1).inner_text() == "North American Leaders' Summit"
    assert page.get_by_role("img", name="Articles per day").is_visible()
    assert page.get_by_text("Secretary of Foreign Affairs").first.is_visible()
    shot(page, output_dir, "summit")

    page.get_by_role("link", name="Leaders agree on regional asylum plan").click()
    assert page.get_by_text("met in Washington", exact=False).first.is_visible()
    assert page.get_by_role("link", name="Líderes acuerdan plan regional de asilo").is_visible()
    shot(page, output_dir, "article")

    page.get_by_role("link", name="Articles", exact=True).click()
    assert page.locator(".article-row").count() == 2  # two stories, three copies
    page.get_by_label("Language").select_option("es")
    page.get_by_label("every copy").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "language=es" in page.url and "per=copy" in page.url
    assert page.locator(".article-row").count() == 2
    assert page.get_by_text("Border crossings fall in spring").is_visible()
    shot(page, output_dir, "filtered")

    page.get_by_label("Search articles").fill("asylum")
    page.get_by_label("Search articles").press("Enter")
    assert page.get_by_role("heading", name="Articles matching “asylum”").is_visible()
    assert page.get_by_text("Leaders agree on regional asylum plan").is_visible()
    assert page.locator(".article-row").count() == 1
    shot(page, output_dir, "search")

    assert problems == []


def test_a_bad_filter_reads_as_a_message_in_the_browser(
    page: Any, live_server: Any, data: None
) -> None:
    problems = watch(page)
    response = page.goto(live_server.url + "/articles/?from=2021-02-30")
    assert response.status == 400
    assert page.get_by_role("alert").inner_text() == (
        "“2021-02-30” is not a date: use YYYY-MM-DD for from."
    )
    # The page's own 400 status is logged by Chromium; anything else is a problem.
    assert [p for p in problems if "status of 400" not in p] == []


def test_the_skip_link_is_the_first_stop_for_the_keyboard(
    page: Any, live_server: Any, data: None
) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
