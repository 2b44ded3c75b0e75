from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from articles.models import MentionStatus, ReviewStatus
from tests.support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


@pytest.fixture
def world() -> dict:
    mx = f.country("MX")
    summit = f.summit(title="Leaders' Summit", slug="nals-2021")
    wire = f.source(name="Wire Service", domain="wire.example")
    paper = f.source(name="Diario Uno", domain="diario.example", language="es")
    story = f.cluster(size=2, first_published_at=datetime(2021, 11, 18, tzinfo=UTC))
    original = f.article(
        title="López Obrador and Biden agree on asylum plan",
        body="The presidents met in Washington.\n\nThey agreed a regional asylum plan.",
        source=wire,
        cluster=story,
    )
    copy = f.article(
        title="Lopez Obrador y Biden acuerdan plan de asilo",
        body="Los presidentes se reunieron.",
        source=paper,
        original_source=wire,
        language="es",
        cluster=story,
        published_at=datetime(2021, 11, 18, 15, tzinfo=UTC),
    )
    other = f.article(
        title="Border crossings fall",
        source=paper,
        published_at=datetime(2022, 3, 1, tzinfo=UTC),
        review_status=ReviewStatus.REVIEWED,
    )
    for a in (original, copy):
        f.mention(article=a, entity=summit, evidence="met in Washington at the summit")
        f.mention(article=a, entity=mx)
    f.mention(article=other, entity=summit, status=MentionStatus.REJECTED, evidence="nope")
    return locals()


def rows(html: str) -> int:
    return html.count('class="article-row"')


def test_the_list_shows_one_row_per_story_with_its_copies(client: Client, world: dict) -> None:
    html = client.get("/articles/").content.decode()
    assert rows(html) == 2
    assert "2 copies" in html
    html = client.get("/articles/", {"per": "copy"}).content.decode()
    assert rows(html) == 3


def test_the_list_filters_by_facets_from_the_address(client: Client, world: dict) -> None:
    html = client.get("/articles/", {"summit": "nals-2021", "per": "copy"}).content.decode()
    assert rows(html) == 2 and "Border crossings fall" not in html  # rejected tag hidden
    html = client.get("/articles/", {"language": "es", "per": "copy"}).content.decode()
    assert rows(html) == 1 and "Lopez Obrador y Biden" in html
    html = client.get("/articles/", {"status": "reviewed"}).content.decode()
    assert rows(html) == 1 and "Border crossings fall" in html
    html = client.get("/articles/", {"from": "2022-01-01", "to": "2022-12-31"}).content.decode()
    assert rows(html) == 1
    assert "/exports/articles.csv?from=2022-01-01&amp;to=2022-12-31" in html


def test_a_filtered_list_counts_its_facets(client: Client, world: dict) -> None:
    html = client.get("/articles/", {"country": "MX"}).content.decode()
    assert "In these results" in html
    assert "Wire Service" in html and "summit=nals-2021" in html


def test_a_filter_on_a_source_keeps_the_story_it_carried(client: Client, world: dict) -> None:
    # The Spanish copy is not the story's first copy, but the source filter must still find it.
    html = client.get("/articles/", {"source": "diario.example", "per": "story"}).content.decode()
    assert "Lopez Obrador y Biden" in html and rows(html) == 2


def test_search_finds_words_in_title_and_body(client: Client, world: dict) -> None:
    html = client.get("/articles/", {"q": "asylum", "per": "copy"}).content.decode()
    assert "López Obrador and Biden agree" in html and "Border crossings" not in html
    html = client.get("/articles/", {"q": "zebra"}).content.decode()
    assert "No article matches" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "yesterday"}, "is not a date"),
        ({"source": "abc"}, "There is no source “abc”"),
        ({"source": "a b"}, "is not a source: give its domain"),
        ({"source": "999999"}, "There is no source"),
        ({"official": "nobody"}, "There is no official"),
        ({"per": "page"}, "per must be"),
        ({"status": "maybe"}, "is not a review status"),
        ({"page": "0"}, "is not a page number"),
        ({"q": "x" * 300}, "too long"),
    ],
)
def test_a_bad_parameter_is_a_plain_400(
    client: Client, world: dict, params: dict, message: str
) -> None:
    response = client.get("/articles/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_article_page_shows_text_tags_story_and_outlet(client: Client, world: dict) -> None:
    copy = world["copy"]
    response = client.get(f"/articles/{copy.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Los presidentes se reunieron." in html
    assert "met in Washington at the summit" in html  # evidence
    assert ">Auto</span>" in html  # confident: not in the review queue
    assert "the story comes from <strong>Wire Service</strong>" in html
    assert "López Obrador and Biden agree on asylum plan" in html  # the other copy
    assert f'href="{copy.url}"' in html


def test_the_article_page_does_not_show_rejected_tags(client: Client, world: dict) -> None:
    html = client.get(f"/articles/{world['other'].pk}/").content.decode()
    assert "nope" not in html
    assert "This article has not been tagged yet." in html


def test_an_unknown_article_is_a_friendly_404(client: Client, world: dict) -> None:
    response = client.get("/articles/987654/")
    assert response.status_code == 404
    assert "There is no article number 987654." in response.content.decode()


def test_pages_beyond_the_last_are_404_and_pages_link_onwards(client: Client, world: dict) -> None:
    base = world["original"].published_at
    for i in range(30):
        f.article(title=f"Filler {i}", published_at=base - timedelta(days=i + 1))
    html = client.get("/articles/").content.decode()
    assert rows(html) == 25 and 'rel="next"' in html
    html = client.get("/articles/", {"page": 2}).content.decode()
    assert rows(html) == 7 and 'rel="prev"' in html
    assert client.get("/articles/", {"page": 3}).status_code == 404
