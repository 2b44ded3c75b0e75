"""Editors' decisions taken in the admin survive re-ingestion, re-tagging and reprocessing."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from articles.ingestion.parsing import ParsedEntry
from articles.ingestion.services import UpsertOutcome, article_process, article_upsert
from articles.models import Feed, Mention, MentionStatus
from articles.tagging.tagger import knowledge_base_reset
from summits.models import Official
from tests.articles.tagging.helpers import tagged
from tests.support import factories as f
from tests.support.admin import client_for, form_values, staff_user

pytestmark = pytest.mark.django_db

TEXT = (
    "<p>Mexican Foreign Secretary Marcelo Ebrard met Secretary of State Antony Blinken in "
    "Washington on Friday to discuss migration, the Migrant Protection Protocols and Canada.</p>"
)


def entry(title: str) -> ParsedEntry:
    return ParsedEntry(
        guid="ebrard-blinken-1",
        link="https://frontera.example/news/ebrard-blinken",
        title=title,
        summary_html=TEXT,
        published=datetime(2021, 10, 8, 15, tzinfo=UTC),
        authors=[],
        language="en",
    )


def by_name(article_id: int) -> dict[str, str]:
    rows = Mention.objects.filter(article_id=article_id).select_related(
        "country", "official", "policy", "summit"
    )
    return {str(m.entity): m.status for m in rows}


def test_rejected_approved_and_added_tags_survive_reingestion_and_retagging(reference):
    knowledge_base_reset()
    feed = Feed.objects.create(url="https://frontera.example/rss", source=f.source())
    article, outcome = article_upsert(feed=feed, entry=entry("Ebrard and Blinken talk migration"))
    assert outcome is UpsertOutcome.NEW
    tags = {m.entity.__class__.__name__ + ":" + str(m.entity): m for m in article.mentions.all()}
    canada = next(m for k, m in tags.items() if k == "Country:Canada")
    ebrard = next(m for k, m in tags.items() if k.startswith("Official:Marcelo Ebrard"))
    summit = next(m for k, m in tags.items() if k.startswith("Summit:"))
    assert summit.status == MentionStatus.AUTO and summit.confidence < 0.8  # in the queue

    editor = client_for(staff_user("Editor"))
    decide = "admin:articles_mentionreview_decide"
    editor.post(reverse(decide, args=[summit.pk, "rejected"]))
    editor.post(reverse(decide, args=[canada.pk, "rejected"]))
    editor.post(reverse(decide, args=[ebrard.pk, "approved"]))
    mayorkas = Official.objects.get(name__icontains="Mayorkas")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_values(editor.get(url).content, "article_form")
    officials = "mentions-2"  # the article page's second inline: its official tags
    n = int(data[f"{officials}-TOTAL_FORMS"])
    data.update(
        {f"{officials}-TOTAL_FORMS": str(n + 1), f"{officials}-{n}-official": str(mayorkas.pk)}
    )
    data[f"{officials}-{n}-status"] = MentionStatus.AUTO
    assert editor.post(url, data).status_code == 302
    decided = by_name(article.pk)

    # The feed carries the story again with a new headline: re-ingested and re-tagged.
    again, outcome = article_upsert(feed=feed, entry=entry("Ebrard, Blinken discuss Canada"))
    assert (again.pk, outcome) == (article.pk, UpsertOutcome.UPDATED)
    tagged(again)
    article_process(article=again)  # what `reprocess` runs
    knowledge_base_reset()
    tagged(again)

    after = by_name(article.pk)
    assert after == decided
    assert after[str(summit.entity)] == MentionStatus.REJECTED
    assert after["Canada"] == MentionStatus.REJECTED
    assert after[str(ebrard.entity)] == MentionStatus.APPROVED
    assert after[str(mayorkas)] == MentionStatus.EDITOR_ADDED
    ebrard.refresh_from_db()
    assert ebrard.reviewed_by.username == "editor"
