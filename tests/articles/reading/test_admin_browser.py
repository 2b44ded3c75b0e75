"""An editor logs in with Chromium and reviews a tag from the queue, under the real CSP."""

import importlib

import pytest
from django.apps import apps as django_apps

from articles.models import Mention, MentionStatus
from tests.support import factories as f
from tests.support.admin import PASSWORD, staff_user

# serialized_rollback: the Editor group, made by a data migration, survives each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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


def _log_in_as(page, url: str, username: str, password: str) -> str:  # type: ignore[no-untyped-def]
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
        assert "Please enter the correct username and password" in _log_in_as(
            page, live_server.url, name, "wrong-guess"
        )
    locked = _log_in_as(page, live_server.url, "eve", "wrong-guess")
    # The address is locked now, even for an account it never tried, right password or not.
    after = _log_in_as(page, live_server.url, "rosa", PASSWORD)

    assert "too many login attempts" in locked.lower()
    assert "too many login attempts" in after.lower()
    assert "Site administration" not in after


def _log_in(page, live_server, settings, next_url: str) -> list[str]:
    settings.SECURE_SSL_REDIRECT = False  # the live server speaks plain HTTP
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", "rosa")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    return problems


EVIDENCE = [
    "El canciller Marcelo Ebrard se reunió con el secretario de Estado Antony Blinken en "
    "Washington para hablar de la migración irregular y de los acuerdos de seguridad en la "
    "frontera común, según un comunicado de la cancillería publicado el jueves por la noche.",
    "Ebrard said both governments would expand legal pathways.",
    "Foreign Secretary Marcelo Ebrard, who met Secretary of State Antony Blinken on Thursday, "
    "said Mexico would keep deploying National Guard troops to its southern border while the "
    "two countries negotiate a broader regional agreement on asylum and labour mobility.",
]


def _queue_of(n: int) -> list[Mention]:
    ebrard = f.official(name="Marcelo Ebrard")
    f.tenure(official=ebrard, office="Secretary of Foreign Affairs")
    source = f.source(name="Crónica del Norte", domain="cronica.example", language="es")
    return [
        f.mention(
            article=f.article(
                source=source,
                title=f"Ebrard y Blinken hablan de migración y de la frontera, parte {i}",
            ),
            entity=ebrard,
            confidence=0.55,
            evidence=EVIDENCE[i % len(EVIDENCE)],
        )
        for i in range(n)
    ]


def test_the_queue_fits_1440_px_with_rows_of_at_most_80_px(page, live_server, output_dir, settings):
    staff_user("Editor", username="rosa")
    _queue_of(12)
    problems = _log_in(page, live_server, settings, "/admin/articles/mentionreview/")
    page.wait_for_selector("#result_list")
    page.screenshot(path=str(output_dir / "review-queue-1440.png"), full_page=True)

    width = page.evaluate("document.documentElement.scrollWidth")
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('#result_list tbody tr'))"
        ".map(r => r.getBoundingClientRect().height)"
    )
    assert width <= 1440
    assert len(heights) == 12 and max(heights) <= 80, heights
    assert page.locator("#result_list mark").count() >= 12
    assert not problems, problems


def test_an_editor_reviews_20_tags_by_keyboard_alone(page, live_server, output_dir, settings):
    staff_user("Editor", username="rosa")
    mentions = _queue_of(20)
    problems = _log_in(page, live_server, settings, "/admin/articles/mentionreview/")
    page.wait_for_selector("#result_list tr.desk-current")

    # Newest first: approve the even ones, reject the odd ones, moving with j and k between.
    for n in range(20):
        if n % 5 == 4:  # look ahead and come back, as an editor does
            page.keyboard.press("j")
            page.keyboard.press("k")
        with page.expect_navigation():
            page.keyboard.press("a" if n % 2 == 0 else "r")
        page.wait_for_load_state()
    page.screenshot(path=str(output_dir / "queue-done.png"), full_page=True)

    statuses = [Mention.objects.get(pk=m.pk).status for m in sorted(mentions, key=lambda m: -m.pk)]
    assert statuses == [
        MentionStatus.APPROVED if n % 2 == 0 else MentionStatus.REJECTED for n in range(20)
    ]
    assert page.locator("#result_list").count() == 0
    assert "0 tags to review" in page.content()
    assert not problems, problems


def test_the_article_page_fits_1440_px(page, live_server, output_dir, settings):
    staff_user("Editor", username="rosa")
    story = f.cluster()
    long_url = "https://cronica.example/" + "/".join(["seccion-muy-larga-de-noticias"] * 12)
    article = f.article(
        title="Canadá vuelve a exigir visa a los viajeros mexicanos " * 3,
        url=long_url,
        canonical_url=long_url + "?canonical=1",
        cluster=story,
        authors=["Lucía Herrera", "Tomás Garza"],
        earlier_titles=["Una versión anterior del título, bastante larga también " * 2],
    )
    f.article(cluster=story, title="Canada reimposes visas on Mexican travellers")
    miller = f.official(name="Marc Miller")
    f.tenure(official=miller, office="Minister of Immigration, Refugees and Citizenship",
             country=f.country("CA"))  # fmt: skip
    for entity in (miller, f.official(), f.policy(name="Visa requirement for Mexicans"),
                   f.summit(), f.country("CA"), f.country("MX"), f.country("US")):  # fmt: skip
        f.mention(article=article, entity=entity, evidence=EVIDENCE[0] + " " + EVIDENCE[2])
    problems = _log_in(page, live_server, settings, f"/admin/articles/article/{article.pk}/change/")
    page.wait_for_selector("#article_form")
    page.screenshot(path=str(output_dir / "article-page-1440.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    for kind in ("Summits", "Officials", "Policies", "Countries"):
        assert page.locator(".inline-group h2", has_text=kind).count() == 1
    assert page.locator(".inline-group mark").count() >= 1
    assert not problems, problems
