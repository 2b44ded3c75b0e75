# ruff: noqa: RUF001  (meeting names carry an en dash)
"""The discovery queue in Chromium at 1440 px, under the real CSP: it fits, and an editor
dismisses a candidate from its page."""

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps

from articles.models import CandidateStatus, DiscoveryCandidate
from tests.articles.reading.test_admin_browser import _log_in
from tests.support import factories as f
from tests.support.admin import staff_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SENTENCE = (
    "OTTAWA — Prime Minister Mark Carney and President Donald Trump spoke by phone on Friday, "
    "their first call since Carney was sworn in, and agreed to begin negotiations on a new "
    "economic and security relationship after Canada's federal election, officials said."
)


@pytest.fixture(autouse=True)
def _groups() -> None:
    groups = importlib.import_module("articles.migrations.0004_editor_analyst_groups")
    groups.forward(django_apps, None)


def _candidates(n: int) -> list[DiscoveryCandidate]:
    out = []
    for i in range(n):
        article = f.article(title=f"Carney and Trump hold first call, part {i}")
        candidate = DiscoveryCandidate.objects.create(
            kind="meeting",
            key=f"meeting:CA-US:2025-03-{i + 1:02d}",
            name="Trump–Carney call",
            countries=["CA", "US"],
            meeting_date=date(2025, 3, i + 1),
            first_date=date(2025, 3, i + 1),
            last_date=date(2025, 3, i + 2),
            article_count=1,
            evidence=[
                {
                    "article": article.pk,
                    "date": "2025-03-29",
                    "title": article.title,
                    "sentence": SENTENCE,
                }
            ],
        )
        candidate.articles.add(article)
        out.append(candidate)
    return out


def test_the_discovery_queue_fits_1440_px_and_an_editor_dismisses_from_it(
    page, live_server, output_dir, settings
):
    staff_user("Editor", username="rosa")
    candidates = _candidates(8)
    problems = _log_in(page, live_server, settings, "/admin/articles/discoverycandidate/")
    page.wait_for_selector("#result_list")
    # The login page before it has no icon of its own: Chromium asked for /favicon.ico there.
    problems.clear()
    page.reload()
    page.wait_for_selector("#result_list")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(output_dir / "discovery-queue-1440.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    assert page.locator("#result_list tbody tr").count() == 8

    assert not problems, problems
    page.get_by_role("link", name="Trump–Carney call").first.click()
    page.wait_for_selector("#decide-dismiss")
    page.screenshot(path=str(output_dir / "discovery-candidate-1440.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    assert page.get_by_text("spoke by phone on Friday").is_visible()
    assert not problems, problems
    page.locator("#decide-dismiss button").click()
    page.wait_for_load_state()

    assert page.locator("#result_list tbody tr").count() == 7
    statuses = [
        c.status for c in DiscoveryCandidate.objects.filter(pk__in=[c.pk for c in candidates])
    ]
    assert statuses.count(CandidateStatus.DISMISSED) == 1
    assert not problems, problems
