"""Editors fetch failed pages again from the admin: one article or many at once."""

import pytest
from django.urls import reverse

from articles.models import Article, ExtractionStatus
from tests.articles.ingestion.feeds import HTML, page
from tests.support import factories as f
from tests.support.admin import client_for, staff_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
TEXT = "Leaders of Mexico and Canada met in Ottawa to discuss migration and visas. " * 4


@pytest.fixture
def editor():
    return client_for(staff_user("Editor"))


def _failed_articles(http_server, n):
    source = f.source(domain="wire.example")
    articles = []
    for i in range(n):
        url = http_server.add(f"/s{i}.html", body=page(f"Story {i}", TEXT), headers=HTML)
        articles.append(
            f.article(
                source=source, url=url, canonical_url=url,
                extraction_status=ExtractionStatus.FAILED, page_attempts=3,
                extraction_error="The page could not be fetched: the server failed to answer.",
            )
        )  # fmt: skip
    return articles


def test_an_editor_refetches_failed_pages_in_bulk(
    editor, http_server, settings, django_capture_on_commit_callbacks
):
    settings.TRACKER_FETCH_PAGES = True
    articles = _failed_articles(http_server, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            CHANGELIST,
            {"action": "refetch_pages", "_selected_action": [a.pk for a in articles[:2]]},
            follow=True,
        )
    assert "2 page(s) queued for fetching" in response.content.decode()
    states = dict(Article.objects.values_list("pk", "extraction_status"))
    assert states[articles[0].pk] == states[articles[1].pk] == ExtractionStatus.EXTRACTED
    assert states[articles[2].pk] == ExtractionStatus.FAILED
    assert Article.objects.get(pk=articles[0].pk).page_attempts == 1


def test_an_editor_refetches_one_page_from_its_change_form(
    editor, http_server, settings, django_capture_on_commit_callbacks
):
    settings.TRACKER_FETCH_PAGES = True
    (article,) = _failed_articles(http_server, 1)
    change = reverse("admin:articles_article_change", args=[article.pk])
    form = editor.get(change).content.decode()
    assert 'name="_refetch_page"' in form
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(change.replace("/change/", "/refetch/"), follow=True)
    article.refresh_from_db()
    assert article.extraction_status == ExtractionStatus.EXTRACTED
    assert "Mexico and Canada" in article.body


def test_an_analyst_cannot_refetch(http_server):
    analyst = client_for(staff_user("Analyst"))
    (article,) = _failed_articles(http_server, 1)
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = analyst.post(change.replace("/change/", "/refetch/"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.extraction_status == ExtractionStatus.FAILED
