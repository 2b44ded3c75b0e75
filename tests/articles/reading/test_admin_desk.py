"""The review desk: the queue's rows, filters and return path, summit suggestions, home counts."""

from datetime import UTC, date, datetime

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Feed, Mention, MentionStatus
from summits.models import OfficialAlias, PolicyEvent
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:articles_mentionreview_changelist")


@pytest.fixture
def editor_client() -> Client:
    return client_for(staff_user("Editor"))


def test_a_row_shows_the_role_on_the_articles_date_and_marks_the_evidence(editor_client):
    ebrard = f.official(name="Marcelo Ebrard")
    OfficialAlias.objects.create(official=ebrard, name="el canciller")
    f.tenure(official=ebrard, office="Secretary of Foreign Affairs", start=date(2018, 12, 1),
             end=date(2023, 6, 12))  # fmt: skip
    article = f.article(
        title="Ebrard y Blinken", published_at=datetime(2021, 10, 8, tzinfo=UTC), language="es"
    )
    f.mention(
        article=article,
        entity=ebrard,
        confidence=0.55,
        evidence="El canciller Marcelo Ebrard recibió a Blinken; Ebrard habló de migración.",
    )

    response = editor_client.get(QUEUE)

    html = response.content.decode()
    assert "Secretary of Foreign Affairs, Mexico" in html
    assert "<mark>El canciller</mark> <mark>Marcelo Ebrard</mark> recibió" in html
    assert "habló" in html and "<mark>Ebrard</mark> habló" in html
    assert "2021-10-08" in html and "Official · 55%" in html


def test_a_long_sentence_is_shown_around_the_entity_with_the_whole_in_its_title(editor_client):
    policy = f.policy(name="Remain in Mexico")
    PolicyEvent.objects.create(policy=policy, date=date(2019, 1, 24), status="in_force")
    sentence = ("Long preamble about the border. " * 12) + "Then Remain in Mexico returned."
    f.mention(article=f.article(), entity=policy, confidence=0.6, evidence=sentence)

    html = editor_client.get(QUEUE).content.decode()

    assert "<mark>Remain in Mexico</mark> returned." in html
    assert f'title="{sentence}"' in html
    assert "In force since 2019-01-24" in html


def test_the_queue_filters_by_kind_entity_source_language_and_confidence(editor_client):
    ebrard, visa = f.official(name="Marcelo Ebrard"), f.policy(name="Visa requirement")
    el_pais = f.source(name="El País", domain="elpais.com", language="es")
    es = f.article(source=el_pais, language="es")
    en = f.article(language="en")
    a = f.mention(article=es, entity=ebrard, confidence=0.55)
    b = f.mention(article=en, entity=ebrard, confidence=0.75)
    c = f.mention(article=en, entity=visa, confidence=0.65)

    def shown(query: str) -> set[int]:
        response = editor_client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200, query
        return {m.pk for m in response.context["cl"].result_list}

    assert shown("kind=policy") == {c.pk}
    assert shown("entity=ebrard") == {a.pk, b.pk}
    assert shown("entity=visa") == {c.pk}
    assert shown("source=pa%C3%ADs") == {a.pk}
    assert shown("language=es") == {a.pk}
    assert shown("confidence=50") == {a.pk}
    assert shown("confidence=70&entity=ebrard") == {b.pk}
    assert "Marcelo Ebrard" in editor_client.get(f"{QUEUE}?entity=ebrard").content.decode()


def test_a_row_button_comes_back_to_the_same_filters_and_page(editor_client):
    article = f.article(language="es")
    mentions = [f.mention(article=article, entity=f.official(), confidence=0.5) for _ in range(3)]
    page = editor_client.get(f"{QUEUE}?language=es&kind=official")
    form = form_values(page.content, "changelist-form")
    assert form["return_query"] == "language=es&kind=official"

    response = editor_client.post(
        reverse("admin:articles_mentionreview_decide", args=[mentions[0].pk, "approved"]),
        {"return_query": form["return_query"], "csrfmiddlewaretoken": "x"},
    )

    assert response["Location"] == f"{QUEUE}?language=es&kind=official"
    hostile = editor_client.post(
        reverse("admin:articles_mentionreview_decide", args=[mentions[1].pk, "rejected"]),
        {"return_query": "https://evil.example/?x=1"},
    )
    assert hostile["Location"].startswith(f"{QUEUE}?")


def test_the_queue_footer_counts_tags(editor_client):
    f.mention(article=f.article(), entity=f.official(), confidence=0.5)
    f.mention(article=f.article(), entity=f.official(), confidence=0.5)
    html = editor_client.get(QUEUE).content.decode()
    assert "2 tags to review" in html


def test_link_to_summit_suggests_the_nearest_meeting_sharing_participants(editor_client):
    amlo, biden = f.official(name="Andrés Manuel López Obrador"), f.official(name="Joe Biden")
    f.summit(title="Leaders' Summit 2023", start_date=date(2023, 1, 9),
                    participants=[(amlo, "President"), (biden, "President")])  # fmt: skip
    f.summit(title="Far meeting", start_date=date(2019, 6, 1))
    f.summit(title="Close but unrelated", start_date=date(2023, 1, 20), countries=[])
    article = f.article(published_at=datetime(2023, 1, 7, tzinfo=UTC))
    m = f.mention(article=article, entity=amlo, confidence=0.5)
    f.mention(article=article, entity=biden, status=MentionStatus.APPROVED)

    ask = editor_client.post(QUEUE, {"action": "link_to_summit", "_selected_action": [str(m.pk)]})

    doc = lxml.html.fromstring(ask.content.decode())
    suggested = [o.text_content() for o in doc.cssselect("optgroup[label=Suggested] option")]
    assert suggested[0].startswith("Leaders' Summit 2023 (2023-01-09) — 2 days away; shares")
    assert "López Obrador" in suggested[0] and "Joe Biden" in suggested[0]
    assert suggested[1].startswith("Close but unrelated")
    assert "Leaders' Summit 2023" in doc.cssselect(".desk-suggestions li")[0].text_content()


def test_the_admin_home_counts_pending_tags_and_failing_feeds(editor_client):
    f.mention(article=f.article(), entity=f.official(), confidence=0.5)
    f.mention(article=f.article(), entity=f.official(), confidence=0.95)
    source = f.source()
    Feed.objects.create(url="https://a.example/feed", source=source, consecutive_failures=3)
    Feed.objects.create(url="https://b.example/feed", source=source)

    doc = lxml.html.fromstring(editor_client.get(reverse("admin:index")).content.decode())

    counts = [" ".join(li.text_content().split()) for li in doc.cssselect(".desk-home-counts li")]
    assert counts == ["1 tags waiting for review", "0 discovery candidates", "1 failing feeds"]
    links = [a.get("href") for a in doc.cssselect(".desk-home-counts a")]
    assert links[1] == reverse("admin:articles_discoverycandidate_changelist")
    assert links[2].endswith("?health=failing")


def test_the_home_count_stops_at_the_cap(editor_client, monkeypatch):
    from articles.reading import desk

    monkeypatch.setattr(desk, "COUNT_CAP", 2)
    for _ in range(3):
        f.mention(article=f.article(), entity=f.official(), confidence=0.5)
    doc = lxml.html.fromstring(editor_client.get(reverse("admin:index")).content.decode())
    assert "2+ tags waiting for review" in doc.cssselect(".desk-home-counts")[0].text_content()
    assert Mention.objects.count() == 3
