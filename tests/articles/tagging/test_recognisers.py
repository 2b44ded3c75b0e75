"""Recognisers: policies and meetings referred to by paraphrase, as knowledge-base data that
editors edit in admin, preview on stored articles, and that re-tagging applies."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles.models import MentionKind, MentionStatus
from articles.tagging.kb_change import articles_retag, tagging_preview
from articles.tagging.tagger import knowledge_base_reset, text_tag
from summits.cues import cue_groups, word_forms
from summits.models import Official, OfficialAlias, Policy, Recogniser
from tests.articles.tagging.helpers import tagged
from tests.support import factories as f
from tests.support.admin import client_for, staff_user

VISA = "Canada's visitor visa requirement for Mexican nationals"


@pytest.fixture
def curated(reference: None) -> None:
    knowledge_base_reset()
    yield
    knowledge_base_reset()


def policies(text: str, on: date) -> set[str]:
    return {x.name for x in text_tag(text=text, on=on) if x.kind == MentionKind.POLICY}


def test_cue_words_stand_for_their_plural_and_feminine_forms() -> None:
    assert {"mexicana", "mexicanos", "mexicanas"} <= word_forms("mexicano")[0]
    assert {"mexicaine", "mexicains", "mexicaines"} <= word_forms("Mexicain")[0]
    assert {"canadienne", "canadiens"} <= word_forms("canadien")[0]
    assert {"policies"} <= word_forms("policy")[0]
    assert {"nationaux"} <= word_forms("national")[0]
    assert word_forms("deport*") == ({"deport"}, True)


@pytest.mark.parametrize(
    ("cues", "problem"),
    [
        ("visa, visas", "at least 2 groups"),
        ("visa\nde*", "at least 4 letters"),
        ("visa\nx", "too short"),
        ("visa\nmex*ican", "only at its end"),
    ],
)
def test_a_badly_written_recogniser_is_refused_in_plain_words(cues: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        cue_groups(cues)


@pytest.mark.parametrize(
    ("text", "on"),
    [
        ("Canada announced the reinstatement of visas for Mexican nationals.", date(2024, 2, 29)),
        (
            "El gobierno de Canadá restablecerá el uso de la visa para los ciudadanos mexicanos.",
            date(2024, 2, 29),
        ),
        ("L'exigence de visas pour les Mexicains entre en vigueur jeudi.", date(2024, 2, 29)),
    ],
)
def test_a_policy_is_recognised_by_paraphrase_in_three_languages(
    curated: None, text: str, on: date
) -> None:
    assert VISA in policies(text, on)


@pytest.mark.parametrize(
    ("text", "on", "policy"),
    [
        (
            "Thousands of asylum seekers were forced to wait in Mexico for their U.S. court "
            "hearings.",
            date(2019, 8, 1),
            "Migrant Protection Protocols (Remain in Mexico)",
        ),
        (
            "Las expulsiones por la pandemia terminarán el jueves.",
            date(2023, 5, 8),
            "Title 42 public health expulsions",
        ),
        (
            "Migrants use a government app to book an appointment at a port of entry.",
            date(2023, 6, 1),
            "CBP One mobile application (asylum appointment scheduling)",
        ),
        (
            "Des enfants ont été séparés de leurs parents à la frontière.",
            date(2018, 6, 20),
            "Zero-tolerance prosecution policy and family separations",
        ),
        (
            "Asylum seekers must make their claim in the first safe country they reach, Canada "
            "or the United States.",
            date(2021, 4, 15),
            "Canada–U.S. Safe Third Country Agreement",  # noqa: RUF001
        ),
        (
            "Washington podrá trasladar a solicitantes de asilo a Guatemala.",
            date(2019, 7, 30),
            "Asylum Cooperative Agreements (2019)",
        ),
        (
            "Les pays signataires de la déclaration sur la migration et la protection se "
            "réunissent à Lima.",
            date(2022, 10, 6),
            "Los Angeles Declaration on Migration and Protection",
        ),
    ],
)
def test_other_policies_are_recognised_by_paraphrase(
    curated: None, text: str, on: date, policy: str
) -> None:
    assert policy in policies(text, on)


def test_a_paraphrase_outside_its_policys_years_is_not_it(curated: None) -> None:
    text = "Des enfants ont été séparés de leurs parents à la frontière."
    assert not policies(text, date(2024, 6, 20))


def test_cues_must_meet_in_one_sentence_and_in_the_recognisers_window(curated: None) -> None:
    split = "Canada will require visas again. Mexican officials were not consulted."
    assert VISA not in policies(split, date(2024, 2, 29))
    # 'Reinstatement' without Canada in the sentence means the visa only from mid-2023,
    # when its return was first discussed; in 2016 the visa was being lifted.
    before = "The government announced the reinstatement of visas for Mexican nationals."
    assert VISA not in policies(before, date(2016, 6, 1))
    assert VISA in policies(before, date(2024, 2, 29))


def test_a_cue_inside_a_region_name_does_not_count(curated: None) -> None:
    text = "The governor of New Mexico will deploy National Guard troops to the border."
    assert not policies(text, date(2023, 5, 10))


@pytest.mark.django_db
def test_a_saved_recogniser_is_checked_like_a_form() -> None:
    policy = f.policy()
    with pytest.raises(ValidationError):
        Recogniser(policy=policy, cues="visa").full_clean()
    with pytest.raises(ValidationError):
        Recogniser(cues="visa\nMexican").full_clean()


def test_retagging_applies_a_new_recogniser_and_keeps_editors_decisions(curated: None) -> None:
    policy = Policy.objects.get(slug="roxham-road-closure")
    text = "Ottawa shut the irregular crossing on the Quebec border used by asylum seekers."
    hit = f.article(body=text, published_at=datetime(2023, 3, 25, tzinfo=UTC))
    rejected = f.article(body=text + " ", published_at=datetime(2023, 3, 26, tzinfo=UTC))
    other = f.article(body="Nothing about it here.", published_at=datetime(2023, 3, 25, tzinfo=UTC))
    for a in (hit, rejected, other):
        tagged(a)
    f.mention(article=rejected, entity=policy, status=MentionStatus.REJECTED)

    Recogniser.objects.create(policy=policy, cues="irregular crossing\nQuebec", confidence=0.8)
    report = articles_retag(policy=policy)

    assert report.changed == 1 and report.added == 1
    assert policy.mentions.filter(article=hit, status=MentionStatus.AUTO).exists()
    assert rejected.mentions.get(policy=policy).status == MentionStatus.REJECTED
    assert not other.mentions.filter(policy=policy).exists()
    assert articles_retag(policy=policy).changed == 0  # safe to run twice


def test_a_preview_shows_what_would_change_and_saves_nothing(curated: None) -> None:
    policy = Policy.objects.get(slug="roxham-road-closure")
    text = "Ottawa shut the irregular crossing on the Quebec border used by asylum seekers."
    article = f.article(body=text, published_at=datetime(2023, 3, 25, tzinfo=UTC))
    proposed = Recogniser(policy=policy, cues="irregular crossing\nQuebec")

    preview = tagging_preview(apply=proposed.save)

    assert (preview.newly_tagged, preview.untagged, preview.articles_changed) == (1, 0, 1)
    example = preview.examples_tagged[0]
    assert (example.article_id, example.name) == (article.pk, policy.name)
    assert "irregular crossing" in example.evidence
    assert not Recogniser.objects.filter(cues="irregular crossing\nQuebec").exists()


def test_an_editor_previews_a_recogniser_in_admin_before_saving_it(curated: None) -> None:
    policy = Policy.objects.get(slug="roxham-road-closure")
    f.article(
        title="Roxham",
        body="Ottawa shut the irregular crossing on the Quebec border.",
        published_at=datetime(2023, 3, 25, tzinfo=UTC),
    )
    editor: Client = client_for(staff_user("Editor"))
    data = {"policy": policy.pk, "cues": "irregular crossing\nQuebec", "confidence": "0.8"}
    form = editor.get(reverse("admin:summits_recogniser_add")).content.decode()
    assert "Preview on stored articles" in form
    inline = editor.get(reverse("admin:summits_policy_change", args=[policy.pk]))
    assert inline.status_code == 200 and "recognisers" in inline.content.decode().lower()

    page = editor.post(reverse("admin:summits_recogniser_add"), {**data, "_preview": "1"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "newly tag 1" in html and "Roxham" in html and "Nothing has been saved" in html
    assert not Recogniser.objects.filter(policy=policy, cues__contains="Quebec").exists()
    saved = editor.post(reverse("admin:summits_recogniser_add"), {**data, "_continue": "1"})
    assert saved.status_code == 302
    assert Recogniser.objects.get(policy=policy, cues__contains="Quebec").curated

    bad = editor.post(
        reverse("admin:summits_recogniser_add"), {**data, "cues": "x", "_preview": "1"}
    )
    assert "cannot be previewed" in bad.content.decode()


def test_retagging_after_an_alias_is_added_tags_the_articles_that_use_it(curated: None) -> None:
    article = f.article(
        body="Tlatoani dijo que no será el muro de nadie.",
        published_at=datetime(2020, 1, 15, tzinfo=UTC),
        language="es",
    )
    tagged(article)
    amlo = Official.objects.get(slug="andres-manuel-lopez-obrador")
    assert not article.mentions.filter(official=amlo).exists()

    OfficialAlias.objects.create(official=amlo, name="Tlatoani")
    report = articles_retag(official=amlo)

    assert (report.changed, report.added) == (1, 1)
    assert article.mentions.filter(official=amlo).exists()
    assert "1 changed" in report.summary()
