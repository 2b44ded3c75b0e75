"""Alias safety: a change of names is reviewed (warnings, what it would re-tag) before it is
saved; after saving, the stored articles it touches are re-tagged in the background."""

from datetime import UTC, datetime

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Mention, MentionStatus, RetagRun, RetagStatus
from articles.tagging.language import common_word_languages
from articles.tagging.tagger import knowledge_base_reset
from summits.models import Official, OfficialAlias, Summit
from tests.articles.tagging.helpers import tagged
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user

pytestmark = pytest.mark.django_db

EBRARD_STORIES = [
    "Mexican Foreign Secretary Marcelo Ebrard met Secretary of State Antony Blinken in "
    "Washington to discuss migration.",
    "Marcelo Ebrard said Mexico would deploy more troops to its southern border.",
]


@pytest.fixture
def editor(reference) -> Client:
    knowledge_base_reset()
    yield client_for(staff_user("Editor"))
    knowledge_base_reset()


def _tagged_articles() -> list:
    articles = []
    for n, text in enumerate(EBRARD_STORIES):
        article = f.article(
            title=f"Talks in Washington, part {n}",
            body=text,
            published_at=datetime(2021, 10, 8, tzinfo=UTC),
        )
        tagged(article)
        articles.append(article)
    return articles


def _fingerprint(response) -> str:
    """The value of the review's "Save anyway" checkbox (a browser sends it once ticked)."""
    doc = lxml.html.fromstring(response.content.decode())
    return doc.cssselect(".desk-alias-review input[name=confirm_aliases]")[0].get("value")


def _add_alias(editor: Client, official: Official, alias: str, **extra: str):
    url = reverse("admin:summits_official_change", args=[official.pk])
    data = form_values(editor.get(url).content.decode(), "official_form")
    prefix = "aliases"
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data[f"{prefix}-{n}-name"] = alias
    data[f"{prefix}-{n}-official"] = str(official.pk)
    data.update(extra)
    return url, data, editor.post(url, data)


def test_an_alias_of_another_official_is_held_with_a_warning_and_a_preview(editor):
    amlo = Official.objects.get(slug="andres-manuel-lopez-obrador")
    articles = _tagged_articles()

    _, _, response = _add_alias(editor, amlo, "Marcelo Ebrard")

    assert response.status_code == 200
    html = response.content.decode()
    assert "“Marcelo Ebrard” already names another official: Marcelo Ebrard Casaubón." in html
    assert "newly tag 2</strong>" in html
    assert (
        "Talks in Washington, part 0" in html and "+ Official: Andrés Manuel López Obrador" in html
    )
    assert not OfficialAlias.objects.filter(official=amlo, name="Marcelo Ebrard").exists()
    assert not RetagRun.objects.exists()
    assert not Mention.objects.filter(official=amlo, article__in=articles).exists()


def test_a_confirmed_alias_is_saved_and_the_articles_are_retagged_in_the_background(
    editor, django_capture_on_commit_callbacks
):
    amlo = Official.objects.get(slug="andres-manuel-lopez-obrador")
    articles = _tagged_articles()
    url, data, held = _add_alias(editor, amlo, "Marcelo Ebrard")
    fingerprint = _fingerprint(held)

    with django_capture_on_commit_callbacks(execute=True):
        saved = editor.post(url, {**data, "confirm_aliases": fingerprint}, follow=True)

    assert saved.status_code == 200
    assert OfficialAlias.objects.filter(official=amlo, name="Marcelo Ebrard").exists()
    run = RetagRun.objects.get()
    assert run.status == RetagStatus.DONE and run.checked == len(run.article_ids) >= 2
    assert (run.articles_changed, run.tags_added) == (2, 2)
    assert run.requested_by.username == "editor"
    assert "Re-tagging" in saved.content.decode() and "see what changed" in saved.content.decode()
    tagged = Mention.objects.filter(official=amlo, article__in=articles)
    assert tagged.count() == 2 and {m.status for m in tagged} == {MentionStatus.AUTO}
    receipt = editor.get(reverse("admin:articles_retagrun_change", args=[run.pk]))
    assert "+ Official: Andrés Manuel López Obrador" in receipt.content.decode()


def test_a_stale_confirmation_is_asked_again(editor):
    amlo = Official.objects.get(slug="andres-manuel-lopez-obrador")
    url, data, held = _add_alias(editor, amlo, "Marcelo Ebrard")
    fingerprint = _fingerprint(held)
    data[f"aliases-{int(data['aliases-TOTAL_FORMS']) - 1}-name"] = "Peje"

    again = editor.post(url, {**data, "confirm_aliases": fingerprint})

    assert again.status_code == 200
    assert not OfficialAlias.objects.filter(official=amlo, name="Peje").exists()


def test_editors_decisions_stay_final_when_the_articles_are_retagged(
    editor, django_capture_on_commit_callbacks
):
    amlo = Official.objects.get(slug="andres-manuel-lopez-obrador")
    first, second = _tagged_articles()
    f.mention(article=first, entity=amlo, status=MentionStatus.REJECTED, confidence=1.0)
    url, data, held = _add_alias(editor, amlo, "Marcelo Ebrard")
    assert "newly tag 1</strong>" in held.content.decode()
    fingerprint = _fingerprint(held)

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(url, {**data, "confirm_aliases": fingerprint})

    assert Mention.objects.get(official=amlo, article=first).status == MentionStatus.REJECTED
    assert Mention.objects.get(official=amlo, article=second).status == MentionStatus.AUTO
    assert RetagRun.objects.get().tags_added == 1


@pytest.mark.parametrize(
    ("alias", "warning"),
    [
        ("dans", "is a common word in French"),
        ("para", "is a common word in Spanish"),
        ("Will", "is a common word in English"),
        ("AMX", "is shorter than 4 characters"),
    ],
)
def test_common_words_and_short_aliases_are_warned_about(editor, alias, warning):
    amlo = Official.objects.get(slug="andres-manuel-lopez-obrador")
    _, _, response = _add_alias(editor, amlo, alias)
    assert response.status_code == 200
    assert warning in response.content.decode()


def test_common_words_are_read_from_real_stop_lists():
    assert common_word_languages("dans") == ["fr"]
    assert common_word_languages("Por la") == ["es"]
    assert common_word_languages("Ebrard") == []


def test_removing_an_alias_shows_what_would_be_untagged(editor, django_capture_on_commit_callbacks):
    official = Official.objects.get(slug="marcelo-ebrard")
    OfficialAlias.objects.create(official=official, name="Carnalito Casaubon")
    knowledge_base_reset()
    article = f.article(
        body="Carnalito Casaubon viajó a Washington para hablar de migración.",
        published_at=datetime(2021, 10, 8, tzinfo=UTC),
    )
    tagged(article)
    assert Mention.objects.filter(article=article, official=official).exists()
    url = reverse("admin:summits_official_change", args=[official.pk])
    data = form_values(editor.get(url).content.decode(), "official_form")
    row = next(k for k, v in data.items() if v == "Carnalito Casaubon").removesuffix("-name")
    data[f"{row}-DELETE"] = "on"

    held = editor.post(url, data)

    assert "untag 1</strong>" in held.content.decode()
    fingerprint = _fingerprint(held)
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(url, {**data, "confirm_aliases": fingerprint})
    assert not Mention.objects.filter(article=article, official=official).exists()
    assert RetagRun.objects.get().tags_removed == 1


def test_a_summits_aliases_are_edited_one_per_line_and_reviewed(editor):
    summit = Summit.objects.order_by("start_date").first()
    url = reverse("admin:summits_summit_change", args=[summit.pk])
    page = editor.get(url)
    data = form_values(page.content.decode(), "summit_form")
    data["aliases"] = data["aliases"].strip() + "\nTres Amigos 2099"

    held = editor.post(url, data)

    assert held.status_code == 200
    assert "Adding: <strong>“Tres Amigos 2099”</strong>" in held.content.decode()
    fingerprint = _fingerprint(held)
    assert editor.post(url, {**data, "confirm_aliases": fingerprint}).status_code == 302
    summit.refresh_from_db()
    assert "Tres Amigos 2099" in summit.aliases


def test_the_slug_comes_last_and_the_record_links_to_its_public_page(editor):
    official = Official.objects.get(slug="marcelo-ebrard")
    page = editor.get(reverse("admin:summits_official_change", args=[official.pk]))
    html = page.content.decode()
    assert html.index('name="name"') < html.index('name="slug"')
    assert reverse("summits:official", args=[official.slug]) in html
