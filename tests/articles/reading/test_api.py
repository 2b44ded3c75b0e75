"""Atom feeds and JSON of every filtered view: valid Atom, round-tripped filters and cursors,
bounded queries, plain 400s, and old slugs that redirect."""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import feedparser
import pytest
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.reading.api import EXCERPT_CHARS, PER_PAGE, cursor_encode
from articles.reading.filters import ArticleFilters
from articles.reading.selectors import article_list
from summits.models import Official, Summit
from summits.slugs import slug_change_record
from tests.support import factories as f

pytestmark = pytest.mark.django_db

LONG_BODY = "Full text that belongs to the publisher. " * 40


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def world() -> dict[str, Any]:
    mx, us = f.country("MX"), f.country("US")
    amlo = f.official(name="Andrés Manuel López Obrador", slug="amlo", country=mx)
    mpp = f.policy(name="Remain in Mexico", slug="mpp")
    summit = f.summit(slug="nals-2021", title="North American Leaders' Summit 2021")
    start = datetime(2021, 11, 1, 12, tzinfo=UTC)
    articles = []
    for i in range(2 * PER_PAGE + 7):
        source = f.source(language="es" if i % 3 else "en")
        a = f.article(
            title=f"Migración story {i}",
            summary=f"<p>Resumen <b>{i}</b> de la cumbre</p>" if i % 2 else "",
            body=LONG_BODY,
            language=source.language,
            source=source,
            # Some share a date, so the cursor must break ties by id.
            published_at=start + timedelta(hours=i // 2),
            canonical_url=f"https://outlet.example/story-{i}",
        )
        for entity in (summit, mx, amlo) if i % 2 else (us, mpp):
            f.mention(article=a, entity=entity, evidence=f"Evidence sentence {i}.")
        articles.append(a)
    return {"mx": mx, "amlo": amlo, "mpp": mpp, "summit": summit, "articles": articles}


FEEDS = [
    "/api/articles.atom",
    "/api/articles.atom?country=MX&language=es",
    "/api/articles.atom?q=migracion",
    "/api/timeline.atom",
    "/api/timeline.atom?country=MX&from=2020-01-01",
    "/api/summits/nals-2021.atom",
    "/api/officials/amlo.atom",
    "/api/countries/mx.atom",
    "/api/policies/mpp.atom",
]


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_is_valid_atom_with_stable_ids_and_links(
    client: Client, world: dict[str, Any], url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.entries
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("tag:testserver,2026:") for i in ids)
    for entry in feed.entries:
        assert entry.link.startswith("http")
        assert entry.title
    # The same request gives the same ids: a reader does not see old entries as new.
    again = feedparser.parse(client.get(url).content)
    assert [e.id for e in again.entries] == ids


def test_an_article_entry_has_the_excerpt_tags_and_evidence_never_the_full_text(
    client: Client, world: dict[str, Any]
) -> None:
    feed = feedparser.parse(client.get("/api/officials/amlo.atom").content)
    entry = feed.entries[0]
    assert entry.link.startswith("https://outlet.example/story-")
    assert "Evidence sentence" in entry.summary
    assert LONG_BODY not in entry.summary
    assert {t.term for t in entry.tags} >= {"Andrés Manuel López Obrador"}


def _all_pages(client: Client, url: str) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["articles"]
        pages += 1
        url = body["next"]
    return rows, pages


def test_json_cursors_walk_every_article_once_in_the_pages_order(
    client: Client, world: dict[str, Any]
) -> None:
    rows, pages = _all_pages(client, "/api/articles.json?per=copy")
    expected = list(article_list(filters=ArticleFilters(per="copy")))
    assert [r["url"] for r in rows] == [f"http://testserver/articles/{a.pk}/" for a in expected]
    assert pages == 3
    first = rows[0]
    assert set(first) == {
        "id",
        "url",
        "title",
        "outlet",
        "published_at",
        "language",
        "excerpt",
        "canonical_url",
        "story",
        "tags",
    }
    assert len(first["excerpt"]) <= EXCERPT_CHARS + 1  # and an ellipsis
    assert all("evidence" in t for t in first["tags"])


def test_an_entitys_json_pages_through_its_articles(client: Client, world: dict[str, Any]) -> None:
    rows, _ = _all_pages(client, "/api/summits/nals-2021.json")
    tagged = [a for a in world["articles"] if any(m.summit_id for m in a.mentions.all())]
    assert sorted(r["url"] for r in rows) == sorted(
        f"http://testserver/articles/{a.pk}/" for a in tagged
    )


QUERIES = st.fixed_dictionaries(
    {},
    optional={
        "country": st.sampled_from(["MX", "US", "mx"]),
        "official": st.just("amlo"),
        "policy": st.just("mpp"),
        "summit": st.just("nals-2021"),
        "language": st.sampled_from(["es", "en", "fr"]),
        "q": st.sampled_from(["migracion", "story", '"migracion story"', "AMLO", "cumbre"]),
        "from": st.sampled_from(["2021-11-01", "2021-11-02"]),
        "to": st.sampled_from(["2021-11-02", "2021-12-31"]),
        "per": st.sampled_from(["story", "copy"]),
    },
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=QUERIES)
def test_json_round_trips_any_filters_and_matches_the_page(
    client: Client, world: dict[str, Any], params: dict[str, str]
) -> None:
    query = QueryDict(mutable=True)
    query.update(params)
    filters = ArticleFilters.from_query(query)
    rows, _ = _all_pages(client, "/api/articles.json?" + query.urlencode())
    expected = list(article_list(filters=filters))
    assert [r["url"] for r in rows] == [f"http://testserver/articles/{a.pk}/" for a in expected]
    body = client.get("/api/articles.json?" + query.urlencode()).json()
    assert body["filters"] == filters.as_query()
    # The filters it reports give the same answer again.
    again = QueryDict(mutable=True)
    again.update(body["filters"])
    assert client.get("/api/articles.json?" + again.urlencode()).json() == body


def test_the_timeline_json_pages_meetings_by_cursor(client: Client) -> None:
    for i in range(PER_PAGE + 3):
        f.summit(start_date=date(2000, 1, 1) + timedelta(days=30 * (i // 2)))
    seen: list[str] = []
    url = "/api/timeline.json"
    while url:
        body = client.get(url).json()
        seen += [s["id"] for s in body["summits"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == Summit.objects.count()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/articles.json?contry=MX", "does not take the parameter “contry”"),
        ("/api/articles.json?country=ZZ", "There is no country “ZZ”"),
        ("/api/articles.json?from=yesterday", "is not a date"),
        ("/api/articles.json?cursor=nonsense", "The cursor is not one this API gave out"),
        ("/api/articles.json?cursor=" + cursor_encode(["soon", 1]), "cursor is not one"),
        ("/api/timeline.json?cursor=" + cursor_encode(["2021-13-01", 1]), "cursor is not one"),
        ("/api/summits/nals-2021.json?q=x", "does not take the parameter “q”"),
        ("/api/articles.atom?cursor=abc", "cursor on .json only"),
        ("/api/timeline.json?kind=picnic", "is not a kind of meeting"),
    ],
)
def test_a_bad_parameter_is_a_400_in_plain_words(
    client: Client, world: dict[str, Any], url: str, words: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    text = (
        response.json()["error"]
        if url.split("?")[0].endswith(".json")
        else response.content.decode()
    )
    assert words in text


def test_an_unknown_entity_is_a_404(client: Client, world: dict[str, Any]) -> None:
    assert client.get("/api/summits/nowhere.json").status_code == 404
    assert client.get("/api/articles.xml").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/articles.json",
        "/api/articles.json?country=MX&language=es&q=migracion",
        "/api/articles.atom?official=amlo",
        "/api/timeline.json?country=MX",
        "/api/timeline.atom",
        "/api/summits/nals-2021.json",
        "/api/officials/amlo.atom",
        "/api/countries/MX.json",
        "/api/policies/mpp.json",
        "/api/",
    ],
)
def test_each_endpoint_runs_a_bounded_number_of_queries(
    client: Client, world: dict[str, Any], url: str, django_assert_max_num_queries: Any
) -> None:
    client.get(url)  # the knowledge base for search is compiled once per process
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_an_old_slug_redirects_pages_and_feeds_to_the_new_one(
    client: Client, world: dict[str, Any]
) -> None:
    amlo: Official = world["amlo"]
    amlo.slug = "andres-manuel-lopez-obrador"
    amlo.save()
    slug_change_record(entity=amlo, old_slug="amlo")
    page = client.get("/officials/amlo/")
    assert page.status_code == 301
    assert page["Location"] == "/officials/andres-manuel-lopez-obrador/"
    feed = client.get("/api/officials/amlo.atom")
    assert feed.status_code == 301
    assert feed["Location"] == "/api/officials/andres-manuel-lopez-obrador.atom"
    assert client.get("/officials/andres-manuel-lopez-obrador/").status_code == 200
    # Renamed back: the slug is live again and no longer redirects.
    amlo.slug = "amlo"
    amlo.save()
    slug_change_record(entity=amlo, old_slug="andres-manuel-lopez-obrador")
    assert client.get("/officials/amlo/").status_code == 200
    assert client.get("/officials/andres-manuel-lopez-obrador/")["Location"] == "/officials/amlo/"


@pytest.mark.parametrize(
    ("url", "atom"),
    [
        ("/", "/api/timeline.atom"),
        ("/?country=MX", "/api/timeline.atom?country=MX"),
        ("/articles/?q=migracion&language=es", "/api/articles.atom?q=migracion&amp;language=es"),
        ("/summits/nals-2021/", "/api/summits/nals-2021.atom"),
        ("/officials/amlo/", "/api/officials/amlo.atom"),
        ("/countries/MX/", "/api/countries/MX.atom"),
        ("/policies/mpp/", "/api/policies/mpp.atom"),
    ],
)
def test_every_page_links_its_feeds_and_has_open_graph_tags(
    client: Client, world: dict[str, Any], url: str, atom: str
) -> None:
    html = client.get(url).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{atom}"' in html
    assert 'type="application/json"' in html
    assert "Atom feed</a>" in html
    for tag in ('property="og:title"', 'property="og:url"', 'name="twitter:card"'):
        assert tag in html


def test_the_api_page_documents_every_view_with_examples_that_work(
    client: Client, world: dict[str, Any]
) -> None:
    f.country("CA")
    html = client.get("/api/").content.decode()
    links = re.findall(r'href="(/api/[^"]+)"', html)
    assert len(links) >= 4
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    assert "next_cursor" in html
