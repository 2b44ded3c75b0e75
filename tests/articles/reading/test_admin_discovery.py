# ruff: noqa: RUF001  (meeting names carry an en dash)
"""The discovery queue in admin: editors confirm, merge or dismiss; analysts only look."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import CandidateStatus, DiscoveryCandidate, Mention, RetagRun
from articles.tagging.discovery import discovery_run
from articles.tagging.tagger import article_mentions_write, knowledge_base_reset
from summits.models import OfficialAlias, Summit
from tests.support import factories as f
from tests.support.admin import client_for, staff_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:articles_discoverycandidate_changelist")
CALL = (
    "OTTAWA — Prime Minister Mark Carney and President Donald Trump spoke by phone on Friday "
    "and agreed to begin talks on a new economic and security relationship."
)


@pytest.fixture
def kb() -> dict:
    knowledge_base_reset()
    us, ca = f.country("US"), f.country("CA")
    f.country("MX")
    trump = f.official(name="Donald Trump", country=us)
    carney = f.official(name="Mark Carney", country=ca)
    f.tenure(official=trump, office="President", role="head_of_government", country=us,
             start=date(2025, 1, 20))  # fmt: skip
    f.tenure(official=carney, office="Prime Minister", role="head_of_government", country=ca,
             start=date(2025, 3, 14))  # fmt: skip
    yield {"us": us, "ca": ca, "trump": trump, "carney": carney}
    knowledge_base_reset()


def _story(text: str, day: date, title: str = "Leaders talk") -> object:
    article = f.article(
        title=title, body=text, published_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
    )
    article_mentions_write(article=article)
    return article


@pytest.fixture
def editor() -> Client:
    return client_for(staff_user("Editor"))


def _candidate(kind: str) -> DiscoveryCandidate:
    return DiscoveryCandidate.objects.get(kind=kind)


def _decide(client: Client, candidate: DiscoveryCandidate, **data: object) -> object:
    url = reverse("admin:articles_discoverycandidate_decide", args=[candidate.pk])
    return client.post(url, data)


def test_the_admin_home_counts_open_candidates_beside_pending_tags(kb, editor):
    _story(CALL, date(2025, 3, 29))
    discovery_run()

    html = editor.get(reverse("admin:index")).content.decode()

    assert f'<a href="{QUEUE}"><strong>1</strong> discovery candidates</a>' in html
    assert "tags waiting for review" in html and "failing feeds" in html


def test_the_queue_shows_each_candidate_with_its_day_countries_and_evidence(kb, editor):
    _story(CALL, date(2025, 3, 29))
    discovery_run()

    html = editor.get(QUEUE).content.decode()

    assert "Trump–Carney call" in html and "2025-03-28" in html and "CA, US" in html
    assert "Prime Minister Mark Carney and President Donald Trump spoke by phone" in html
    assert "favicon.svg" in html


def test_confirming_a_meeting_adds_it_for_review_and_retags_its_articles(
    kb, editor, django_capture_on_commit_callbacks
):
    article = _story(CALL, date(2025, 3, 29))
    discovery_run()
    candidate = _candidate("meeting")
    page = editor.get(reverse("admin:articles_discoverycandidate_change", args=[candidate.pk]))
    assert b"Confirm: add this meeting" in page.content and b"OTTAWA" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(editor, candidate, decision="confirm")

    assert response.status_code == 302
    summit = Summit.objects.get(title="Trump–Carney call")
    assert summit.kind == "leaders_call" and summit.start_date == date(2025, 3, 28)
    assert summit.needs_review and "Proposed by discovery from 1 article" in summit.review_note
    assert sorted(summit.countries.values_list("iso2", flat=True)) == ["CA", "US"]
    assert sorted(summit.participants.values_list("role", flat=True)) == [
        "President",
        "Prime Minister",
    ]
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONFIRMED and candidate.summit == summit
    run = RetagRun.objects.get()
    assert article.pk in run.article_ids and run.status == "done"
    assert Mention.objects.filter(article=article, summit=summit).exists()


def test_a_decided_candidate_cannot_be_decided_twice(kb, editor):
    _story(CALL, date(2025, 3, 29))
    discovery_run()
    candidate = _candidate("meeting")
    _decide(editor, candidate, decision="confirm")

    response = _decide(editor, candidate, decision="confirm")

    assert Summit.objects.count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages[-1] == "This candidate was already confirmed."


def test_merging_a_person_adds_the_name_as_an_alias_of_the_chosen_official(kb, editor):
    for day in (date(2025, 3, 20), date(2025, 3, 21)):
        _story("Prime Minister Mark Karney spoke in Ottawa.", day, title="Ottawa")
    discovery_run()
    candidate = _candidate("alias")
    assert candidate.official == kb["carney"]

    response = _decide(editor, candidate, decision="merge", official=kb["carney"].pk)

    assert response.status_code == 302
    assert OfficialAlias.objects.filter(official=kb["carney"], name="Mark Karney").exists()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.MERGED
    assert RetagRun.objects.count() == 1


def test_confirming_a_person_adds_an_official_with_the_title_seen(kb, editor):
    for day in (date(2025, 3, 20), date(2025, 3, 21)):
        _story(
            "United States Secretary of Homeland Security Kristi Noem toured the border.",
            day,
            title="Border",
        )
    discovery_run()
    candidate = _candidate("person")

    _decide(editor, candidate, decision="confirm")

    noem = candidate.__class__.objects.get(pk=candidate.pk).official
    assert noem is not None and noem.name == "Kristi Noem" and noem.country == kb["us"]
    tenure = noem.tenures.get()
    assert tenure.office == "Secretary" and tenure.start == date(2025, 3, 20)
    assert tenure.start_precision == "approximate" and noem.needs_review


def test_dismissing_keeps_the_candidate_out_of_the_queue_when_discovery_runs_again(kb, editor):
    _story(CALL, date(2025, 3, 29))
    discovery_run()
    candidate = _candidate("meeting")

    _decide(editor, candidate, decision="dismiss")
    discovery_run()

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED
    editor.get(QUEUE)  # shows the "Dismissed" message once
    assert "Trump–Carney call" not in editor.get(QUEUE).content.decode()
    assert Summit.objects.count() == 0


def test_an_analyst_sees_the_queue_but_cannot_decide(kb):
    _story(CALL, date(2025, 3, 29))
    discovery_run()
    analyst = client_for(staff_user("Analyst"))
    candidate = _candidate("meeting")

    page = analyst.get(reverse("admin:articles_discoverycandidate_change", args=[candidate.pk]))
    response = _decide(analyst, candidate, decision="confirm")

    assert page.status_code == 200 and b"Confirm: add this meeting" not in page.content
    assert response.status_code == 403
    assert Summit.objects.count() == 0


def test_a_candidate_id_that_is_not_a_number_does_not_exist(editor):
    response = editor.post("/admin/articles/discoverycandidate/x1/decide/", {"decision": "dismiss"})

    assert response.status_code == 404
