from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from articles.models import MentionStatus
from tests.support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


@pytest.fixture
def world() -> dict:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    ebrard = f.official(name="Marcelo Ebrard", slug="marcelo-ebrard", country=mx)
    f.tenure(official=ebrard, office="Secretary of Foreign Affairs", start=date(2018, 12, 1))
    blinken = f.official(name="Antony Blinken", slug="antony-blinken", country=us)
    mpp = f.policy(name="Migrant Protection Protocols", slug="mpp")
    mpp.countries.set([us, mx])
    summit = f.summit(
        title="North American Leaders' Summit",
        slug="nals-2021",
        start_date=date(2021, 11, 18),
        countries=[us, mx, ca],
        country=us,
        policies=[mpp],
        participants=[(ebrard, "Secretary of Foreign Affairs"), (blinken, "Secretary of State")],
        outcome="A joint declaration on migration.",
    )
    older = f.summit(
        title="Bilateral dialogue",
        slug="hld-2019",
        start_date=date(2019, 6, 7),
        kind="high_level_dialogue",
        countries=[us, mx],
    )
    return {
        "us": us,
        "mx": mx,
        "ca": ca,
        "ebrard": ebrard,
        "blinken": blinken,
        "mpp": mpp,
        "summit": summit,
        "older": older,
    }


def covered(world: dict, n: int, *, day: datetime | None = None) -> list:
    articles = []
    for i in range(n):
        a = f.article(
            title=f"Leaders meet on migration {i}",
            published_at=(day or datetime(2021, 11, 18, 9, tzinfo=UTC)) + timedelta(hours=i),
        )
        f.mention(article=a, entity=world["summit"])
        f.mention(article=a, entity=world["mx"])
        f.mention(article=a, entity=world["ebrard"])
        f.mention(article=a, entity=world["mpp"])
        articles.append(a)
    return articles


def test_home_groups_meetings_by_year_with_their_coverage(client: Client, world: dict) -> None:
    covered(world, 3)
    html = client.get("/").content.decode()
    assert html.index(">2021<") < html.index(">2019<")
    assert "North American Leaders&#x27; Summit" in html
    assert "Marcelo Ebrard" in html and "Migrant Protection Protocols" in html
    assert "3 articles" in html and "0 articles" in html


def test_home_filters_by_kind_and_country_through_the_address(client: Client, world: dict) -> None:
    html = client.get("/", {"kind": "high_level_dialogue"}).content.decode()
    assert "Bilateral dialogue" in html and "North American Leaders" not in html
    html = client.get("/", {"country": "ca"}).content.decode()
    assert "North American Leaders" in html and "Bilateral dialogue" not in html
    assert "/exports/summits.csv?country=CA" in html


def test_home_says_so_when_nothing_matches(client: Client, world: dict) -> None:
    html = client.get("/", {"from": "2030-01-01"}).content.decode()
    assert "No meetings match these filters" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2021-13-45"}, "is not a date"),
        ({"country": "ZZ"}, "There is no country"),
        ({"kind": "party"}, "is not a kind of meeting"),
        ({"from": "2022-01-01", "to": "2021-01-01"}, "start date is after the end date"),
    ],
)
def test_home_answers_a_bad_filter_with_a_plain_400(
    client: Client, world: dict, params: dict, message: str
) -> None:
    response = client.get("/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_summit_page_shows_facts_chart_sources_and_stories(client: Client, world: dict) -> None:
    articles = covered(world, 2)
    copy = f.article(
        title="Leaders meet on migration (copy)",
        cluster=f.cluster(size=2),
        published_at=datetime(2021, 11, 19, tzinfo=UTC),
    )
    articles[0].cluster = copy.cluster
    articles[0].save()
    f.mention(article=copy, entity=world["summit"])
    response = client.get("/summits/nals-2021/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Secretary of State" in html and "A joint declaration on migration." in html
    assert html.count('class="bar marked"') == 1  # one meeting day
    chart = html.split('<svg class="chart-plot"')[1].split("</svg>")[0]
    assert chart.count('<rect class="bar') == 57  # four weeks either side, and the day
    assert "2 copies" in html
    # Three articles, two stories: the copy is folded into its story.
    assert html.count('class="article-row"') == 2
    assert "/exports/articles.csv?summit=nals-2021" in html


def test_summit_page_hides_rejected_tags_from_coverage(client: Client, world: dict) -> None:
    a = f.article(title="Wrongly tagged")
    f.mention(article=a, entity=world["summit"], status=MentionStatus.REJECTED)
    html = client.get("/summits/nals-2021/").content.decode()
    assert "Wrongly tagged" not in html
    assert "No article has been tagged with this meeting yet." in html


def test_an_unknown_summit_is_a_friendly_404(client: Client, world: dict) -> None:
    response = client.get("/summits/no-such-summit/")
    assert response.status_code == 404
    assert "There is no summit “no-such-summit”." in response.content.decode()


def test_a_bad_page_number_is_a_400(client: Client, world: dict) -> None:
    assert client.get("/summits/nals-2021/", {"page": "x"}).status_code == 400
    assert client.get("/summits/nals-2021/", {"page": "9"}).status_code == 404


def test_official_page_shows_roles_meetings_coverage_and_company(
    client: Client, world: dict
) -> None:
    covered(world, 2)
    html = client.get("/officials/marcelo-ebrard/").content.decode()
    assert "Secretary of Foreign Affairs" in html
    assert "North American Leaders" in html
    assert 'class="chart"' in html
    assert "Migrant Protection Protocols" in html  # co-mentioned
    assert client.get("/officials/nobody/").status_code == 404


def test_country_and_policy_pages_list_their_meetings(client: Client, world: dict) -> None:
    covered(world, 1)
    html = client.get("/countries/mx/").content.decode()
    assert "Mexico" in html and "Bilateral dialogue" in html and "Marcelo Ebrard" in html
    html = client.get("/policies/mpp/").content.decode()
    assert "North American Leaders" in html and "Bilateral dialogue" not in html
    assert client.get("/countries/zz/").status_code == 404
    assert client.get("/policies/nothing/").status_code == 404


def test_an_entity_without_articles_says_so(client: Client, world: dict) -> None:
    html = client.get("/officials/antony-blinken/").content.decode()
    assert "No article has been tagged with Antony Blinken yet." in html


def test_pages_carry_a_strict_content_security_policy(client: Client, world: dict) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script" not in response.content.decode()
    assert " style=" not in response.content.decode()


def test_the_officials_index_shows_an_edit_of_the_knowledge_base_at_once(
    client: Client, world: dict
) -> None:
    assert "Roberta Jacobson" not in client.get("/officials/").content.decode()
    new = f.official(name="Roberta Jacobson", slug="roberta-jacobson", country=f.country("US"))
    html = client.get("/officials/").content.decode()
    assert "Roberta Jacobson" in html and "No office recorded." in html
    f.tenure(official=new, office="Ambassador to Mexico", role="ambassador")
    html = client.get("/officials/").content.decode()
    assert "Ambassador to Mexico" in html
    assert client.get("/es/officials/").content.decode().count("Roberta Jacobson") == 1
