"""What an analyst's walkthrough of the pages found, each fixed: the CSV link, plurals, the
source filter, outlets' local dates, what public pages show of an article, the home chart."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from articles.reading.coverage import coverage_by_press_country
from tests.support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


@pytest.fixture
def world() -> dict:
    us, mx = f.country("US"), f.country("MX")
    summit = f.summit(title="Leaders' Summit", slug="nals-2021")
    wire = f.source(name="Wire Service", domain="wire.example", country=us)
    paper = f.source(name="Diario Uno", domain="diario.example", language="es", country=mx)
    story = f.cluster(size=2)
    original = f.article(title="Leaders agree on asylum plan", source=wire, cluster=story)
    copy = f.article(
        title="Líderes acuerdan plan de asilo",
        source=paper,
        original_source=wire,
        language="es",
        cluster=story,
        published_at=datetime(2021, 11, 18, 15, tzinfo=UTC),
    )
    lone = f.article(
        title="Border crossings fall", source=paper, published_at=datetime(2022, 3, 1, tzinfo=UTC)
    )
    for a in (original, copy):
        f.mention(article=a, entity=summit, evidence="The leaders met in Washington.")
    return locals()


def rows(html: str) -> int:
    return html.count('class="article-row"')


def link(html: str, text: str) -> str:
    found = re.search(r'<a href="([^"]+)">' + re.escape(text) + "</a>", html)
    assert found, f"no link “{text}”"
    return found.group(1).replace("&amp;", "&")


def test_the_csv_link_exports_the_rows_the_list_shows(client: Client, world: dict) -> None:
    html = client.get("/articles/").content.decode()
    assert rows(html) == 2  # two stories, three copies
    href = link(html, "Download CSV")
    assert "per=story" in href
    exported = list(csv.DictReader(io.StringIO(client.get(href).getvalue().decode())))
    assert len(exported) == 2
    html = client.get("/articles/", {"per": "copy", "language": "es"}).content.decode()
    href = link(html, "Download CSV")
    assert "per=copy" in href and "language=es" in href
    shown = rows(html)
    assert len(list(csv.DictReader(io.StringIO(client.get(href).getvalue().decode())))) == shown


def test_the_list_offers_the_csv_with_a_byte_order_mark_for_spreadsheets(
    client: Client, world: dict
) -> None:
    html = client.get("/articles/", {"language": "es"}).content.decode()
    href = link(html, "for Excel")
    assert "bom=1" in href and "language=es" in href and "per=story" in href
    assert client.get(href).getvalue().startswith("\ufeff".encode())


def test_counts_are_said_in_the_singular_for_one(client: Client, world: dict) -> None:
    html = client.get("/articles/", {"q": "crossings"}).content.decode()
    assert "1 story (" in html and "1 stories" not in html
    html = client.get("/articles/", {"q": "crossings", "per": "copy"}).content.decode()
    assert "1 article (every copy)" in html and "1 articles" not in html
    html = client.get("/articles/").content.decode()
    assert "2 stories (" in html
    world["lone"].mentions.create(kind="summit", summit=world["summit"])
    f.summit(title="Other", slug="other")
    html = client.get("/summits/nals-2021/").content.decode()
    assert "Articles (2 stories)" in html


def test_a_search_with_no_results_shows_no_empty_counts_box(client: Client, world: dict) -> None:
    html = client.get("/articles/", {"q": "zebra"}).content.decode()
    assert "No article matches" in html
    assert "In these results" not in html
    html = client.get("/articles/", {"q": "asylum"}).content.decode()
    assert "In these results" in html


def test_the_source_filter_takes_a_domain_and_says_it_includes_republished_copies(
    client: Client, world: dict
) -> None:
    html = client.get("/articles/", {"source": "wire.example", "per": "copy"}).content.decode()
    assert rows(html) == 2  # its own story and Diario Uno's copy of it
    assert "Líderes acuerdan plan de asilo" in html and "Border crossings" not in html
    assert "the copies other outlets republished from it" in html
    # The form and the counts link sources by domain.
    assert '<option value="wire.example" selected>' in html
    html = client.get("/articles/", {"language": "es"}).content.decode()
    assert "source=diario.example" in html
    assert client.get("/articles/", {"source": "nowhere.example"}).status_code == 400


def test_an_old_link_with_a_source_number_is_redirected_to_its_domain(
    client: Client, world: dict
) -> None:
    response = client.get("/articles/", {"source": str(world["paper"].pk), "per": "copy"})
    assert response.status_code == 301
    assert response["Location"] == "/articles/?source=diario.example&per=copy"
    assert client.get("/articles/", {"source": "987654"}).status_code == 400


def test_dates_are_the_outlets_own_with_the_time_zone(client: Client, world: dict) -> None:
    # 21:00 in Mexico City on 27 December is 03:00 UTC on the 28th.
    evening = f.article(
        title="Late talks in Mexico City",
        source=world["paper"],
        published_at=datetime(2023, 12, 28, 3, tzinfo=UTC),
    )
    html = client.get(f"/articles/{evening.pk}/").content.decode()
    assert '<time datetime="2023-12-27T21:00:00-06:00">27 December 2023, 21:00 CST</time>' in html
    html = client.get("/articles/", {"from": "2023-12-01"}).content.decode()
    assert "27 Dec 2023, 21:00 CST" in html and "28 Dec" not in html
    # An outlet with no known country keeps UTC, and says so.
    unknown = f.article(title="Somewhere", published_at=datetime(2023, 12, 28, 3, tzinfo=UTC))
    html = client.get(f"/articles/{unknown.pk}/").content.decode()
    assert "28 December 2023, 03:00 UTC" in html


def test_the_home_intro_says_where_the_bar_is(client: Client, world: dict) -> None:
    html = client.get("/").content.decode()
    assert "The bar under each meeting" in html and "beside" not in html


BODY = " ".join(f"word{i}" for i in range(400))


def test_public_pages_show_an_excerpt_evidence_and_a_clean_link(
    client: Client, world: dict
) -> None:
    article = f.article(
        title="Long story",
        source=world["paper"],
        body=BODY,
        url="https://diario.example/n/1?id=7&utm_source=tw&fbclid=abc",
        canonical_url="https://diario.example/n/1?id=7&utm_medium=social",
    )
    f.mention(article=article, entity=world["summit"], evidence="They met on Tuesday.")
    html = client.get(f"/articles/{article.pk}/").content.decode()
    excerpt = re.search(r'<blockquote class="excerpt body-text"><p>(.*?)</p>', html, re.S)
    assert excerpt and 250 <= len(excerpt.group(1)) <= 301
    assert excerpt.group(1).startswith("word0 word1") and excerpt.group(1).endswith("…")
    assert "word399" not in html
    assert "They met on Tuesday." in html  # each tag's evidence
    assert 'href="https://diario.example/n/1?id=7"' in html
    assert "utm_" not in html and "fbclid" not in html


def test_signed_in_staff_read_the_full_text(client: Client, world: dict) -> None:
    article = f.article(title="Long story", source=world["paper"], body=BODY)
    staff = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    html = client.get(f"/articles/{article.pk}/").content.decode()
    assert "word399" in html
    reader = get_user_model().objects.create_user("reader", password="x")
    client.force_login(reader)
    assert "word399" not in client.get(f"/articles/{article.pk}/").content.decode()


def test_the_home_chart_counts_articles_per_week_by_press_country(world: dict) -> None:
    ca = f.source(domain="ca.example", country=f.country("CA"))
    other = f.source(domain="other.example")
    monday = datetime(2021, 11, 15, 9, tzinfo=UTC)
    f.article(source=ca, published_at=monday)
    f.article(source=other, published_at=monday + timedelta(days=8))
    press = coverage_by_press_country(date_from=date(2021, 11, 1), date_to=date(2021, 11, 30))
    assert press.per == "week"
    assert [b.start for b in press.buckets] == [
        date(2021, 11, 1), date(2021, 11, 8), date(2021, 11, 15), date(2021, 11, 22),
        date(2021, 11, 29),
    ]  # fmt: skip
    week = press.buckets[2]
    assert week.counts == {"US": 1, "MX": 1, "CA": 1}
    assert press.buckets[3].counts == {"other": 1}
    assert press.totals == {"US": 1, "MX": 1, "CA": 1, "other": 1}
    longer = coverage_by_press_country(date_from=date(2019, 1, 1), date_to=date(2021, 12, 31))
    assert longer.per == "month" and len(longer.buckets) == 36


def test_a_one_month_range_draws_separate_bars_on_a_y_axis(client: Client, world: dict) -> None:
    html = client.get("/", {"from": "2021-11-01", "to": "2021-11-30"}).content.decode()
    chart = html[html.index('class="chart press"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'aria-label="Articles per week by press country: 2 articles in all' in chart
    assert (
        '<span class="y-top">2</span><span class="y-mid">1</span><span class="y-zero">0</span>'
        in chart
    )
    widths = {
        float(w)
        for w in re.findall(r'<rect class="bar[^"]*" x="[^"]+" y="[^"]+" width="([^"]+)"', chart)
    }
    assert widths and max(widths) <= 720 / 12  # bars, not one block
    assert "<title>15 Nov 2021: 2 articles</title>" in chart
    assert "Mexican press 1" in html and "US press 1" in html


def test_exports_take_a_source_by_domain_or_by_its_old_number(client: Client, world: dict) -> None:
    by_domain = client.get("/exports/articles.csv", {"source": "diario.example"}).getvalue()
    by_number = client.get("/exports/articles.csv", {"source": world["paper"].pk}).getvalue()
    assert by_domain == by_number and by_domain.count(b"\r\n") == 3  # header and two copies


def test_an_article_known_only_by_its_feed_summary_shows_it_as_plain_text(
    client: Client, world: dict
) -> None:
    article = f.article(title="Brief", summary="<p>Talks <b>resume</b> in Ottawa.</p>")
    html = client.get(f"/articles/{article.pk}/").content.decode()
    assert "<p>Talks resume in Ottawa.</p>" in html
