"""Tagging a feed's entries as one batch: the knowledge base is checked once, and a row deleted
meanwhile never leaves a mention pointing at nothing."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Mention, MentionKind, MentionStatus, Source
from articles.tagging.kb import knowledge_base_get, knowledge_base_pinned
from articles.tagging.tagger import article_mentions_write, knowledge_base_reset
from summits.models import Official, SummitParticipant
from summits.services import reference_load
from tests.articles.tagging.helpers import tagged

GOLD_KB = Path(__file__).parent / "gold" / "kb"

STORY = (
    "MEXICO CITY — Secretary of State Antony Blinken and Homeland Security Secretary "
    "Alejandro Mayorkas met President Andrés Manuel López Obrador on Wednesday, in talks on "
    "record crossings at the border under Title 42."
)


@pytest.fixture
def kb(db: None) -> None:
    reference_load(directory=GOLD_KB)
    knowledge_base_reset()
    yield
    knowledge_base_reset()


def make_article(body: str, n: int = 0) -> Article:
    source, _ = Source.objects.get_or_create(domain="example.org", defaults={"name": "Example"})
    url = f"https://example.org/{hashlib.sha1(f'{n}{body}'.encode()).hexdigest()[:12]}"
    return Article.objects.create(
        url=url,
        canonical_url=url,
        url_hash=hashlib.sha256(url.encode()).hexdigest(),
        source=source,
        title="Migration talks",
        body=body,
        published_at=datetime(2023, 12, 28, 9, tzinfo=UTC),
    )


def officials(article: Article) -> set[str]:
    return {
        m.official.name
        for m in article.mentions.filter(kind=MentionKind.OFFICIAL).select_related("official")
    }


def delete_official(name: str) -> None:
    SummitParticipant.objects.filter(official__name=name).delete()
    Official.objects.filter(name=name).delete()


def signature_checks(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries if "SELECT (SELECT COUNT(*)" in q["sql"])


def test_a_batch_checks_the_knowledge_base_once_not_per_article(kb: None) -> None:
    knowledge_base_get()
    articles = [make_article(STORY, n) for n in range(5)]

    with CaptureQueriesContext(connection) as queries, knowledge_base_pinned():
        for article in articles:
            article_mentions_write(article=article)

    assert signature_checks(queries) == 1
    for article in articles:
        assert "Alejandro Mayorkas" in officials(article)
        assert article.tagger_version and article.tagged_at is not None


def test_outside_a_batch_every_article_sees_the_latest_knowledge_base(kb: None) -> None:
    knowledge_base_get()
    articles = [make_article(STORY, n) for n in range(3)]

    with CaptureQueriesContext(connection) as queries:
        for article in articles:
            tagged(article)

    assert signature_checks(queries) == 3


def test_an_official_deleted_during_a_batch_gets_no_mention(kb: None) -> None:
    first, second = make_article(STORY, 1), make_article(STORY, 2)
    with knowledge_base_pinned():
        article_mentions_write(article=first)
        delete_official("Alejandro Mayorkas")
        article_mentions_write(article=second)

    assert "Antony Blinken" in officials(second)
    assert "Alejandro Mayorkas" not in officials(second)
    assert not Mention.objects.filter(kind=MentionKind.OFFICIAL, official__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_an_official_deleted_during_a_batch_outside_a_transaction_gets_no_mention() -> None:
    # Not inside a test transaction: the foreign key is checked when the tagger commits.
    reference_load(directory=GOLD_KB)
    knowledge_base_reset()
    try:
        first, second = make_article(STORY, 1), make_article(STORY, 2)
        with knowledge_base_pinned():
            article_mentions_write(article=first)
            delete_official("Alejandro Mayorkas")
            article_mentions_write(article=second)

        assert "Antony Blinken" in officials(second)
        assert "Alejandro Mayorkas" not in officials(second)
        assert second.mentions.filter(status=MentionStatus.AUTO).count() >= 3
    finally:
        knowledge_base_reset()


@pytest.mark.parametrize("status", [MentionStatus.REJECTED, MentionStatus.EDITOR_ADDED])
def test_an_editors_mention_on_an_article_taken_for_new_is_kept(kb: None, status: str) -> None:
    # Ingestion tells the tagger a just-stored article has no mentions; if an editor was
    # quicker, their decision still stands.
    article = make_article(STORY)
    mayorkas = Official.objects.get(name="Alejandro Mayorkas")
    Mention.objects.create(
        article=article,
        kind=MentionKind.OFFICIAL,
        official=mayorkas,
        confidence=1.0,
        method="editor",
        status=status,
    )

    article_mentions_write(article=article, new=True)

    kept = article.mentions.get(official=mayorkas)
    assert (kept.status, kept.method, kept.confidence) == (status, "editor", 1.0)
    assert "Antony Blinken" in officials(article)
