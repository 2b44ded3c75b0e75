import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from articles.models import Article, ArticleFeed, Feed, Mention, Source, StoryCluster
from bench.generation import GENERATED_SUFFIX, corpus_generate, generated_articles
from summits.models import Country, Official, Policy, PolicyEvent, RoleTenure, Summit

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge() -> None:
    """A small knowledge base, enough for the generator to draw names and dates from."""
    countries = {
        iso: Country.objects.create(
            iso2=iso, iso3=iso3, name_en=en, name_es=es, name_fr=fr, is_core=core
        )
        for iso, iso3, en, es, fr, core in [
            ("US", "USA", "United States", "Estados Unidos", "États-Unis", True),
            ("MX", "MEX", "Mexico", "México", "Mexique", True),
            ("CA", "CAN", "Canada", "Canadá", "Canada", True),
            ("GT", "GTM", "Guatemala", "Guatemala", "Guatemala", False),
        ]
    }
    officials = []
    for n, iso in enumerate(["US", "MX", "CA", "US", "MX", "CA", "GT", "US"]):
        official = Official.objects.create(
            slug=f"official-{n}", name=f"Official Number{n}", country=countries[iso]
        )
        RoleTenure.objects.create(
            official=official,
            office="Minister",
            role="foreign_minister",
            country=countries[iso],
            start=date(2017 + n, 1, 20),
            end=None if n > 4 else date(2021 + n, 1, 20),
        )
        officials.append(official)
    policies = []
    for n in range(5):
        policy = Policy.objects.create(slug=f"policy-{n}", name=f"Policy Programme {n}")
        PolicyEvent.objects.create(policy=policy, date=date(2018 + n, 3, 1), status="signed")
        policies.append(policy)
    for n in range(4):
        summit = Summit.objects.create(
            slug=f"summit-{n}",
            title=f"Leaders Summit {n}",
            kind="leaders_summit",
            start_date=date(2019 + 2 * n, 6, 10),
            end_date=date(2019 + 2 * n, 6, 11),
        )
        summit.participants.create(official=officials[n], role="Minister")
        summit.policies.add(policies[n])


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_data", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_articles_asked_for_with_their_mentions_feeds_and_clusters(
    knowledge: None,
) -> None:
    generate("--articles", "300", "--batch-size", "120")

    articles = generated_articles()
    assert articles.count() == 300
    assert Source.objects.filter(domain__endswith=GENERATED_SUFFIX).count() >= 24
    assert set(Source.objects.values_list("language", flat=True)) == {"en", "es", "fr"}
    assert not Feed.objects.filter(active=True).exists()
    mentions = Mention.objects.count()
    assert 7 * 300 <= mentions <= 13 * 300
    assert set(Mention.objects.values_list("kind", flat=True)) == {
        "country",
        "official",
        "policy",
        "summit",
    }
    assert set(Mention.objects.values_list("status", flat=True)) == {
        "auto",
        "approved",
        "rejected",
    }
    assert not Article.objects.filter(feed_links__isnull=True).exists()
    assert ArticleFeed.objects.count() >= 300
    # Every cluster's size is the number of articles in it, and copies name their original.
    for cluster in StoryCluster.objects.annotate(n=Count("articles")):
        assert cluster.size == cluster.n >= 2
    copies = Article.objects.filter(original_source__isnull=False)
    assert copies.exists()
    assert not copies.filter(cluster__isnull=True).exists()
    for article in Article.objects.exclude(body="")[:50]:
        assert 2000 <= len(article.body) <= 7000
        assert 2017 <= article.published_at.year <= 2026
    # Names from the knowledge base are in the text, so that search and tagging find them.
    mention = Mention.objects.filter(kind="official").select_related("official", "article")[0]
    assert mention.official.name in mention.article.body
    assert mention.official.name in mention.evidence


def test_it_adds_nothing_when_run_again_with_the_same_number(knowledge: None) -> None:
    generate("--articles", "120")
    counts = (Article.objects.count(), Mention.objects.count(), StoryCluster.objects.count())

    out = generate("--articles", "120")

    assert (Article.objects.count(), Mention.objects.count(), StoryCluster.objects.count()) == (
        counts
    )
    assert "nothing to add" in out


def test_it_tops_up_to_a_larger_number(knowledge: None) -> None:
    generate("--articles", "100")
    sources = Source.objects.count()

    generate("--articles", "250")

    assert generated_articles().count() == 250
    assert Source.objects.count() == sources


def test_it_refuses_a_database_holding_real_articles_unless_forced(knowledge: None) -> None:
    source = Source.objects.create(name="Real Outlet", domain="real.example.com")
    Article.objects.create(
        url="https://real.example.com/a",
        canonical_url="https://real.example.com/a",
        url_hash="x" * 64,
        source=source,
        title="A real story",
    )

    with pytest.raises(CommandError, match=r"holds 1 real articles.*--force"):
        generate("--articles", "10")
    assert Article.objects.count() == 1

    generate("--articles", "10", "--force")
    assert generated_articles().count() == 10


def test_it_counts_sample_articles_as_not_real(knowledge: None) -> None:
    source = Source.objects.create(name="Demo", domain="demo.example")
    Article.objects.create(
        url="https://demo.example/a",
        canonical_url="https://demo.example/a",
        url_hash="y" * 64,
        source=source,
        title="A demo story",
    )

    generate("--articles", "10")

    assert generated_articles().count() == 10


def test_it_says_to_load_the_reference_data_first() -> None:
    with pytest.raises(CommandError, match="load_reference"):
        generate("--articles", "10")
    assert not Article.objects.exists()


def test_it_rejects_a_negative_number(knowledge: None) -> None:
    with pytest.raises(CommandError, match="zero or more"):
        generate("--articles", "-5")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_copy_path_on_postgresql_gives_the_same_counts(knowledge: None) -> None:
    # Committed rows, so that the parallel writers (their own connections) run as in real use.
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL")

    report = corpus_generate(articles=400, batch_size=150)

    assert report.method == "PostgreSQL COPY"
    assert generated_articles().count() == 400
    assert Mention.objects.count() == report.mentions
    assert StoryCluster.objects.count() == report.clusters
    for cluster in StoryCluster.objects.annotate(n=Count("articles")):
        assert cluster.size == cluster.n
    assert not Article.objects.filter(feed_links__isnull=True).exists()
    article = Article.objects.exclude(authors=[]).first()
    assert article is not None and isinstance(article.authors, list)
    # Rows made by the ORM afterwards get ids after the copied ones.
    source = Source.objects.create(name="After", domain="after.example.com")
    later = Article.objects.create(
        url="https://after.example.com/a",
        canonical_url="https://after.example.com/a",
        url_hash="z" * 64,
        source=source,
        title="Later",
    )
    assert later.pk > max(generated_articles().values_list("pk", flat=True))
    assert corpus_generate(articles=400, force=True).created == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_postgresql_still_make_exactly_the_number_asked(
    knowledge: None,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL")

    def one_run() -> int:
        try:
            return corpus_generate(articles=300, batch_size=100).created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        created = sorted(f.result() for f in [pool.submit(one_run), pool.submit(one_run)])

    assert created == [0, 300]
    assert generated_articles().count() == 300
