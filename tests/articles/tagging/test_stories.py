"""One story in several languages: articles linked by date, shared entities and figures."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from articles.ingestion.services import article_analyze
from articles.models import Country, StoryCluster
from articles.tagging.stories import (
    StoryCard,
    figures,
    stories_match,
    story_choose,
    story_similarity,
    title_cues,
)
from articles.tagging.tagger import knowledge_base_reset
from tests.support import factories as f

VISA = {
    "en": (
        "Canada reimposes visa requirement on most Mexican travellers",
        "OTTAWA — Canada reimposed a visa requirement on most Mexican citizens from February 29, "
        "2024, eight years after lifting it in 2016. Immigration Minister Marc Miller cited a "
        "sharp rise in asylum claims by Mexican nationals, many of which were refused or "
        "withdrawn. Mexicans who hold a valid US non-immigrant visa can still apply for an "
        "electronic travel authorization when flying to Canada.",
    ),
    "fr": (
        "Ottawa rétablit le visa pour les ressortissants mexicains",
        "OTTAWA — Le Canada exige de nouveau un visa de la plupart des voyageurs mexicains depuis "
        "le 29 février 2024, huit ans après l'avoir levé. Le ministre de l'Immigration, Marc "
        "Miller, a invoqué la forte hausse des demandes d'asile présentées par des ressortissants "
        "mexicains. Les titulaires d'un visa américain valide peuvent toujours demander une "
        "autorisation de voyage électronique.",
    ),
    "es": (
        "Canadá vuelve a exigir visa a los viajeros mexicanos",
        "OTTAWA — Canadá restableció el 29 de febrero de 2024 la obligación de visa para la "
        "mayoría de los ciudadanos mexicanos, ocho años después de haberla eliminado. El ministro "
        "de Inmigración, Marc Miller, atribuyó la decisión al aumento de solicitudes de asilo "
        "presentadas por mexicanos. Quienes tengan una visa estadounidense vigente podrán seguir "
        "tramitando una autorización electrónica.",
    ),
}


def card(language: str, on: date, *items: tuple[str, int], text: str = "") -> StoryCard:
    return StoryCard.of(
        language=language, on=on, title="", text=text, entities=[(k, e, 0.9) for k, e in items]
    )


def test_figures_are_written_one_way_and_years_say_nothing() -> None:
    assert figures("10,000 troops; 10 000 soldats; 10.000 elementos in 2019") == {"10000"}
    assert figures("a 25% tariff, un arancel del 25 %") == {"25"}


def test_two_languages_one_event_are_one_story_and_others_are_not() -> None:
    day = date(2024, 2, 29)
    visa = [("country", 1), ("country", 2), ("official", 7), ("policy", 3)]
    en = card("en", day, *visa, text="from February 29")
    es = card("es", day, *visa, text="el 29 de febrero")
    assert stories_match(en, es)
    assert not stories_match(en, card("en", day, *visa))  # the same language: dedupe's work
    assert not stories_match(en, card("es", date(2024, 3, 8), *visa))  # a week later
    # The day after brings republications and follow-ups, however alike: not the story.
    assert not stories_match(en, card("es", date(2024, 3, 1), *visa, text="el 29 de febrero"))
    other = card("es", day, ("country", 1), ("country", 2), ("policy", 9))
    assert not stories_match(en, other)  # the same countries, another policy
    assert story_similarity(en, card("fr", day, ("country", 1), ("country", 2))) == 0.0


def test_titles_that_share_a_word_of_what_happened_need_less_in_common() -> None:
    # Capitalised words (the first, names, countries) are not cues: the cards share entities.
    assert title_cues("Termina el Título 42; México recibirá a migrantes") == {
        "42", "recib", "migra"
    }  # fmt: skip
    assert title_cues("Canada reimposes visas on Mexican travellers in 2024") >= {"visa"}
    assert not title_cues("Trump calls Sheinbaum") & title_cues("Sheinbaum et Trump")
    day = date(2023, 5, 11)
    en = card("en", day, ("policy", 1), ("official", 2), ("official", 3), ("official", 4))
    es = card("es", day, ("policy", 1), ("official", 5), ("official", 6))
    assert 0.2 < story_similarity(en, es) < 0.4
    assert not stories_match(en, es)
    titled = {"en": "Title 42 expires at midnight", "es": "Termina el Título 42"}
    en, es = (replace(c, cues=title_cues(titled[c.language])) for c in (en, es))
    assert stories_match(en, es)


def test_a_story_holds_one_article_per_language_the_best_match() -> None:
    day = date(2024, 2, 29)
    visa = [("country", 1), ("country", 2), ("official", 7), ("policy", 3)]
    talks = [("country", 1), ("country", 3), ("official", 8), ("summit", 4)]
    stories = {
        "visa in English": [card("en", day, *visa[:3])],
        "visa in Spanish and French": [card("es", day, *visa), card("fr", day, *visa[:3])],
        "talks": [card("fr", day, *talks)],
    }
    # French is taken in the better match: the French article joins the English story.
    assert story_choose(card("fr", day, *visa), stories) == "visa in English"
    assert story_choose(card("de", day, *visa), stories) == "visa in Spanish and French"
    assert story_choose(card("es", day, *talks), stories) == "talks"
    assert story_choose(card("es", day, ("country", 1), ("policy", 9)), stories) is None
    assert story_choose(card("es", date(2024, 3, 1), *visa), stories) is None


@pytest.mark.django_db
def test_the_visa_story_in_three_languages_becomes_one_story(reference: None) -> None:
    knowledge_base_reset()
    articles = []
    for language, (title, body) in VISA.items():
        article = f.article(
            title=title,
            body=body,
            language=language,
            source=f.source(),
            published_at=datetime(2024, 2, 29, 15, tzinfo=UTC),
        )
        article_analyze(article=article, new=True)
        articles.append(article)
    clusters = {a.cluster_id for a in articles}
    assert len(clusters) == 1
    assert StoryCluster.objects.get(pk=clusters.pop()).size == 3

    unrelated = f.article(
        title="Title 42 ends",
        body="The Title 42 order ended on May 11, 2023, and Mexico braced for new arrivals "
        "at the border with the United States.",
        language="es",
        published_at=datetime(2024, 2, 29, 16, tzinfo=UTC),
    )
    article_analyze(article=unrelated, new=True)
    assert unrelated.cluster_id not in {a.cluster_id for a in articles}

    # Another English report in its own words is another angle: the story has its English.
    analysis = f.article(
        title="What the visa means for Mexican travellers",
        body="Mexican travellers now need a visa for Canada, Immigration Minister Marc Miller "
        "said on February 29, 2024, while holders of a US visa can apply online.",
        language="en",
        published_at=datetime(2024, 2, 29, 18, tzinfo=UTC),
    )
    article_analyze(article=analysis, new=True)
    assert analysis.cluster_id not in {a.cluster_id for a in articles}
    knowledge_base_reset()


@pytest.mark.django_db
def test_a_mexican_evening_story_is_linked_on_its_own_day(reference: None) -> None:
    """21:00 in Mexico City on 29 February is 1 March in UTC; the outlet's day is the 29th."""
    knowledge_base_reset()
    outlets = {
        "en": f.source(country=Country.objects.get(iso2="CA")),
        "es": f.source(country=Country.objects.get(iso2="MX"), language="es"),
    }
    times = {"en": datetime(2024, 2, 29, 18, tzinfo=UTC), "es": datetime(2024, 3, 1, 3, tzinfo=UTC)}
    articles = []
    for language in ("en", "es"):
        title, body = VISA[language]
        article = f.article(title=title, body=body, language=language,
                            source=outlets[language], published_at=times[language])  # fmt: skip
        article_analyze(article=article, new=True)
        articles.append(article)
    assert articles[0].cluster_id == articles[1].cluster_id
    knowledge_base_reset()
