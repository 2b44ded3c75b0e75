"""An export that fails never looks complete: before the first byte it is an error response;
after it, the file ends with a line a reader detects, the failure is logged, and the stream
raises so the server cuts the response (tests/tracker/test_web_processes.py shows an HTTP
client meeting that cut).

The failures are real: on SQLite a stored title that is not UTF-8 (the driver cannot read
it), on PostgreSQL the database connection killed by the server part-way (as a restart or
an administrator would).
"""

import csv
import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from articles.ingestion.canonical import url_hash
from articles.models import Article, Mention
from articles.reading.exports import ARTICLE_COLUMNS, CHUNK_SIZE
from tests.support import factories as f

pytestmark = pytest.mark.django_db

START = datetime(2021, 1, 1, tzinfo=UTC)
FAILED_MARK = "#EXPORT FAILED"  # as README tells readers to look for
PUBLIC_ARTICLE_COLUMNS = sum(1 for column in ARTICLE_COLUMNS if not column.staff_only)


def many_articles(n: int, **fields: Any) -> list[Article]:
    source = f.source()
    return Article.objects.bulk_create(
        Article(
            source=source,
            title=f"Article {i}",
            url=f"https://{source.domain}/{i}",
            canonical_url=f"https://{source.domain}/{i}",
            url_hash=url_hash(f"https://{source.domain}/{i}"),
            language="en",
            published_at=START + timedelta(minutes=i),
            **fields,
        )
        for i in range(n)
    )


def unreadable_title(article: Article) -> None:
    """Store bytes that are not UTF-8 as the title, as a damaged database file could hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET title = CAST(X'ff' AS TEXT) WHERE id = %s", [article.pk]
        )


def read_until_it_fails(response: Any) -> tuple[bytes, BaseException | None]:
    received = b""
    try:
        for piece in response.streaming_content:
            received += piece
    except Exception as exc:  # the stream's own failure is what is checked
        return received, exc
    return received, None


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_cut_and_marked(data: bytes, failure: BaseException | None, width: int) -> None:
    assert failure is not None  # the stream raised, so the server cuts the response
    rows = rows_of(data)
    assert len(rows[0]) == width  # the header went out
    assert all(len(row) == width for row in rows[1:-1])  # whole rows, then
    assert rows[-1][0].startswith(FAILED_MARK) and len(rows[-1]) < width
    assert "this file is incomplete" in rows[-1][0]
    assert data.endswith(b"\r\n")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an undecodable text is SQLite's")
def test_sqlite_a_failure_part_way_ends_the_file_with_a_marked_line_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    articles = many_articles(CHUNK_SIZE + 500)
    unreadable_title(articles[-1])  # read in the second chunk, after the first bytes left

    with caplog.at_level(logging.ERROR, logger="articles.reading.exports"):
        response = Client().get("/exports/articles.csv", secure=True)
        assert response.status_code == 200
        data, failure = read_until_it_fails(response)

    assert_cut_and_marked(data, failure, width=PUBLIC_ARTICLE_COLUMNS)
    assert len(rows_of(data)) - 2 >= CHUNK_SIZE  # the rows before the failure arrived
    assert any("articles.csv failed after" in r.getMessage() for r in caplog.records)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an undecodable text is SQLite's")
def test_sqlite_a_failure_before_the_first_byte_is_an_error_response_not_a_200(
    caplog: pytest.LogCaptureFixture,
) -> None:
    articles = many_articles(10)
    unreadable_title(articles[0])

    with caplog.at_level(logging.ERROR, logger="articles.reading.views_export"):
        response = Client().get("/exports/articles.csv", secure=True)

    assert response.status_code == 503
    assert not response.streaming
    assert "nothing was sent" in response.content.decode()
    assert any("could not start" in r.getMessage() for r in caplog.records)


def _kill_this_connection() -> None:
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.parametrize(
    ("url", "width"),
    [("/exports/articles.csv", PUBLIC_ARTICLE_COLUMNS), ("/exports/mentions.csv", 8)],
    ids=["articles", "mentions"],
)
def test_postgresql_a_connection_killed_part_way_cuts_a_marked_file(
    url: str, width: int, caplog: pytest.LogCaptureFixture
) -> None:
    # Some megabytes of rows, more than the sockets hold, so the database is still sending
    # (through a server-side cursor) when it is killed.
    long = "x" * 20_000
    articles = many_articles(300, authors=[long])
    country = f.country("MX")
    Mention.objects.bulk_create(
        Mention(article=a, kind="country", country=country, confidence=0.9, evidence=long)
        for a in articles
    )
    try:
        with caplog.at_level(logging.ERROR, logger="articles.reading.exports"):
            response = Client().get(url, secure=True)
            assert response.status_code == 200
            pieces = iter(response.streaming_content)
            first = next(pieces)
            _kill_this_connection()
            data, failure = read_until_it_fails(type("R", (), {"streaming_content": pieces}))
    finally:
        connection.close()  # the test's transaction died with its connection
    assert_cut_and_marked(first + data, failure, width=width)
    assert any("failed after" in r.getMessage() for r in caplog.records)
