"""An editor logs in with Chromium and reviews a tag from the queue, under the real CSP."""

import importlib

import pytest
from django.apps import apps as django_apps

from articles.models import Mention, MentionStatus
from tests.support import factories as f
from tests.support.admin import PASSWORD, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _groups() -> None:
    """The Editor group, from its data migration: an earlier transactional test's flush
    (the Celery worker's, say) removed it."""
    groups = importlib.import_module("articles.migrations.0004_editor_analyst_groups")
    groups.forward(django_apps, None)


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


def _log_in(page, url: str, username: str, password: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page.content()


def test_one_address_guessing_across_accounts_is_locked_out(page, live_server, settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    for name in ("ana", "ben", "carla", "dan", "eve", "rosa"):
        staff_user("Editor", username=name)

    # One wrong password for each of five accounts, from one address, through the login form.
    for name in ("ana", "ben", "carla", "dan"):
        assert "Please enter the correct username and password" in _log_in(
            page, live_server.url, name, "wrong-guess"
        )
    locked = _log_in(page, live_server.url, "eve", "wrong-guess")
    # The address is locked now, even for an account it never tried, right password or not.
    after = _log_in(page, live_server.url, "rosa", PASSWORD)

    assert "too many login attempts" in locked.lower()
    assert "too many login attempts" in after.lower()
    assert "Site administration" not in after
