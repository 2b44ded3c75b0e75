import csv
import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st

from articles.models import VISIBLE_STATUSES, Article, Mention, Source, StoryCluster
from articles.reading.exports import (
    KINDS,
    cell_neutralise,
    cell_restore,
    list_join,
    list_split,
    tagger_version,
)
from articles.reading.filters import ArticleFilters
from articles.reading.rights import article_excerpt
from articles.reading.views_export import WINDOW_SECONDS, _carried, _seconds_to_wait
from summits.models import (
    Country,
    Official,
    OfficialAlias,
    Policy,
    PolicyAlias,
    PolicyCitation,
    PolicyEvent,
    RoleTenure,
    Summit,
    SummitParticipant,
)

pytestmark = pytest.mark.django_db

# Values a researcher's data must survive: quoting, line breaks, formulas, bidi marks, emoji.
HOSTILE = [
    'He said "no", then left',
    "line one\nline two\r\nline three",
    '=HYPERLINK("http://evil.example","click")',
    "+1 for the plan",
    "-2 degrees at the border",
    "@SUM(A1:A9)",
    "\tindented",
    "\rcarriage",
    "'=already escaped looking",
    "'quoted but harmless",
    "\u200f\u0645\u0631\u062d\u0628\u0627\u200e mixed \u202etxet\u202c",
    "Leaders 🇺🇸🇲🇽🇨🇦 meet 👋🏽",
    "semi; colon \\ backslash",
]
# PostgreSQL cannot store NUL in text; SQLite can, and then the CSV must carry it.
NUL = "before\x00after"


def hostile_values() -> list[str]:
    return [*HOSTILE, NUL] if connection.vendor == "sqlite" else list(HOSTILE)


@pytest.fixture(autouse=True)
def _clear_rate_limit() -> None:
    cache.clear()


@pytest.fixture
def client() -> Client:
    return Client()


def get(client: Client, url: str, **params: str) -> Any:
    return client.get(url, params, secure=True)


def body(response: Any) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def as_dicts(data: bytes) -> list[dict[str, str]]:
    rows = parse(data)
    return [dict(zip(rows[0], (cell_restore(c) for c in row), strict=True)) for row in rows[1:]]


class World:
    """A small knowledge base and a few articles, some with hostile text."""

    def __init__(self) -> None:
        self.us = Country.objects.create(
            iso2="US",
            iso3="USA",
            name_en="United States",
            name_es="Estados Unidos",
            name_fr="États-Unis",
            is_core=True,
            aliases=["U.S.", "EE.UU."],
        )
        self.mx = Country.objects.create(
            iso2="MX",
            iso3="MEX",
            name_en="Mexico",
            name_es="México",
            name_fr="Mexique",
            is_core=True,
        )
        self.official = Official.objects.create(
            slug="alicia-barcena", name="Alicia Bárcena", country=self.mx, needs_review=True
        )
        OfficialAlias.objects.create(official=self.official, name="=Bárcena")
        OfficialAlias.objects.create(official=self.official, name="A. Bárcena; SRE")
        RoleTenure.objects.create(
            official=self.official,
            office="Secretary of Foreign Affairs",
            role="foreign_minister",
            country=self.mx,
            start=date(2023, 7, 3),
            end=date(2024, 9, 30),
        )
        RoleTenure.objects.create(
            official=self.official,
            office="Secretary of Environment",
            role="other",
            country=self.mx,
            agency="SEMARNAT",
            start=date(2024, 10, 1),
        )
        self.untenured = Official.objects.create(
            slug="someone-else", name="Someone Else", country=self.us
        )
        self.policy = Policy.objects.create(
            slug="remain-in-mexico",
            name="Migrant Protection Protocols",
            description=HOSTILE[1],
        )
        PolicyCitation.objects.create(
            policy=self.policy,
            url="https://example.org/mpp/2019-01-24-policy-guidance",
            title="Policy guidance",
            publisher="Example",
            kind="primary",
        )
        self.policy.countries.set([self.us, self.mx])
        PolicyAlias.objects.create(policy=self.policy, name="MPP")
        PolicyEvent.objects.create(policy=self.policy, date=date(2019, 1, 25), status="in_force")
        PolicyEvent.objects.create(policy=self.policy, date=date(2021, 6, 1), status="ended")
        self.summit = Summit.objects.create(
            slug="nals-2023",
            title="North American Leaders' Summit",
            kind="leaders_summit",
            start_date=date(2023, 1, 9),
            end_date=date(2023, 1, 10),
            city="Mexico City",
            country=self.mx,
            outcome=HOSTILE[2],
            aliases=["Three Amigos", "-cumbre"],
        )
        self.summit.countries.set([self.mx, self.us])
        self.summit.policies.set([self.policy])
        SummitParticipant.objects.create(
            summit=self.summit, official=self.official, role="Foreign minister; host"
        )
        self.source = Source.objects.create(name='Diario "Uno"', domain="uno.example")
        self.other = Source.objects.create(name="=Wire", domain="wire.example")
        self.cluster = StoryCluster.objects.create(size=2)
        self.articles: list[Article] = []
        for i, text in enumerate(hostile_values()):
            self.articles.append(
                article(
                    self,
                    i,
                    title=text,
                    authors=[text, "Ana; María", "B\\C"],
                    language="es" if i % 2 else "en",
                    cluster=self.cluster if i in (0, 1) else None,
                )
            )
        first = self.articles[0]
        Mention.objects.create(
            article=first,
            kind="country",
            country=self.mx,
            confidence=0.9,
            method="alias",
            evidence=HOSTILE[0],
        )
        Mention.objects.create(
            article=first,
            kind="country",
            country=self.us,
            confidence=0.95,
            method="alias",
            evidence=HOSTILE[10],
        )
        Mention.objects.create(
            article=first,
            kind="official",
            official=self.official,
            confidence=0.7,
            method="role",
            evidence=hostile_values()[-1],
        )
        Mention.objects.create(
            article=first,
            kind="policy",
            policy=self.policy,
            confidence=0.4,
            status="rejected",
        )
        Mention.objects.create(
            article=self.articles[2],
            kind="summit",
            summit=self.summit,
            confidence=1.0,
            status="editor_added",
        )
        Mention.objects.create(
            article=self.articles[3],
            kind="country",
            country=self.mx,
            confidence=0.5,
            status="approved",
        )


JAN_1 = datetime(2024, 1, 1, 12, 30, 5, tzinfo=UTC)


def article(world: World, i: int, **fields: Any) -> Article:
    url = f'https://uno.example/story/{i}?q="x"'
    defaults: dict[str, Any] = {
        "url": url,
        "canonical_url": url.split("?")[0],
        "url_hash": hashlib.sha256(url.encode()).hexdigest(),
        "source": world.source,
        "original_source": world.other if i % 3 == 0 else None,
        "original_source_name": "" if i % 3 == 0 else ("Reuters" if i % 3 == 1 else ""),
        "published_at": datetime(2024, 1, 1, 12, 30, 5, tzinfo=UTC) + timedelta(days=i)
        if i % 4
        else None,
        "tagger_version": "1.0" if i % 2 else "",
        "review_status": "reviewed" if i == 3 else "unreviewed",
    }
    return Article.objects.create(**(defaults | fields))


@pytest.fixture
def world() -> World:
    return World()


def expected_article(a: Article) -> dict[str, str]:
    mentions = [m for m in a.mentions.order_by("-confidence", "pk") if m.status in VISIBLE_STATUSES]

    def ids(kind: str) -> list[str]:
        keys = {"country": "iso2", "official": "slug", "policy": "slug", "summit": "slug"}
        return [getattr(getattr(m, kind), keys[kind]) for m in mentions if m.kind == kind]

    original = a.original_source.name if a.original_source else a.original_source_name
    published = a.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") if a.published_at else ""
    return {
        "article_id": str(a.pk),
        "story_id": str(a.cluster_id or ""),
        "url": a.url,
        "canonical_url": a.canonical_url,
        "source": a.source.name,
        "source_domain": a.source.domain,
        "original_source": original,
        "title": a.title,
        "published_utc": published,
        "language": a.language,
        "authors": a.authors,
        "summits": ids("summit"),
        "countries": ids("country"),
        "officials": ids("official"),
        "policies": ids("policy"),
        "review_status": a.review_status,
        "tagger_version": a.tagger_version,
        "published_unknown": "true" if a.published_unknown else "false",
        "excerpt": article_excerpt(body=a.body, summary=a.summary),
    }


LIST_COLUMNS = ("authors", "summits", "countries", "officials", "policies")


def decoded(row: dict[str, str]) -> dict[str, Any]:
    return {k: list_split(v) if k in LIST_COLUMNS else v for k, v in row.items()}


def test_articles_csv_round_trips_every_value_of_every_article(
    client: Client, world: World
) -> None:
    response = get(client, "/exports/articles.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="articles-' in response["Content-Disposition"]
    rows = [decoded(r) for r in as_dicts(body(response))]
    assert len(rows) == Article.objects.count() == len(hostile_values())
    expected = [expected_article(a) for a in Article.objects.order_by("pk")]
    assert rows == expected
    # The hostile titles came back character for character.
    assert [r["title"] for r in rows] == hostile_values()


def test_formula_cells_are_neutralised_in_the_file_itself(client: Client, world: World) -> None:
    raw = parse(body(get(client, "/exports/articles.csv")))
    titles = [row[raw[0].index("title")] for row in raw[1:]]
    for title in titles:
        assert title[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    assert "''=already escaped looking" in titles
    assert "'quoted but harmless" in titles
    assert "'=Wire" in [row[raw[0].index("original_source")] for row in raw[1:]]


def test_the_file_follows_rfc_4180(client: Client, world: World) -> None:
    data = body(get(client, "/exports/articles.csv"))
    assert data.startswith(b"article_id,story_id,url,")
    assert data.endswith(b"\r\n")
    assert b'"He said ""no"", then left"' in data
    assert b'"line one\nline two\r\nline three"' in data


def test_bom_is_added_only_when_asked(client: Client, world: World) -> None:
    assert not body(get(client, "/exports/countries.csv")).startswith(b"\xef\xbb\xbf")
    data = body(get(client, "/exports/countries.csv", bom="1"))
    assert data.startswith(b"\xef\xbb\xbfiso2,")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "iso2"


@pytest.mark.parametrize(
    "params",
    [
        {"country": "MX"},
        {"country": "us", "language": "en"},
        {"official": "alicia-barcena"},
        {"summit": "nals-2023"},
        {"from": "2024-01-02", "to": "2024-01-05"},
        {"status": "reviewed"},
        {"q": "line"},
        {"source": "1"},
    ],
)
def test_filtered_articles_match_the_filters_count_and_rows(
    client: Client, world: World, params: dict[str, str]
) -> None:
    if "source" in params:
        params = {"source": str(world.other.pk)}
    rows = as_dicts(body(get(client, "/exports/articles.csv", **params)))
    query = QueryDict(mutable=True)
    query.update(params | {"per": "copy"})
    matching = ArticleFilters.from_query(query).apply(Article.objects.all()).order_by("pk")
    assert matching.exists()
    assert [int(r["article_id"]) for r in rows] == list(matching.values_list("pk", flat=True))
    assert [decoded(r) for r in rows] == [expected_article(a) for a in matching]


def test_per_story_gives_one_row_per_story_with_its_copies(client: Client, world: World) -> None:
    rows = as_dicts(body(get(client, "/exports/articles.csv", per="story")))
    assert "copies" in rows[0]
    # Articles 0 and 1 share a story: the first stored stands for it.
    assert len(rows) == Article.objects.count() - 1
    by_id = {int(r["article_id"]): r for r in rows}
    assert world.articles[1].pk not in by_id
    assert by_id[world.articles[0].pk]["copies"] == "2"
    assert by_id[world.articles[2].pk]["copies"] == "1"
    # With a filter only one copy matches: the story is still there, counted once.
    rows = as_dicts(body(get(client, "/exports/articles.csv", per="story", language="es")))
    by_id = {int(r["article_id"]): r for r in rows}
    assert by_id[world.articles[1].pk]["copies"] == "1"
    assert world.articles[0].pk not in by_id


def test_mentions_csv_is_long_format_without_rejected_tags(client: Client, world: World) -> None:
    rows = as_dicts(body(get(client, "/exports/mentions.csv")))
    visible = Mention.objects.filter(status__in=VISIBLE_STATUSES)
    assert len(rows) == visible.count() == 5
    expected = []
    for m in visible.order_by("article_id", "kind", "-confidence", "pk"):
        entity: Any = m.entity  # the kind says which of the four it is
        expected.append(
            {
                "article_id": str(m.article_id),
                "kind": m.kind,
                "entity_id": entity.iso2 if m.kind == "country" else entity.slug,
                "entity_name": entity.name_en
                if m.kind == "country"
                else str(entity.title if m.kind == "summit" else entity.name),
                "confidence": repr(m.confidence),
                "method": m.method,
                "status": m.status,
                "evidence": m.evidence,
            }
        )
    assert rows == expected
    assert "rejected" not in {r["status"] for r in rows}


def test_mentions_csv_adds_rejected_tags_when_asked_and_follows_article_filters(
    client: Client, world: World
) -> None:
    rows = as_dicts(body(get(client, "/exports/mentions.csv", include_rejected="1")))
    assert len(rows) == Mention.objects.count()
    assert "rejected" in {r["status"] for r in rows}
    rows = as_dicts(body(get(client, "/exports/mentions.csv", summit="nals-2023")))
    assert {r["article_id"] for r in rows} == {str(world.articles[2].pk)}


def test_summits_csv_round_trips(client: Client, world: World) -> None:
    rows = as_dicts(body(get(client, "/exports/summits.csv")))
    assert len(rows) == Summit.objects.count() == 1
    row = rows[0]
    assert row["summit_id"] == "nals-2023"
    assert row["title"] == "North American Leaders' Summit"
    assert (row["start_date"], row["end_date"]) == ("2023-01-09", "2023-01-10")
    assert row["host_country"] == "MX"
    assert list_split(row["countries"]) == ["MX", "US"]
    assert list_split(row["participants"]) == ["alicia-barcena"]
    assert list_split(row["participant_roles"]) == ["Foreign minister; host"]
    assert list_split(row["policies"]) == ["remain-in-mexico"]
    assert row["outcome"] == HOSTILE[2]
    assert list_split(row["aliases"]) == ["Three Amigos", "-cumbre"]
    assert row["needs_review"] == "false"
    assert row["articles"] == "1"
    assert as_dicts(body(get(client, "/exports/summits.csv", kind="ministerial"))) == []


def test_officials_csv_has_one_row_per_tenure(client: Client, world: World) -> None:
    rows = as_dicts(body(get(client, "/exports/officials.csv")))
    assert len(rows) == RoleTenure.objects.count() + 1
    assert [r["office"] for r in rows[:2]] == [
        "Secretary of Foreign Affairs",
        "Secretary of Environment",
    ]
    assert rows[0]["end"] == "2024-09-30" and rows[1]["end"] == ""
    assert rows[1]["agency"] == "SEMARNAT"
    assert list_split(rows[0]["aliases"]) == ["=Bárcena", "A. Bárcena; SRE"]
    assert rows[0]["needs_review"] == "true"
    assert rows[2]["official_id"] == "someone-else" and rows[2]["office"] == ""
    mexican = as_dicts(body(get(client, "/exports/officials.csv", country="MX")))
    assert {r["official_id"] for r in mexican} == {"alicia-barcena"}


def test_policies_and_countries_csv_round_trip(client: Client, world: World) -> None:
    rows = as_dicts(body(get(client, "/exports/policies.csv")))
    assert len(rows) == Policy.objects.count() == 1
    assert rows[0]["description"] == HOSTILE[1]
    assert list_split(rows[0]["events"]) == ["2019-01-25 in_force", "2021-06-01 ended"]
    assert rows[0]["latest_status"] == "ended"
    assert list_split(rows[0]["aliases"]) == ["MPP"]
    rows = as_dicts(body(get(client, "/exports/countries.csv")))
    assert [r["iso2"] for r in rows] == ["MX", "US"]
    assert rows[1]["name_fr"] == "États-Unis"
    assert list_split(rows[1]["aliases"]) == ["U.S.", "EE.UU."]


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        ("/exports/articles.csv", {"from": "yesterday"}, "is not a date"),
        ("/exports/articles.csv", {"country": "ZZ"}, "There is no country"),
        ("/exports/articles.csv", {"per": "page"}, "per must be"),
        ("/exports/articles.csv", {"contry": "MX"}, "does not take the parameter “contry”"),
        ("/exports/articles.csv", {"bom": "maybe"}, "bom must be 1 or 0"),
        ("/exports/summits.csv", {"kind": "party"}, "is not a kind of meeting"),
        ("/exports/officials.csv", {"role": "king"}, "is not a role"),
        ("/exports/countries.csv", {"country": "MX"}, "does not take the parameter"),
    ],
)
def test_a_bad_parameter_is_a_400_that_says_why(
    client: Client, world: World, url: str, params: dict[str, str], message: str
) -> None:
    response = get(client, url, **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()


def test_an_unknown_export_is_a_404_naming_the_real_ones(client: Client, db: None) -> None:
    response = get(client, "/exports/users.csv")
    assert response.status_code == 404
    assert "articles, mentions, summits" in response.content.decode()


def test_the_sidecar_states_time_filters_count_and_versions(client: Client, world: World) -> None:
    response = get(client, "/exports/articles.csv", country="MX", meta="1")
    assert response.status_code == 200
    meta = response.json()
    assert meta["export"] == "articles.csv"
    assert meta["filters"] == {"country": "MX"}
    assert meta["row_count"] == 2
    assert meta["app_version"] == "0.1.0"
    assert meta["tagger_version"] == tagger_version()
    assert meta["generated_at"].endswith("Z")
    assert meta["columns"][0] == "article_id"
    assert meta["csv_url"].endswith("/exports/articles.csv?country=MX")
    csv_response = get(client, "/exports/articles.csv", country="MX")
    assert "meta=1" in csv_response["Link"] and 'rel="describedby"' in csv_response["Link"]
    assert csv_response["X-App-Version"] == "0.1.0"
    assert len(parse(body(csv_response))) - 1 == meta["row_count"]


@override_settings(TRACKER_EXPORT_RATE_LIMIT=3)
def test_exports_are_rate_limited_per_client(client: Client, world: World) -> None:
    for _ in range(3):
        assert get(client, "/exports/countries.csv").status_code == 200
    response = get(client, "/exports/countries.csv")
    assert response.status_code == 429
    # Three exports this minute: the next fits once a third of them has slid out of the last
    # sixty seconds, twenty seconds into the next minute.
    assert 21 <= int(response["Retry-After"]) <= 80
    assert "Too many exports" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert get(other, "/exports/countries.csv").status_code == 200


@override_settings(TRACKER_REQUIRE_LOGIN=True)
def test_exports_need_a_login_when_the_site_is_private(client: Client, world: World) -> None:
    response = get(client, "/exports/articles.csv")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    user = User.objects.create_user("researcher", password="a long pass phrase 42")
    client.force_login(user)
    response = get(client, "/exports/articles.csv")
    assert response.status_code == 200
    assert len(parse(body(response))) == Article.objects.count() + 1


def test_the_data_dictionary_describes_every_column(client: Client, world: World) -> None:
    response = get(client, "/exports/")
    assert response.status_code == 200
    html = response.content.decode()
    for kind in KINDS.values():
        assert f"{kind.name}.csv" in html
        for column in kind.columns:
            assert f"<code>{column.name}</code>" in html
    assert "To undo it" in html


def test_the_exports_read_a_constant_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        a = article(world, 100 + i, title=f"More {i}")
        Mention.objects.create(article=a, kind="country", country=world.mx)
    # 14: on PostgreSQL the export's snapshot transaction is a SAVEPOINT and its RELEASE
    # inside the test's own transaction, and the rate limit's cache write is another pair.
    for kind in ("articles", "mentions"):
        with django_assert_max_num_queries(14):
            rows = parse(body(get(client, f"/exports/{kind}.csv")))
        assert len(rows) > 40


@pytest.mark.parametrize("value", [*HOSTILE, NUL, "", "'", "''", "plain", "a=b", "-", "'-"])
def test_neutralising_a_cell_can_be_undone_exactly(value: str) -> None:
    assert cell_restore(cell_neutralise(value)) == value
    assert cell_neutralise(value)[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_a_list_cell_splits_back_into_its_items() -> None:
    items = ["Ana; María", "B\\C", "end\\", "x;", "; ", "plain"]
    assert list_split(list_join(items)) == items
    assert list_split("") == []


# Publishers' rights: the public file has an excerpt; the full text is for signed-in staff.

LONG_BODY = ("The ministers met at the border crossing to discuss asylum rules. " * 12).strip()


@pytest.fixture
def long_article(world: World) -> Article:
    return article(
        world,
        200,
        title="Long read",
        body=LONG_BODY,
        url="https://uno.example/long?utm_source=feed&id=7&fbclid=abc",
        canonical_url="https://uno.example/long?utm_medium=rss&id=7",
        published_unknown=True,
    )


def row_of(data: bytes, article_id: int) -> dict[str, str]:
    return next(r for r in as_dicts(data) if r["article_id"] == str(article_id))


def test_the_public_file_has_an_excerpt_and_not_the_full_text(
    client: Client, world: World, long_article: Article
) -> None:
    data = body(get(client, "/exports/articles.csv"))
    assert "text" not in parse(data)[0]
    assert LONG_BODY.encode() not in data
    excerpt = row_of(data, long_article.pk)["excerpt"]
    assert excerpt.endswith("…") and len(excerpt) <= 301
    opening = excerpt.removesuffix("…")
    assert LONG_BODY.startswith(opening) and len(opening) > 250
    assert LONG_BODY[len(opening)] == " "  # cut between words, not inside one


def test_a_signed_in_reader_who_is_not_staff_gets_the_public_file(
    client: Client, world: World, long_article: Article
) -> None:
    client.force_login(User.objects.create_user("reader", password="a long pass phrase 42"))
    data = body(get(client, "/exports/articles.csv"))
    assert "text" not in parse(data)[0]
    assert LONG_BODY.encode() not in data


def test_staff_get_the_full_text(client: Client, world: World, long_article: Article) -> None:
    staff = User.objects.create_user("editor", password="a long pass phrase 42", is_staff=True)
    client.force_login(staff)
    data = body(get(client, "/exports/articles.csv"))
    assert parse(data)[0][-1] == "text"
    assert row_of(data, long_article.pk)["text"] == LONG_BODY
    meta = get(client, "/exports/articles.csv", meta="1").json()
    assert meta["columns"][-1] == "text"


def test_links_lose_their_tracking_parameters(
    client: Client, world: World, long_article: Article
) -> None:
    row = row_of(body(get(client, "/exports/articles.csv")), long_article.pk)
    assert row["url"] == "https://uno.example/long?id=7"
    assert row["canonical_url"] == "https://uno.example/long?id=7"


def test_a_date_the_feed_did_not_give_is_flagged(
    client: Client, world: World, long_article: Article
) -> None:
    rows = as_dicts(body(get(client, "/exports/articles.csv")))
    flagged = {r["article_id"] for r in rows if r["published_unknown"] == "true"}
    assert flagged == {str(long_article.pk)}


def test_without_extracted_text_the_excerpt_is_the_feeds_summary_as_text(
    client: Client, world: World
) -> None:
    a = article(world, 201, body="", summary="<p>Leaders <b>agreed</b> on a plan.</p>")
    assert row_of(body(get(client, "/exports/articles.csv")), a.pk)["excerpt"] == (
        "Leaders agreed on a plan."
    )


def test_the_data_dictionary_marks_the_staff_only_columns(client: Client, db: None) -> None:
    html = get(client, "/exports/").content.decode()
    staff_only = [c.name for kind in KINDS.values() for c in kind.columns if c.staff_only]
    assert staff_only == ["text"]
    assert '<code>text</code> <strong class="staff-only">staff only</strong>' in html
    assert "publishers" in html


def test_articles_csv_lists_the_same_tags_in_the_same_order_as_mentions_csv(
    client: Client, world: World
) -> None:
    # Two exports, two reads of the tags (grouped by the database on PostgreSQL): one answer.
    for i in range(5):
        a = article(world, 300 + i, title=f"Tagged {i}")
        Mention.objects.create(article=a, kind="country", country=world.us, confidence=0.5)
        Mention.objects.create(article=a, kind="country", country=world.mx, confidence=0.5)
        Mention.objects.create(article=a, kind="official", official=world.official)
    columns = {"summit": "summits", "country": "countries", "official": "officials"}
    columns["policy"] = "policies"
    from_mentions: dict[tuple[str, str], list[str]] = {}
    mentions = sorted(
        as_dicts(body(get(client, "/exports/mentions.csv"))),
        key=lambda m: (m["article_id"], m["kind"], -float(m["confidence"])),
    )
    for m in mentions:
        from_mentions.setdefault((m["article_id"], columns[m["kind"]]), []).append(m["entity_id"])
    for row in as_dicts(body(get(client, "/exports/articles.csv"))):
        for column in columns.values():
            assert list_split(row[column]) == from_mentions.get((row["article_id"], column), [])


@given(
    limit=st.integers(1, 50),
    data=st.data(),
    into=st.floats(0, WINDOW_SECONDS, exclude_max=True),
)
def test_the_export_wait_is_the_first_second_when_one_more_export_fits(
    limit: int, data: st.DataObject, into: float
) -> None:
    previous = data.draw(st.integers(0, limit), label="previous")
    # Refused: this minute's slots are taken up to what the previous minute leaves.
    current = data.draw(st.integers(max(0, limit - _carried(previous, into)), limit), "current")

    def fits(after: float) -> bool:
        at = into + after
        if at < WINDOW_SECONDS:
            return current < limit - _carried(previous, at)
        return limit - _carried(current, at - WINDOW_SECONDS) > 0

    wait = _seconds_to_wait(previous, current, into, limit)
    assert 1 <= wait <= 2 * WINDOW_SECONDS
    assert fits(wait)
    assert wait == 1 or not fits(wait - 1)
