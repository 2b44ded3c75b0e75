"""Recognisers: policies and meetings referred to by paraphrase, as knowledge-base data that
editors edit in admin, preview on stored articles, and that re-tagging applies."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles.models import MentionKind, MentionStatus
from articles.tagging.kb import CUE, knowledge_base_get
from articles.tagging.kb_change import affected_articles, articles_retag, tagging_preview
from articles.tagging.passage import Passage
from articles.tagging.tagger import knowledge_base_reset, text_tag
from summits.cues import cue_groups, cue_groups_marked, word_forms
from summits.models import Official, OfficialAlias, Policy, Recogniser
from summits.services import reference_load
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
    text = "Ottawa sealed the footpath near Champlain used by asylum seekers."
    hit = f.article(body=text, published_at=datetime(2023, 3, 25, tzinfo=UTC))
    rejected = f.article(body=text + " ", published_at=datetime(2023, 3, 26, tzinfo=UTC))
    other = f.article(body="Nothing about it here.", published_at=datetime(2023, 3, 25, tzinfo=UTC))
    for a in (hit, rejected, other):
        tagged(a)
    f.mention(article=rejected, entity=policy, status=MentionStatus.REJECTED)

    Recogniser.objects.create(policy=policy, cues="footpath\nChamplain", confidence=0.8)
    report = articles_retag(policy=policy)

    assert report.changed == 1 and report.added == 1
    assert policy.mentions.filter(article=hit, status=MentionStatus.AUTO).exists()
    assert rejected.mentions.get(policy=policy).status == MentionStatus.REJECTED
    assert not other.mentions.filter(policy=policy).exists()
    assert articles_retag(policy=policy).changed == 0  # safe to run twice


def test_a_new_recogniser_reaches_articles_that_use_an_inflected_form_of_its_cues(
    curated: None,
) -> None:
    """The articles re-tagged after an editor saves a recogniser are found by every form the
    tagger reads a cue word in: a plural phrase in the text, a singular one in the cue."""
    policy = Policy.objects.get(slug="roxham-road-closure")
    text = "Las solicitantes de asilo cruzaban por el sendero cercano a Champlain."
    plural = f.article(body=text, published_at=datetime(2023, 3, 25, tzinfo=UTC))
    other = f.article(body="Nada de eso aquí.", published_at=datetime(2023, 3, 25, tzinfo=UTC))
    Recogniser.objects.create(
        policy=policy, cues="solicitante de asilo\nsendero\nChamplain", confidence=0.8
    )

    found = set(affected_articles(policy=policy).values_list("pk", flat=True))

    assert plural.pk in found and other.pk not in found
    assert articles_retag(policy=policy).added == 1


def test_a_preview_shows_what_would_change_and_saves_nothing(curated: None) -> None:
    policy = Policy.objects.get(slug="roxham-road-closure")
    text = "Ottawa sealed the footpath near Champlain used by asylum seekers."
    article = f.article(body=text, published_at=datetime(2023, 3, 25, tzinfo=UTC))
    proposed = Recogniser(policy=policy, cues="footpath\nChamplain")

    preview = tagging_preview(apply=proposed.save)

    assert (preview.newly_tagged, preview.untagged, preview.articles_changed) == (1, 0, 1)
    example = preview.examples_tagged[0]
    assert (example.article_id, example.name) == (article.pk, policy.name)
    assert "footpath" in example.evidence
    assert not Recogniser.objects.filter(cues="footpath\nChamplain").exists()


def test_an_editor_previews_a_recogniser_in_admin_before_saving_it(curated: None) -> None:
    policy = Policy.objects.get(slug="roxham-road-closure")
    f.article(
        title="Roxham",
        body="Ottawa sealed the footpath near Champlain.",
        published_at=datetime(2023, 3, 25, tzinfo=UTC),
    )
    editor: Client = client_for(staff_user("Editor"))
    data = {"policy": policy.pk, "cues": "footpath\nChamplain", "confidence": "0.8"}
    form = editor.get(reverse("admin:summits_recogniser_add")).content.decode()
    assert "Preview on stored articles" in form
    inline = editor.get(reverse("admin:summits_policy_change", args=[policy.pk]))
    assert inline.status_code == 200 and "recognisers" in inline.content.decode().lower()

    page = editor.post(reverse("admin:summits_recogniser_add"), {**data, "_preview": "1"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "newly tag 1" in html and "Roxham" in html and "Nothing has been saved" in html
    assert not Recogniser.objects.filter(policy=policy, cues__contains="Champlain").exists()
    saved = editor.post(reverse("admin:summits_recogniser_add"), {**data, "_continue": "1"})
    assert saved.status_code == 302
    assert Recogniser.objects.get(policy=policy, cues__contains="Champlain").curated

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


# Paraphrases of every kind the press uses, in the three languages: what a policy does, to
# whom, and its nicknames. Written from the public record; none is taken from a yardstick.
PARAPHRASES = [
    (
        "Border agents used the pandemic-era rule to turn away migrants at the southern border.",
        date(2021, 9, 1),
        "title-42-expulsions",
    ),
    (
        "Las expulsiones sanitarias de migrantes en la frontera sur de Estados Unidos siguen.",
        date(2022, 3, 1),
        "title-42-expulsions",
    ),
    (
        "Washington invoque une mesure sanitaire pour expulser les migrants vers le Mexique.",
        date(2021, 3, 1),
        "title-42-expulsions",
    ),
    (
        "The policy forced migrants to stay in Mexico while their cases moved through U.S. courts.",
        date(2019, 10, 1),
        "migrant-protection-protocols",
    ),
    (
        "Miles de solicitantes de asilo deben esperar en México sus audiencias en Estados Unidos.",
        date(2019, 10, 1),
        "migrant-protection-protocols",
    ),
    (
        "Les demandeurs d'asile doivent attendre au Mexique la date de leur audience.",
        date(2022, 2, 1),
        "migrant-protection-protocols",
    ),
    (
        "Ottawa veut modifier l'Entente sur les pays tiers sûrs conclue avec Washington.",
        date(2022, 4, 1),
        "us-canada-safe-third-country-agreement",
    ),
    (
        "Ottawa shut the unofficial crossing into Quebec that asylum seekers had used for years.",
        date(2023, 3, 27),
        "roxham-road-closure",
    ),
    (
        "El cierre del cruce irregular hacia Quebec dejó a cientos de solicitantes de asilo "
        "varados en Nueva York.",
        date(2023, 4, 2),
        "roxham-road-closure",
    ),
    (
        "Migrants in Tijuana refresh a government app for hours hoping to get an asylum "
        "appointment.",
        date(2023, 6, 1),
        "cbp-one",
    ),
    (
        "Los migrantes deben pedir una cita en la aplicación móvil de la CBP para cruzar.",
        date(2023, 6, 1),
        "cbp-one",
    ),
    (
        "Les migrants doivent obtenir un rendez-vous par l'application mobile des autorités "
        "américaines à la frontière.",
        date(2024, 2, 1),
        "cbp-one",
    ),
    (
        "Venezuelans with a financial sponsor in the United States may fly in under the program.",
        date(2023, 8, 1),
        "chnv-parole",
    ),
    (
        "Las firmas de diez países dieron forma a una declaración regional sobre migración y "
        "protección.",
        date(2022, 6, 12),
        "los-angeles-declaration",
    ),
    (
        "Growers rely on the agricultural guest worker visa program to bring in Mexican workers.",
        date(2024, 5, 1),
        "h-2a-visa",
    ),
    (
        "Miles de jornaleros agrícolas mexicanos viajan cada año a Canadá con el programa.",
        date(2024, 5, 1),
        "seasonal-agricultural-worker-program",
    ),
    (
        "Les permis de travail fermés du Canada lient les travailleurs étrangers à un employeur.",
        date(2024, 9, 1),
        "temporary-foreign-worker-program",
    ),
    (
        "Washington financia centros regionales de procesamiento en Colombia y Guatemala.",
        date(2023, 7, 1),
        "safe-mobility-offices",
    ),
    (
        "The rule presumes migrants ineligible for asylum if they did not first seek protection "
        "in a country they passed through.",
        date(2023, 8, 1),
        "circumvention-of-lawful-pathways",
    ),
    (
        "La nueva regla niega el asilo a quienes no lo pidieron antes en un país de tránsito.",
        date(2023, 8, 1),
        "circumvention-of-lawful-pathways",
    ),
    (
        "El acuerdo evitó los aranceles a cambio de más controles migratorios.",
        date(2019, 6, 10),
        "us-mexico-joint-declaration-2019",
    ),
    (
        "Washington podrá enviar a Guatemala a solicitantes de asilo con el acuerdo de tercer "
        "país seguro firmado por el gobierno de Morales.",
        date(2019, 8, 1),
        "asylum-cooperative-agreements",
    ),
    (
        "The program shields from deportation immigrants brought to the U.S. as children.",
        date(2023, 9, 1),
        "daca",
    ),
    (
        "El programa protege de la deportación a jóvenes que llegaron de niños.",
        date(2023, 9, 1),
        "daca",
    ),
    (
        "Le gouvernement a annulé le statut de protection temporaire des Haïtiens.",
        date(2025, 6, 1),
        "temporary-protected-status",
    ),
    (
        "Mexico agreed to send 10,000 troops to its northern border.",
        date(2025, 2, 3),
        "mexico-national-guard-border-deployment",
    ),
    (
        "La Casa Blanca publicó la orden ejecutiva que limita el asilo cuando los cruces "
        "superan un umbral diario.",
        date(2024, 6, 5),
        "securing-the-border-proclamation",
    ),
    (
        "Canadá restablece la exigencia de visas para los ciudadanos mexicanos.",
        date(2024, 2, 29),
        "mexico-visa-requirement-canada",
    ),
    (
        "Trump suspendió los aranceles contra México y Canadá durante 30 días.",
        date(2025, 2, 4),
        "us-tariff-pause-border-deals-2025",
    ),
    (
        "Ottawa a dévoilé un plan de sécurité frontalière pour apaiser Washington.",
        date(2024, 12, 18),
        "canada-border-plan-2024",
    ),
    (
        "Asylum seekers crossing into Quebec anywhere along the land border will now be turned "
        "back.",
        date(2023, 3, 27),
        "stca-additional-protocol-2023",
    ),
    (
        "Ottawa a dévoilé un plan de 1,3 milliard de dollars pour renforcer la frontière.",
        date(2024, 12, 18),
        "canada-border-plan-2024",
    ),
    (
        "Biden's order lets agents quickly deport migrants when crossings top 2,500 a day.",
        date(2024, 6, 5),
        "securing-the-border-proclamation",
    ),
    (
        "Trump signed an order suspending asylum at the southern border on his first day.",
        date(2025, 1, 21),
        "guaranteeing-states-protection-against-invasion",
    ),
]


@pytest.mark.parametrize(("text", "on", "slug"), PARAPHRASES)
def test_the_press_paraphrases_of_policies_are_recognised(
    curated: None, text: str, on: date, slug: str
) -> None:
    assert Policy.objects.get(slug=slug).name in policies(text, on)


@pytest.mark.parametrize(
    ("text", "on"),
    [
        # A generic phrase, a place and a Canadian measure, each near a policy's words.
        ("Jordan closed its borders with Syria and blocked the crossing point.", date(2023, 4, 1)),
        ("Travellers were turned away at the Canadian border over COVID rules.", date(2020, 5, 1)),
        ("He praised Colombia's temporary protection statute for Venezuelans.", date(2022, 10, 6)),
        ("Texas sent National Guard troops to the border with Mexico.", date(2024, 1, 10)),
        (
            "His experience dealing with Washington over the tariff threat of 2019 counts.",
            date(2023, 6, 20),
        ),
        ("Declaring Mexico a safe third country was never on the table.", date(2019, 6, 20)),
    ],
)
def test_near_misses_of_the_paraphrases_are_not_policies(
    curated: None, text: str, on: date
) -> None:
    assert not policies(text, on)


def test_a_negated_cue_word_does_not_count(curated: None) -> None:
    text = "The H-2B visa is for non-agricultural temporary workers in the United States."
    found = policies(text, date(2024, 5, 1))
    assert "H-2B temporary non-agricultural worker visa" in found
    assert "H-2A temporary agricultural worker visa" not in found


def test_a_nouns_verb_endings_are_not_its_forms() -> None:
    # 'according' is not an accord, 'courting' not a court, 'dealing' not a deal.
    for noun, verb in (("accord", "according"), ("court", "courting"), ("deal", "dealing")):
        assert verb not in word_forms(noun)[0]
    assert "courts" in word_forms("court")[0]


@pytest.mark.parametrize(
    "text",
    [
        "In 2022 more Mexicans flew to Canada without a visa and claimed asylum.",
        "En 2022 aumentó el número de mexicanos que llegaron en avión a Canadá sin visa.",
        "Des Mexicains arrivés au Canada sans visa ont demandé l'asile.",
    ],
)
def test_a_cue_word_after_without_does_not_count(curated: None, text: str) -> None:
    # Travelling without a visa describes a situation, not the requirement of one.
    assert not policies(text, date(2023, 3, 24))


def test_a_comma_before_a_digit_is_part_of_a_number_in_a_cue() -> None:
    assert cue_groups("2,500, 1,3 milliard,visa\nasylum") == [
        ["2,500", "1,3 milliard", "visa"],
        ["asylum"],
    ]


def test_a_phrase_in_a_cue_agrees_in_number_and_gender() -> None:
    assert {"ciudadanas mexicanas", "ciudadanos mexicanos"} <= word_forms("ciudadano mexicano")[0]
    assert "permis de travail fermes" in word_forms("permis de travail fermé")[0]
    assert "las exigencias de visas" in word_forms("la exigencia de visa")[0]


def test_a_group_marked_with_a_chevron_may_be_met_in_the_sentence_before() -> None:
    groups = cue_groups_marked("< tariff*, arancel*\nexemption")
    assert [g.carried for g in groups] == [True, False]
    assert groups[0].words == ["tariff*", "arancel*"]
    with pytest.raises(ValueError, match="in the sentence itself"):
        cue_groups("< tariff*\n< exemption")


def test_a_carried_group_counts_from_the_sentence_before_only(curated: None) -> None:
    policy = Policy.objects.get(slug="roxham-road-closure")
    Recogniser.objects.create(policy=policy, cues="< crossing\nshut\nQuebec")
    knowledge_base_reset()
    on = date(2023, 3, 25)
    assert policy.name in policies("The crossing is busy. Ottawa shut it, Quebec said.", on)
    assert policy.name not in policies("Ottawa shut it, Quebec said. The crossing is busy.", on)
    assert policy.name not in policies("The crossing is busy. Ottawa shut it.", on)


def test_loading_the_reference_twice_updates_recognisers_in_place(reference: None) -> None:
    rows = {r.pk: (r.policy_id, r.summit_id, r.cues) for r in Recogniser.objects.all()}
    assert len(rows) > 100
    reference_load()
    assert rows == {r.pk: (r.policy_id, r.summit_id, r.cues) for r in Recogniser.objects.all()}
    # A recogniser whose confidence the data changes is updated, not added again.
    first = Recogniser.objects.order_by("pk").first()
    Recogniser.objects.filter(pk=first.pk).update(confidence=0.5)
    reference_load()
    assert Recogniser.objects.get(pk=first.pk).confidence != 0.5
    assert Recogniser.objects.count() == len(rows)


def test_a_cue_word_of_many_recognisers_is_one_match_per_occurrence(curated: None) -> None:
    kb = knowledge_base_get()
    passage = Passage.read(kb, text="Asylum, asylum.", title="", on=date(2024, 1, 1), authors=[])
    cues = passage.by_kind[CUE]
    assert len(cues) == 2
    owners = {r for m in cues for r, _group in m.key.cues}
    assert len(owners) > 10  # 'asylum' is a cue of many recognisers


def test_the_forms_of_a_cue_word_share_one_key_list_in_the_automaton(curated: None) -> None:
    """A worker keeps the automaton for its life: the forms of one cue word, which stand for
    the same recognisers, hold one key list between them, not one each."""
    kb = knowledge_base_get()
    forms = sorted(word_forms("asylum seeker")[0])
    assert len(forms) > 1
    lists: dict[tuple, set[int]] = {}
    for form in forms:
        keys = kb.automaton.get(form)[1]
        lists.setdefault(tuple(keys), set()).add(id(keys))
    assert len(lists) < len(forms)  # some forms stand for the same recognisers
    assert all(len(objects) == 1 for objects in lists.values())
