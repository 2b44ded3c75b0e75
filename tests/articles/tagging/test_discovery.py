# ruff: noqa: RUF001  (meeting names carry an en dash)
"""Discovery: meetings, people and aliases the news names and the knowledge base lacks."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.ingestion.tasks import discovery_queue
from articles.models import (
    Article,
    CandidateKind,
    CandidateStatus,
    DiscoveryCandidate,
    DiscoveryRun,
)
from articles.tagging.discovery import (
    candidates_open,
    discovery_run,
    discovery_run_next,
    sentences_of,
)
from articles.tagging.discovery_decisions import candidate_dismiss
from articles.tagging.tagger import article_mentions_write, knowledge_base_reset
from tests.support import factories as f

pytestmark = pytest.mark.django_db

CALL = (
    "OTTAWA — Prime Minister Mark Carney and President Donald Trump spoke by phone on Friday "
    "and agreed to begin talks on a new economic and security relationship. Carney said the "
    "call was constructive."
)


@pytest.fixture
def leaders() -> dict:
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


def _story(text: str, day: date, title: str = "Carney and Trump talk") -> object:
    article = f.article(
        title=title, body=text, published_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
    )
    article_mentions_write(article=article)
    return article


def test_a_call_between_two_countries_on_a_day_with_no_meeting_is_proposed(leaders):
    article = _story(CALL, date(2025, 3, 29))

    report = discovery_run()

    candidate = DiscoveryCandidate.objects.get(kind=CandidateKind.MEETING)
    assert report.candidates_new == 1
    assert candidate.meeting_date == date(2025, 3, 28)  # "on Friday", told on Saturday
    assert candidate.countries == ["CA", "US"]
    assert candidate.name == "Trump–Carney call"
    assert candidate.article_count == 1 and list(candidate.articles.all()) == [article]
    assert candidate.first_date == candidate.last_date == date(2025, 3, 29)
    assert candidate.evidence[0]["sentence"].startswith("OTTAWA — Prime Minister Mark Carney")
    assert set(candidate.official_ids) == {leaders["trump"].pk, leaders["carney"].pk}
    assert DiscoveryCandidate.objects.filter(candidates_open()).count() == 1


def test_running_twice_changes_nothing_the_second_time(leaders):
    _story(CALL, date(2025, 3, 29))
    discovery_run()
    before = list(DiscoveryCandidate.objects.values())

    report = discovery_run()

    assert report.candidates_new == report.candidates_updated == 0
    assert list(DiscoveryCandidate.objects.values()) == before


def test_stories_of_one_meeting_in_three_languages_make_one_candidate(leaders):
    _story(CALL, date(2025, 3, 29))
    _story(
        "OTTAWA — Mark Carney y Donald Trump sostuvieron el viernes una llamada telefónica.",
        date(2025, 3, 29),
        title="Carney y Trump hablan por teléfono",
    )
    _story(
        "Mark Carney s'est entretenu vendredi avec Donald Trump lors d'un appel téléphonique.",
        date(2025, 3, 28),
        title="Premier appel entre Carney et Trump",
    )

    discovery_run()

    candidate = DiscoveryCandidate.objects.get(kind=CandidateKind.MEETING)
    assert candidate.article_count == 3
    assert candidate.meeting_date == date(2025, 3, 28)
    assert (candidate.first_date, candidate.last_date) == (date(2025, 3, 28), date(2025, 3, 29))


def test_a_recorded_meeting_that_day_between_those_countries_is_not_proposed_again(leaders):
    f.summit(start_date=date(2025, 3, 28), countries=[leaders["us"], leaders["ca"]])
    _story(CALL, date(2025, 3, 29))

    discovery_run()

    assert not DiscoveryCandidate.objects.filter(kind=CandidateKind.MEETING).exists()


def test_officials_of_one_country_only_make_no_meeting(leaders):
    f.official(name="Marco Rubio", country=leaders["us"])
    _story(
        "President Donald Trump met Marco Rubio on Friday at the White House.",
        date(2025, 3, 29),
        title="At the White House",
    )

    discovery_run()

    assert not DiscoveryCandidate.objects.filter(kind=CandidateKind.MEETING).exists()


def test_a_meeting_that_would_have_been_is_not_a_meeting(leaders):
    _story(
        "A Carney meeting with Donald Trump would have been their first, aides said on Friday.",
        date(2025, 3, 29),
        title="What might have been",
    )

    discovery_run()

    assert not DiscoveryCandidate.objects.filter(kind=CandidateKind.MEETING).exists()


def test_a_dismissed_candidate_comes_back_only_with_new_evidence(leaders):
    _story(CALL, date(2025, 3, 29))
    discovery_run()
    candidate = DiscoveryCandidate.objects.get(kind=CandidateKind.MEETING)
    candidate_dismiss(candidate=candidate, user=None)

    discovery_run()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED

    _story(CALL.replace("OTTAWA", "WASHINGTON"), date(2025, 3, 28), title="Leaders speak")
    discovery_run()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN and candidate.article_count == 2


def test_a_titled_name_not_in_the_knowledge_base_is_a_person_once_seen_in_enough_articles(
    leaders, settings
):
    settings.TRACKER_DISCOVERY_MIN_ARTICLES = 2
    text = "United States Secretary of Homeland Security Kristi Noem toured the border on Friday."
    _story(text, date(2025, 3, 21), title="Noem at the border")
    discovery_run()
    person = DiscoveryCandidate.objects.get(kind=CandidateKind.PERSON)
    assert person.name == "Kristi Noem" and person.title_seen == "secretary"
    assert "US" in person.countries
    assert not DiscoveryCandidate.objects.filter(candidates_open(), pk=person.pk).exists()

    _story(
        "La secretaria Kristi Noem llegó a la Ciudad de México.", date(2025, 3, 27), title="Noem"
    )
    discovery_run()
    person.refresh_from_db()
    assert person.article_count == 2
    assert DiscoveryCandidate.objects.filter(candidates_open(), pk=person.pk).exists()


def test_a_known_official_with_a_title_is_no_candidate(leaders):
    _story("Prime Minister Mark Carney spoke in Ottawa.", date(2025, 3, 21), title="Ottawa")

    discovery_run()

    assert not DiscoveryCandidate.objects.filter(kind=CandidateKind.PERSON).exists()


def test_a_misspelt_known_official_is_an_alias_candidate(leaders):
    _story("Prime Minister Mark Karney spoke in Ottawa.", date(2025, 3, 21), title="Ottawa")

    discovery_run()

    alias = DiscoveryCandidate.objects.get(kind=CandidateKind.ALIAS)
    assert alias.name == "Mark Karney" and alias.official == leaders["carney"]


def test_a_name_the_knowledge_base_gained_is_withdrawn_from_the_queue(leaders):
    _story("Secretary Kristi Noem toured the border.", date(2025, 3, 21), title="Border")
    discovery_run()
    assert DiscoveryCandidate.objects.filter(kind=CandidateKind.PERSON).exists()
    f.official(name="Kristi Noem", country=leaders["us"])

    report = discovery_run()

    assert report.candidates_withdrawn == 1
    assert not DiscoveryCandidate.objects.filter(kind=CandidateKind.PERSON).exists()


def test_feed_runs_share_one_queued_discovery_run_which_reads_only_what_is_new(leaders):
    _story(CALL, date(2025, 3, 29))
    # Tagged an hour ago: before the overlap a run re-reads.
    Article.objects.update(tagged_at=timezone.now() - timedelta(hours=1))
    discovery_queue()
    discovery_queue()
    assert DiscoveryRun.objects.count() == 1

    report = discovery_run_next()
    assert report is not None and report.articles_read == 1
    assert discovery_run_next() is None  # nothing queued: a second worker does nothing

    discovery_queue()
    report = discovery_run_next()
    assert report is not None and report.articles_read == 0
    assert DiscoveryCandidate.objects.count() == 1

    fresh = _story(CALL.replace("OTTAWA", "WASHINGTON"), date(2025, 3, 28), title="Call")
    discovery_queue()
    report = discovery_run_next()
    assert report is not None and report.articles_read == 1
    assert DiscoveryCandidate.objects.get().articles.filter(pk=fresh.pk).exists()


def test_the_command_reports_and_is_safe_to_run_twice(leaders, capsys):
    _story(CALL, date(2025, 3, 29))

    call_command("discover")
    call_command("discover")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("discover: 1 articles read; 1 new candidates")
    assert out[1].startswith("discover: 1 articles read; 0 new candidates, 0 updated")
    assert DiscoveryCandidate.objects.count() == 1


def test_the_command_refuses_a_window_that_is_not_positive():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--since-hours must be a whole number"):
        call_command("discover", "--since-hours", "0")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("One. Two! Three? «Four».", 4),
        ("Mr. Smith met Ms. Jones.", 1),
        ("Line one\n\nLine two", 2),
    ],
)
def test_sentences_split_where_a_reader_would(text, count):
    assert len(sentences_of(text)) == count
