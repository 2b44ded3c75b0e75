"""The index pages, press coverage and policy lanes in a real headless Chromium, at phone and
desktop widths: nothing sticks out sideways and the console stays clean."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from summits.models import PolicyEvent, SummitPolicy
from tests.support import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1440)


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def data() -> None:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    ebrard = f.official(name="Marcelo Ebrard", slug="marcelo-ebrard", country=mx)
    f.tenure(official=ebrard, start=date(2018, 12, 1), end=date(2023, 6, 12))
    joly = f.official(name="Mélanie Joly", slug="melanie-joly", country=ca)
    f.tenure(
        official=joly, office="Minister of Foreign Affairs of Canada", start=date(2021, 10, 26)
    )
    mpp = f.policy(name="Migrant Protection Protocols (Remain in Mexico)", slug="mpp")
    for day, status in [
        (date(2018, 12, 20), "proposed"),
        (date(2019, 1, 29), "in_force"),
        (date(2020, 2, 28), "blocked"),
        (date(2021, 6, 1), "ended"),
    ]:
        PolicyEvent.objects.create(policy=mpp, date=day, status=status)
    talks = f.summit(
        title="US-Mexico talks on tariffs and migration",
        slug="tariff-talks-2019",
        start_date=date(2019, 6, 5),
        end_date=date(2019, 6, 7),
        countries=[us, mx],
        participants=[(ebrard, "Secretary of Foreign Affairs")],
    )
    SummitPolicy.objects.create(summit=talks, policy=mpp, effect="changed")
    outlets = [
        f.source(name="A very long outlet name from the United States", country=us),
        f.source(name="Diario de México", country=mx, language="es", confirmed=True),
        f.source(name="Le Quotidien", country=ca, language="fr", kind="outlet"),
        f.source(name="Somewhere Else"),
    ]
    for i, outlet in enumerate(outlets * 3):
        a = f.article(
            source=outlet,
            published_at=datetime(2019, 5, 20 + i, 12, tzinfo=UTC),
            title=f"Story {i}",
        )
        f.mention(article=a, entity=talks)
        f.mention(article=a, entity=mpp)


def check(page: Any, url: str, output_dir: Path, name: str) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        assert response.status == 200, url
        page.screenshot(path=str(output_dir / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}px by {overflow}px"
    assert problems == [], name


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("officials", "/officials/"),
        ("policies", "/policies/"),
        ("countries", "/countries/"),
        ("sources", "/sources/"),
        ("summit", "/summits/tariff-talks-2019/"),
        ("policy", "/policies/mpp/"),
        ("country", "/countries/MX/"),
        ("home-lanes", "/?lanes=policies"),
    ],
)
def test_the_page_fits_phone_and_desktop_without_console_errors(
    page: Any, live_server: Any, data: None, output_dir: Path, name: str, path: str
) -> None:
    check(page, live_server.url + path, output_dir, name)


def test_a_meeting_on_a_policy_lane_links_to_the_meeting(
    page: Any, live_server: Any, data: None
) -> None:
    page.goto(live_server.url + "/policies/mpp/")
    assert page.get_by_role("img", name="Status of Migrant Protection Protocols").is_visible()
    page.locator("svg.lane a").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "US-Mexico talks on tariffs and migration"
    )
    assert page.get_by_role("heading", name="Coverage by press country").is_visible()
