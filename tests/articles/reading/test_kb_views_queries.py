"""Each page runs a bounded number of SQL queries, however many rows it shows."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_http(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]


def hubs() -> tuple:
    from summits.models import Official, Policy, PolicyEvent, Summit

    mx = f.country("MX")
    hub = Official.objects.filter(slug="hub").first() or f.official(slug="hub", country=mx)
    policy = Policy.objects.filter(slug="hub-policy").first()
    if policy is None:
        policy = f.policy(slug="hub-policy")
        PolicyEvent.objects.create(policy=policy, date=date(2019, 1, 29), status="in_force")
    main = Summit.objects.filter(slug="hub-summit").first() or f.summit(
        slug="hub-summit", participants=[(hub, "Minister")], policies=[policy]
    )
    return mx, hub, policy, main


def build(n: int) -> None:
    """n more summits, officials, policies and two-copy stories, all tagged with the hubs."""
    from summits.models import PolicyEvent

    mx, hub, policy, main = hubs()
    us = f.country("US")
    for i in range(n):
        person = f.official(country=us)
        f.tenure(official=person, start=date(2010 + i % 10, 1, 1))
        extra = f.policy()
        PolicyEvent.objects.create(policy=extra, date=date(2019 + i % 5, 1, 1), status="in_force")
        PolicyEvent.objects.create(policy=extra, date=date(2024, 2, 1), status="blocked")
        f.summit(
            start_date=date(2005 + i % 20, 3, 1),
            participants=[(person, "Envoy"), (hub, "Minister")],
            policies=[extra, policy],
        )
        story = f.cluster(size=2)
        for copy in range(2):
            a = f.article(
                cluster=story,
                source=f.source(country=(mx, us, None)[i % 3], kind=("outlet", "wire")[i % 2]),
                published_at=datetime(2021, 11, 1, tzinfo=UTC) + timedelta(hours=i * 7 + copy),
            )
            for entity in (main, mx, hub, policy, person, extra):
                f.mention(article=a, entity=entity)


PAGES = [
    "/",
    "/?country=MX&kind=leaders_summit&from=2000-01-01",
    "/summits/hub-summit/",
    "/officials/hub/",
    "/countries/MX/",
    "/policies/hub-policy/",
    "/?lanes=policies",
    "/officials/",
    "/policies/",
    "/countries/",
    "/sources/",
]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_the_query_count_does_not_grow_with_rows(client: Client, url: str) -> None:
    build(2)
    few = count_queries(client, url)
    # The country page keeps its press series in the cache: storing it in the default
    # database cache costs a few queries of its own.
    assert few <= (18 if url.startswith("/countries/MX") else 14), url
    build(18)
    # A reading that finds an entity's tags per month in many rows folds them once, a few
    # queries more (tests/articles/test_mention_months.py): folded here first.
    fold_mention_months()
    assert count_queries(client, url) <= few, url


def fold_mention_months() -> None:
    from articles.mention_months import mention_months_fold
    from articles.models import MentionMonth

    for kind in ("country", "official", "policy", "summit"):
        ids = MentionMonth.objects.filter(kind=kind).values_list("entity_id", flat=True)
        mention_months_fold(kind=kind, entity_ids=sorted(set(ids)))
