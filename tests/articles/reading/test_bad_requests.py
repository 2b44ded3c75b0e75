"""Hostile or mistaken addresses on pages, exports and admin lists: a plain 400, never a 500.

Each case here was a 500 (or a silent "last one wins") before the rules in
articles/reading/filters.py; test_fuzz_web.py looks for the cases nobody listed.
"""

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.support import factories as f
from tests.support.admin import client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> None:
    mx = f.country("MX")
    f.country("CA")
    meeting = f.summit(slug="nals-2021")
    for day in (1, 2):
        item = f.article(published_at=datetime(2021, 11, day, tzinfo=UTC))
        f.mention(article=item, entity=mx)
        f.mention(article=item, entity=meeting)


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def get(client: Client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url, secure=True)
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
    return response


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    data = getattr(response, "content_bytes", None)
    return (data if data is not None else response.content).decode()


REFUSED = [
    # NUL: PostgreSQL refuses it in text, so it used to be a DataError.
    ("/articles/?q=a%00b", "NUL character"),
    ("/articles/?official=%00", "NUL character"),
    ("/countries/%00/", "The address contains a NUL character"),
    ("/exports/articles.csv?q=a%00b", "NUL character"),
    ("/exports/summits.csv?country=M%00X", "NUL character"),
    ("/?country=%00", "NUL character"),
    # Digits from other scripts pass str.isdigit() and failed int().
    ("/articles/?page=%C2%B2", "is not a page number"),
    ("/articles/?source=%C2%B2", "is not a source: give its domain"),
    ("/summits/nals-2021/?page=%E2%91%A0", "is not a page number"),
    ("/exports/articles.csv?source=%C2%B2", "is not a source: give its domain"),
    # Past OFFSET's range, and past any real list.
    ("/articles/?page=99999999999999999999", "Pages go up to"),
    ("/summits/nals-2021/?page=99999999999999999999", "Pages go up to"),
    ("/articles/?page=-3", "is not a page number"),
    ("/articles/?source=99999999999999999999999", "is not a source id"),
    ("/articles/?from=0000-01-01", "is not a date"),
    # A parameter twice: refused, not "the last one wins".
    ("/articles/?country=CA&country=MX", "is given 2 times"),
    ("/?kind=bilateral_visit&kind=ministerial", "is given 2 times"),
    ("/exports/articles.csv?country=CA&country=MX", "is given 2 times"),
    # Unknown parameters: refused on pages as on exports, naming what is taken.
    ("/articles/?contry=MX", "does not take the parameter “contry”"),
    ("/summits/nals-2021/?sort=date", "does not take the parameter “sort”"),
    ("/countries/MX/?page=2", "does not take the parameter “page”"),
    ("/exports/articles.csv?contry=MX", "does not take the parameter “contry”"),
]


@pytest.mark.parametrize(("url", "message"), REFUSED)
def test_a_hostile_or_mistaken_address_is_a_plain_400(
    client: Client, world: None, url: str, message: str
) -> None:
    response = get(client, url)
    assert response.status_code == 400
    assert message in text_of(response)
    if url.startswith("/exports/"):
        assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "url",
    [
        "/articles/?to=9999-12-31",
        "/articles/?country=MX&to=9999-12-31",
        "/articles/?from=0001-01-01",
        "/?from=0001-01-01&to=9999-12-31",
        "/exports/articles.csv?to=9999-12-31",
        "/exports/articles.csv?country=MX&per=story&to=9999-12-31",
        "/exports/mentions.csv?to=9999-12-31",
        "/exports/summits.csv?to=9999-12-31",
    ],
)
def test_a_date_far_outside_the_news_is_refused_in_plain_words(
    client: Client, world: None, url: str
) -> None:
    response = get(client, url)
    assert response.status_code == 400
    assert "is outside the dates the tracker covers: use a date from 1900-01-01" in text_of(
        response
    )


def test_the_widest_dates_allowed_take_everything(client: Client, world: None) -> None:
    response = get(client, "/exports/articles.csv?from=1900-01-01&to=2100-12-31")
    assert response.status_code == 200
    assert len(text_of(response).strip().splitlines()) == 3  # header and both articles


def test_link_tracking_parameters_are_ignored(client: Client, world: None) -> None:
    assert get(client, "/articles/?utm_source=news&fbclid=abc&country=MX").status_code == 200
    assert get(client, "/exports/countries.csv?utm_medium=mail").status_code == 200


def test_a_surrogate_sent_as_bytes_is_read_as_a_replacement_character(
    client: Client, world: None
) -> None:
    # %ED%A0%80 is a lone surrogate in UTF-8 form: not text, so it reads as U+FFFD.
    assert get(client, "/articles/?q=%ED%A0%80").status_code == 200
    assert get(client, "/countries/%ED%A0%80/").status_code == 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/admin/articles/article/?q=a%00b", "NUL character"),
        ("/admin/summits/country/?q=%00", "NUL character"),
        ("/admin/articles/article/?source=%C2%B2", ""),
        ("/admin/articles/mentionreview/?article=%E2%93%B5", ""),
        ("/admin/articles/article/?country=MX&country=CA", "is given 2 times"),
        ("/admin/summits/policy/add/?countries=%3A", "is not the id of a country"),
        ("/admin/articles/article/add/?published_at=0", "does not take published_at"),
        ("/admin/articles/rawdocument/add/?body_gz=0", "is not a valid"),
        ("/admin/articles/rawdocument/?body_gz=", "cannot be filtered by body_gz"),
        ("/admin/articles/article/?language=en&review_status=maybe", ""),
        ("/admin/django_celery_beat/crontabschedule/add/?timezone=US", "is not a valid"),
        ("/admin/articles/feed/1/change/?_to_field=articles", "not a field that a pop-up"),
        ("/admin/auth/group/1/change/?_to_field=", "not a field that a pop-up"),
    ],
)
def test_admin_lists_and_forms_refuse_what_they_cannot_read(
    world: None, url: str, message: str
) -> None:
    client = client_for(staff_user("Editor"))
    client.raise_request_exception = False
    response = get(client, url)
    if message:
        assert response.status_code == 400
        assert message in text_of(response)
    else:
        # Text for a text filter or a value the field reads: a list, maybe an empty one.
        assert response.status_code == 200
