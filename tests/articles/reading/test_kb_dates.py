"""Dates known only to the month, the year or roughly: pages, CSVs and the dictionary."""

import csv
import io
from datetime import date

import pytest
from django.template import Context, Template
from django.test import Client

from articles.reading.kb_selectors import summit_coverage_by_day
from summits.models import PolicyEvent
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


@pytest.fixture
def world() -> dict:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    guillen = f.official(name="Tonatiuh Guillén", slug="tonatiuh-guillen", country=mx)
    f.tenure(
        official=guillen,
        office="Commissioner of the National Migration Institute",
        role="other",
        start=date(2018, 12, 1),
        end=date(2019, 6, 14),
        end_precision="approximate",
    )
    guillen.citations.create(
        url="https://example.org/2019/06/15/guillen-resigns",
        title="INM head resigns",
        publisher="Example News",
        date=date(2019, 6, 15),
        kind="news",
    )
    mobility = f.policy(name="Safe Mobility Offices", slug="safe-mobility")
    PolicyEvent.objects.create(
        policy=mobility, date=date(2023, 6, 1), date_precision="month", status="in_force"
    )
    nals = f.summit(
        title="North American Leaders' Summit (planned)",
        slug="nals-2024",
        start_date=date(2024, 4, 1),
        date_precision="month",
        status="postponed",
        countries=[us, mx, ca],
        country=ca,
        city="Quebec",
        policies=[mobility],
    )
    call = f.summit(
        title="Leaders' call",
        slug="call-2023-12",
        kind="leaders_call",
        start_date=date(2023, 12, 21),
        date_precision="approximate",
        city="",
        countries=[us, mx],
    )
    return {"guillen": guillen, "mobility": mobility, "nals": nals, "call": call, "mx": mx}


def test_the_filters_write_a_date_as_exactly_as_it_is_known() -> None:
    out = Template(
        "{% load kb_dates %}{{ d|precise_date:'month' }}|{{ d|precise_date:'approximate' }}|"
        "{{ d|precise_date }}|{{ d|precise_iso:'month' }}|{{ d|precise_iso:'year' }}"
    ).render(Context({"d": date(2023, 6, 23)}))
    assert out == "June 2023|about 23 June 2023|23 June 2023|2023-06|2023"


def test_a_postponed_meeting_known_to_the_month_shows_its_month_and_status(
    client: Client, world: dict
) -> None:
    page = client.get("/summits/nals-2024/").content.decode()
    assert '<time datetime="2024-04">April 2024</time>' in page
    assert "Postponed" in page
    assert "1 April 2024" not in page
    home = client.get("/").content.decode()
    assert "April 2024" in home and "Postponed" in home
    assert "about 21 December 2023" in home


def test_an_approximate_tenure_end_and_a_month_event_are_shown_as_such(
    client: Client, world: dict
) -> None:
    official = client.get("/officials/tonatiuh-guillen/").content.decode()
    assert "about 14 June 2019" in official
    assert "INM head resigns" in official and "Example News" in official
    policy = client.get("/policies/safe-mobility/").content.decode()
    assert '<time datetime="2023-06">June 2023</time>' in policy
    assert "April 2024" in policy  # the meeting that discussed it


def test_a_month_meeting_is_highlighted_over_its_whole_month(world: dict) -> None:
    days = summit_coverage_by_day(summit=world["nals"])
    marked = [d.day for d in days if d.marked]
    assert marked[0] == date(2024, 4, 1) and marked[-1] == date(2024, 4, 30)
    assert len(marked) == 30


def _rows(client: Client, kind: str) -> list[dict[str, str]]:
    response = client.get(f"/exports/{kind}.csv")
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def analyst() -> Client:
    return client_for(staff_user("Analyst"))


def test_the_csvs_carry_precision_status_and_citations_in_columns_at_the_end(
    analyst: Client, world: dict
) -> None:
    summits = {r["summit_id"]: r for r in _rows(analyst, "summits")}
    nals = summits["nals-2024"]
    assert list(nals)[-4:] == ["status", "date_precision", "dates_as_known", "citations"]
    assert (nals["start_date"], nals["status"], nals["date_precision"]) == (
        "2024-04-01",
        "postponed",
        "month",
    )
    assert nals["dates_as_known"] == "April 2024"
    assert summits["call-2023-12"]["dates_as_known"] == "about 21 December 2023"

    officials = [r for r in _rows(analyst, "officials") if r["official_id"] == "tonatiuh-guillen"]
    assert list(officials[0])[-3:] == ["start_precision", "end_precision", "tenure_as_known"]
    assert (officials[0]["end"], officials[0]["end_precision"]) == ("2019-06-14", "approximate")
    assert officials[0]["tenure_as_known"] == "1 December 2018 to about 14 June 2019"

    policies = {r["policy_id"]: r for r in _rows(analyst, "policies")}
    assert policies["safe-mobility"]["events"] == "2023-06-01 in_force"
    assert policies["safe-mobility"]["events_as_known"] == "June 2023 in_force"


def test_a_citation_cell_ends_with_its_url(analyst: Client, world: dict) -> None:
    world["nals"].citations.create(
        url="https://example.org/2024/05/16/summit-date-not-set",
        title="Trudeau still aims to host summit",
        publisher="Example Press",
        date=date(2024, 5, 16),
        kind="news",
    )
    [nals] = [r for r in _rows(analyst, "summits") if r["summit_id"] == "nals-2024"]
    assert nals["citations"] == (
        "news | Example Press | 2024-05-16 | Trudeau still aims to host summit | "
        "https://example.org/2024/05/16/summit-date-not-set"
    )
    assert nals["sources"] == "https://example.org/2024/05/16/summit-date-not-set"


def test_the_data_dictionary_explains_placeholder_dates(analyst: Client) -> None:
    page = analyst.get("/exports/").content.decode()
    assert "Dates known to the month, the year or roughly" in page
    for column in ("date_precision", "dates_as_known", "start_precision", "events_as_known"):
        assert column in page


def test_an_editor_adds_a_citation_in_admin_and_a_home_page_is_refused(world: dict) -> None:
    editor = client_for(staff_user("Editor"))
    url = f"/admin/summits/summit/{world['nals'].pk}/change/"
    data = form_values(editor.get(url).content, "summit_form")
    prefix = next(k for k in data if k.endswith("citations-TOTAL_FORMS")).rsplit("-", 1)[0]
    data.update(
        {
            f"{prefix}-0-url": "https://www.pm.gc.ca/en/news",
            f"{prefix}-0-title": "News",
            f"{prefix}-0-publisher": "Prime Minister of Canada",
            f"{prefix}-0-kind": "primary",
        }
    )
    refused = editor.post(url, data)
    assert refused.status_code == 200
    assert "home or section page" in refused.content.decode()
    assert not world["nals"].citations.exists()

    data[f"{prefix}-0-url"] = "https://www.pm.gc.ca/en/news/readouts/2024/05/16/some-readout"
    assert editor.post(url, data).status_code == 302
    [cite] = world["nals"].citations.all()
    assert cite.publisher == "Prime Minister of Canada"
    world["nals"].refresh_from_db()
    assert world["nals"].curated
