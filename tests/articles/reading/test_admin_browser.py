"""An editor logs in with Chromium and reviews a tag from the queue, under the real CSP."""

import pytest

from articles.models import Mention, MentionStatus
from tests.support import factories as f
from tests.support.admin import PASSWORD, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_approves_a_tag_from_the_review_queue(page, live_server, output_dir, settings):
    settings.SECURE_SSL_REDIRECT = False  # the live server speaks plain HTTP
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    staff_user("Editor", username="rosa")
    article = f.article(title="Canciller Ebrard y Blinken hablan de migración")
    official = f.official(name="Marcelo Ebrard")
    mention = f.mention(
        article=article,
        entity=official,
        confidence=0.55,
        evidence="El canciller Ebrard se reunió con Blinken en Washington.",
    )
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/mentionreview/")
    page.fill("#id_username", "rosa")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    row = page.locator("#result_list tbody tr", has_text="Marcelo Ebrard")
    assert "El canciller Ebrard se reunió" in row.inner_text()
    page.screenshot(path=str(output_dir / "review-queue.png"), full_page=True)

    row.locator("button", has_text="Approve").click()
    page.wait_for_selector(".messagelist")

    assert "Approved: Official: Marcelo Ebrard" in page.locator(".messagelist").inner_text()
    assert (
        page.locator("#result_list").count() == 0
        or "Marcelo Ebrard" not in page.locator("#result_list").inner_text()
    )
    page.screenshot(path=str(output_dir / "after-approval.png"), full_page=True)
    mention = Mention.objects.get(pk=mention.pk)
    assert mention.status == MentionStatus.APPROVED
    assert mention.reviewed_by.username == "rosa"
    csp = [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    assert not csp, csp
