import pytest
from django.db import IntegrityError, transaction

from articles.models import Article, Mention, Source
from summits.models import Country, Official

pytestmark = pytest.mark.django_db


@pytest.fixture
def source() -> Source:
    return Source.objects.create(name="Sample Outlet", domain="sample.example")


@pytest.fixture
def mexico() -> Country:
    return Country.objects.create(
        iso2="MX", iso3="MEX", name_en="Mexico", name_es="México", name_fr="Mexique"
    )


def article(source: Source, url_hash: str = "a" * 64, guid: str = "") -> Article:
    return Article.objects.create(
        url="https://sample.example/story",
        canonical_url="https://sample.example/story",
        url_hash=url_hash,
        guid=guid,
        source=source,
        title="Leaders meet on migration",
    )


def test_two_articles_with_one_canonical_url_cannot_be_stored(source: Source) -> None:
    article(source)
    with pytest.raises(IntegrityError), transaction.atomic():
        article(source)
    assert Article.objects.count() == 1


def test_two_articles_with_one_guid_from_a_source_cannot_be_stored(source: Source) -> None:
    article(source, url_hash="a" * 64, guid="urn:story:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        article(source, url_hash="b" * 64, guid="urn:story:1")
    # Articles without a guid are told apart by URL alone.
    article(source, url_hash="c" * 64)
    article(source, url_hash="d" * 64)
    assert Article.objects.count() == 3


def test_a_mention_cannot_be_stored_twice(source: Source, mexico: Country) -> None:
    story = article(source)
    Mention.objects.create(article=story, kind="country", country=mexico, confidence=0.9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(article=story, kind="country", country=mexico, confidence=0.5)
    assert Mention.objects.count() == 1


def test_a_mention_names_exactly_one_entity_of_its_kind(source: Source, mexico: Country) -> None:
    story = article(source)
    official = Official.objects.create(slug="someone", name="Someone", country=mexico)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(article=story, kind="official", country=mexico)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(article=story, kind="official", official=official, country=mexico)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(article=story, kind="country", country=mexico, confidence=1.5)
    assert Mention.objects.count() == 0
