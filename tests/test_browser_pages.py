"""Every public page in a real headless Chromium at a phone's and a desktop's width: nothing
sticks out sideways, nothing is logged to the console, tables keep their words whole.

Pages are addressed through PREFIXES, so the same checks run on each interface language's
addresses ("/es/…") once they exist.
"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import factories as f
from tests.test_browser import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1440)
# Language prefixes of the addresses; "" is the default language.
PREFIXES = ("",)
PAGES = ("home", "list", "article", "summit", "official", "country", "policy", "exports", "api")

# Words of a table's cells broken over two lines (a word's text split across line boxes).
# Hyphens and slashes are where lines may end; a break anywhere else cuts a word.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    // A visually hidden header row (the tags table's on a phone) is squeezed on purpose.
    const head = cell.closest("thead");
    if (head && head.getBoundingClientRect().width <= 1) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A line may end after a hyphen or a slash, as browsers allow; not inside a word.
      for (const m of node.data.matchAll(/[^\\s\\/\u2010-\u2014-]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const boxes = [...range.getClientRects()].filter(r => r.width > 0);
        const lines = new Set(boxes.map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def paths() -> dict[str, str]:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    ebrard = f.official(name="Marcelo Ebrard Casaubón", slug="marcelo-ebrard", country=mx)
    mpp = f.policy(name="Migrant Protection Protocols", slug="mpp")
    summit = f.summit(
        title="North American Leaders' Summit",
        slug="nals-2021",
        start_date=date(2021, 11, 18),
        countries=[us, mx, ca],
        policies=[mpp],
        participants=[(ebrard, "Secretary of Foreign Affairs")],
    )
    wire = f.source(name="Wire Service", domain="wire.example", country=us)
    paper = f.source(name="Diario Uno", domain="diario.example", language="es", country=mx)
    gazette = f.source(name="Ottawa Gazette", domain="gazette.example", country=ca)
    story = f.cluster(size=2)
    body = (
        "The three leaders met in Washington and agreed a regional plan on asylum and "
        "labour pathways, with commitments on processing centres. "
    ) * 20
    first = f.article(
        title="Leaders agree on regional asylum plan",
        source=wire,
        cluster=story,
        body=body,
        url="https://wire.example/news/1?utm_source=feed",
        canonical_url="https://wire.example/news/1",
    )
    f.article(
        title="Líderes acuerdan plan regional de asilo",
        source=paper,
        cluster=story,
        language="es",
        original_source=wire,
        published_at=datetime(2021, 11, 18, 23, tzinfo=UTC),
    )
    start = datetime(2021, 10, 1, 12, tzinfo=UTC)
    for i, source in enumerate([wire, paper, gazette] * 8):
        a = f.article(
            title=f"Coverage {i}", source=source, published_at=start + timedelta(days=3 * i)
        )
        f.mention(article=a, entity=summit)
        f.mention(article=a, entity=mx)
        f.mention(article=a, entity=mpp)
    evidence = (
        "Secretary of Foreign Affairs Marcelo Ebrard Casaubón said the Migrant Protection "
        "Protocols would not return, speaking after the North American Leaders' Summit."
    )
    for entity in (summit, ebrard, mpp, mx, us, ca):
        f.mention(article=first, entity=entity, evidence=evidence)
    return {
        "home": "/",
        "list": "/articles/",
        "article": f"/articles/{first.pk}/",
        "summit": "/summits/nals-2021/",
        "official": "/officials/marcelo-ebrard/",
        "country": "/countries/MX/",
        "policy": "/policies/mpp/",
        "exports": "/exports/",
        "api": "/api/",
    }


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_phone_and_a_desktop_without_errors(
    page: Any, live_server: Any, paths: dict[str, str], output_dir: Path, name: str, prefix: str
) -> None:
    problems = watch(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(live_server.url + prefix + paths[name])
        assert response.status == 200, f"{name} answered {response.status}"
        page.screenshot(path=str(output_dir / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {width}px by {overflow}px"
        broken = page.evaluate(BROKEN_WORDS, "main table th, main table td")
        assert broken == [], f"{name} at {width}px breaks words inside table cells: {broken[:5]}"
    assert problems == []


def test_the_tags_of_an_article_read_as_a_short_page_on_a_phone(
    page: Any, live_server: Any, paths: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + paths["article"])
    table = page.locator("table.tags")
    # Six tags with a two-line sentence each: one card per tag, not letters stacked in columns.
    assert table.bounding_box()["height"] < 2000
    assert page.get_by_text("Marcelo Ebrard Casaubón said").first.is_visible()


def test_the_home_chart_is_readable_on_a_phone(
    page: Any, live_server: Any, paths: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + "/?from=2021-10-01&to=2021-11-30")
    chart = page.get_by_role("img", name="Articles per week by press country")
    assert chart.is_visible()
    # Axis values are text at the page's size, not a scaled-down drawing.
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.press .y-top')).fontSize)"
    )
    assert size >= 12
    bars = page.locator(".press rect.bar").evaluate_all(
        "rects => rects.map(r => r.getBoundingClientRect().width)"
    )
    assert bars and min(bars) >= 3 and max(bars) < 390 / 4
