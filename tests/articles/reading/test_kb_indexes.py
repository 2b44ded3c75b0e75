"""Index pages, coverage by press country, policy lanes and a summit's effect on policies."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from summits.models import Policy, PolicyEvent, Summit, SummitPolicy
from tests.support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_every_policy_is_linked_from_the_policies_page(client: Client, reference: None) -> None:
    page = client.get(reverse("summits:policies")).content.decode()

    for slug in Policy.objects.values_list("slug", flat=True):
        assert f'href="{reverse("summits:policy", args=[slug])}"' in page, slug


def test_the_nav_links_every_index_page(client: Client) -> None:
    page = client.get(reverse("summits:home")).content.decode()

    for name in ("officials", "policies", "countries", "sources"):
        url = reverse(f"summits:{name}")
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200


def test_officials_are_listed_by_country_with_the_office_held_today(client: Client) -> None:
    mx = f.country("MX")
    now = f.official(name="Juan Ramón de la Fuente", country=mx)
    f.tenure(official=now, office="Secretary of Foreign Affairs", start=date(2024, 10, 1))
    before = f.official(name="Marcelo Ebrard", country=mx)
    f.tenure(
        official=before,
        office="Secretary of Foreign Affairs",
        start=date(2018, 12, 1),
        end=date(2023, 6, 12),
    )

    response = client.get(reverse("summits:officials"))

    (group,) = response.context["countries"]
    assert group.country == mx
    assert [(r.official.name, r.current) for r in group.rows] == [
        ("Juan Ramón de la Fuente", True),
        ("Marcelo Ebrard", False),
    ]
    assert "no longer in office" in response.content.decode()


def test_policies_are_grouped_by_their_status_today(client: Client) -> None:
    ended = f.policy(name="Title 42 expulsions")
    PolicyEvent.objects.create(policy=ended, date=date(2020, 3, 20), status="in_force")
    PolicyEvent.objects.create(policy=ended, date=date(2023, 5, 11), status="ended")
    undated = f.policy(name="A plan with no dates")

    response = client.get(reverse("summits:policies"))

    groups = {g.label: [r.policy for r in g.rows] for g in response.context["groups"]}
    assert groups == {"Ended": [ended], "No key date recorded": [undated]}


def test_a_summit_page_splits_coverage_by_phase_and_press_country(client: Client) -> None:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    summit = f.summit(start_date=date(2023, 1, 9), end_date=date(2023, 1, 10))
    outlets = {
        "us": f.source(country=us),
        "mx": f.source(country=mx),
        "ca": f.source(country=ca),
        "other": f.source(),
    }
    for outlet, day in [
        ("us", date(2023, 1, 2)),
        ("us", date(2023, 1, 9)),
        ("mx", date(2023, 1, 10)),
        ("mx", date(2023, 1, 10)),
        ("ca", date(2023, 1, 20)),
        ("other", date(2023, 1, 20)),
        ("us", date(2023, 6, 1)),  # months later: outside the four weeks
    ]:
        f.mention(article=f.article(source=outlets[outlet], published_at=at(day)), entity=summit)

    response = client.get(reverse("summits:summit", args=[summit.slug]))

    press = response.context["press"]
    assert press.columns == ["US", "MX", "CA", "other"]
    assert {r.phase: r.counts for r in press.rows} == {
        "before": [1, 0, 0, 0],
        "during": [1, 2, 0, 0],
        "after": [0, 0, 1, 1],
    }
    assert press.total == 6
    assert "Mexican press" in response.content.decode()


def test_a_country_page_shows_its_own_press_on_the_talks_per_month(client: Client) -> None:
    mx, us = f.country("MX"), f.country("US")
    summit, other = f.summit(), f.summit()
    mexican = f.source(country=mx)
    both = f.article(source=mexican, published_at=at(date(2023, 1, 9)))
    f.mention(article=both, entity=summit)
    f.mention(article=both, entity=other)  # two meetings, one article
    f.mention(article=f.article(source=mexican, published_at=at(date(2023, 3, 2))), entity=summit)
    f.mention(article=f.article(source=f.source(country=us)), entity=summit)  # not its press

    response = client.get(reverse("summits:country", args=["MX"]))

    months = [(m.month, m.count) for m in response.context["press_months"]]
    assert months == [(date(2023, 1, 1), 1), (date(2023, 2, 1), 0), (date(2023, 3, 1), 1)]


def test_a_country_press_series_leaves_out_rejected_meeting_tags_and_undated_articles(
    client: Client,
) -> None:
    mx = f.country("MX")
    summit = f.summit()
    mexican = f.source(country=mx)
    f.mention(article=f.article(source=mexican, published_at=at(date(2023, 1, 9))), entity=summit)
    rejected = f.article(source=mexican, published_at=at(date(2023, 2, 9)))
    f.mention(article=rejected, entity=summit, status="rejected")
    f.mention(article=rejected, entity=mx)  # tagged, but not with a meeting
    f.mention(article=f.article(source=mexican, published_at=None), entity=summit)

    response = client.get(reverse("summits:country", args=["MX"]))

    assert [(m.month, m.count) for m in response.context["press_months"]] == [(date(2023, 1, 1), 1)]


def test_a_policy_page_draws_its_status_lane_with_the_meetings_that_touched_it(
    client: Client,
) -> None:
    policy = f.policy(name="Migrant Protection Protocols")
    for day, status in [
        (date(2018, 12, 20), "proposed"),
        (date(2019, 1, 29), "in_force"),
        (date(2020, 2, 28), "blocked"),
        (date(2021, 6, 1), "ended"),
    ]:
        PolicyEvent.objects.create(policy=policy, date=day, status=status)
    talks = f.summit(title="Tariff talks", start_date=date(2019, 6, 5))
    SummitPolicy.objects.create(summit=talks, policy=policy, effect="changed")

    response = client.get(reverse("summits:policy", args=[policy.slug]))

    lane = response.context["lane"]
    assert [s.band for s in lane.segments] == ["proposed", "in-force", "blocked", "ended"]
    assert [s.end for s in lane.segments] == [
        date(2019, 1, 29),
        date(2020, 2, 28),
        date(2021, 6, 1),
        None,
    ]
    assert lane.segments[0].left == 0.0
    assert lane.segments[-1].width == 0.0  # ended: nothing drawn after it
    assert [(m.summit, m.effect) for m in lane.meetings] == [(talks, "Changed")]
    assert 0 < lane.meetings[0].at < 100
    page = response.content.decode()
    assert "Tariff talks" in page and "Changed" in page
    assert reverse("summits:summit", args=[talks.slug]) in page


def test_the_home_timeline_shows_policy_lanes_when_asked(client: Client) -> None:
    policy = f.policy(name="Safe Third Country Agreement")
    PolicyEvent.objects.create(policy=policy, date=date(2004, 12, 29), status="in_force")
    f.summit(start_date=date(2023, 3, 24), policies=[policy])

    plain = client.get(reverse("summits:home"))
    lanes = client.get(reverse("summits:home"), {"lanes": "policies"})

    assert plain.context["policy_lanes"] is None
    drawn = lanes.context["policy_lanes"]
    assert [lane.policy for lane in drawn.lanes] == [policy]
    assert drawn.first <= date(2004, 12, 29)  # the key date before the meeting is on the span
    assert drawn.lanes[0].segments[0].left == 0.0
    assert "Policy lanes" in lanes.content.decode()


def test_an_unknown_kind_of_lane_is_a_400_in_plain_words(client: Client) -> None:
    response = client.get(reverse("summits:home"), {"lanes": "tariffs"})

    assert response.status_code == 400
    assert "is not a kind of lane; use one of: policies" in response.content.decode()


def test_the_sources_page_groups_outlets_by_press_country_and_kind(client: Client) -> None:
    mx = f.country("MX")
    paper = f.source(name="La Jornada", country=mx, kind="outlet", confirmed=True)
    sre = f.source(name="SRE", country=mx, kind="government", confirmed=True)
    unknown = f.source(name="Somewhere")
    for _ in range(3):
        f.article(source=paper)
    f.article(source=sre)

    response = client.get(reverse("summits:sources"))

    groups = {
        g.key: [(kind, [(r.source, r.articles) for r in rows]) for kind, rows in g.kinds]
        for g in response.context["groups"]
    }
    assert groups == {
        "MX": [("News outlet", [(paper, 3)]), ("Government", [(sre, 1)])],
        "other": [("News outlet", [(unknown, 0)])],
    }
    assert "(best guess)" in response.content.decode()


def test_the_countries_page_counts_officials_meetings_and_outlets(client: Client) -> None:
    mx = f.country("MX")
    f.official(country=mx)
    f.summit(countries=[mx])
    f.source(country=mx)

    response = client.get(reverse("summits:countries"))

    row = next(r for r in response.context["rows"] if r.country == mx)
    assert (row.officials, row.meetings, row.sources) == (1, 1, 1)


def test_the_reference_data_says_what_a_meeting_did_to_a_policy(reference: None) -> None:
    from summits.services import reference_load

    ottawa = Summit.objects.get(slug="biden-ottawa-2023-03")
    effects = dict(ottawa.policy_links.values_list("policy__slug", "effect"))

    assert effects["stca-additional-protocol-2023"] == "announced"
    assert effects["us-canada-safe-third-country-agreement"] == "changed"
    assert reference_load().updated == {}


def test_a_country_page_reads_its_press_series_again_once_a_mention_is_stored(
    client: Client,
) -> None:
    mx = f.country("MX")
    summit = f.summit()
    mexican = f.source(country=mx)
    f.mention(article=f.article(source=mexican, published_at=at(date(2023, 1, 9))), entity=summit)
    url = reverse("summits:country", args=["MX"])
    assert [m.count for m in client.get(url).context["press_months"]] == [1]

    f.mention(article=f.article(source=mexican, published_at=at(date(2023, 1, 10))), entity=summit)

    assert [m.count for m in client.get(url).context["press_months"]] == [2]
