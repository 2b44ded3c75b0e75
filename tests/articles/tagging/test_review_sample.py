"""The random review sample of confident tags, and the live precision editors measure with it."""

import lxml.html
import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.models import Mention, MentionStatus
from articles.tagging.review import review_queue, review_sampled, sampled_precision
from tests.support import factories as f
from tests.support.admin import client_for, staff_user


@given(st.integers(1, 10**9), st.sampled_from(["country", "official"]), st.integers(1, 10**6))
@settings(max_examples=50)
def test_a_tag_is_in_the_sample_or_not_the_same_way_every_time(
    article_id: int, kind: str, entity_id: int
) -> None:
    once = review_sampled(article_id=article_id, kind=kind, entity_id=entity_id)
    assert review_sampled(article_id=article_id, kind=kind, entity_id=entity_id) == once


@pytest.mark.parametrize("share", [0.0, 0.02, 0.1])
def test_the_sample_takes_about_the_configured_share_of_tags(share: float) -> None:
    with override_settings(TRACKER_REVIEW_SAMPLE=share):
        drawn = sum(
            review_sampled(article_id=a, kind="official", entity_id=e)
            for a in range(1, 1001)
            for e in range(1, 21)
        )
    # 20,000 tags: the binomial's spread is well under 0.3 percentage points here.
    assert abs(drawn / 20_000 - share) <= 0.005


@pytest.mark.django_db
def test_sampled_confident_tags_join_the_queue_and_their_reviews_give_live_precision() -> None:
    mexico, canada = f.country("MX"), f.country("CA")
    articles = [f.article(url=f"https://a.example/{n}") for n in range(4)]
    sampled = [
        f.mention(article=a, entity=mexico, confidence=0.95, sampled_for_review=True)
        for a in articles[:3]
    ]
    unsampled = f.mention(article=articles[3], entity=canada, confidence=0.95)
    uncertain = f.mention(article=articles[3], entity=mexico, confidence=0.5)

    queued = set(review_queue().values_list("pk", flat=True))
    assert queued == {*(m.pk for m in sampled), uncertain.pk}
    assert unsampled.pk not in queued

    Mention.objects.filter(pk__in=[sampled[0].pk, sampled[1].pk]).update(
        status=MentionStatus.APPROVED
    )
    Mention.objects.filter(pk=sampled[2].pk).update(status=MentionStatus.REJECTED)
    Mention.objects.filter(pk=uncertain.pk).update(status=MentionStatus.REJECTED)
    by_kind = {row.kind: row for row in sampled_precision()}
    # The uncertain tag's rejection says nothing of the confident ones.
    assert (by_kind["country"].approved, by_kind["country"].rejected) == (2, 1)
    assert by_kind["country"].precision == pytest.approx(2 / 3)
    assert by_kind["official"].precision is None

    page = client_for(staff_user("Editor")).get(reverse("admin:articles_mentionreview_changelist"))
    table = lxml.html.fromstring(page.content.decode()).get_element_by_id("sampled-precision")
    rows = {r[0].text_content(): [c.text_content() for c in r[1:]] for r in table.iter("tr")}
    assert rows["Country"] == ["2", "1", "0.667"]
