"""Who may do what in the admin: editors, analysts, non-staff users, locked-out guessers."""

import importlib
import os

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from articles.models import Article, Feed, Mention, MentionStatus, ReviewStatus
from summits.models import Summit
from tests.support import factories as f
from tests.support.admin import PASSWORD, client_for, https_client, staff_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:articles_mentionreview_changelist")


def perms(group: str) -> set[str]:
    return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))


def test_the_migration_gives_editors_tag_work_and_analysts_only_views():
    editor, analyst = perms("Editor"), perms("Analyst")

    assert {"change_mention", "change_mentionreview", "change_article", "add_feed"} <= editor
    assert {"change_summit", "change_official", "delete_roletenure"} <= editor
    assert not {"delete_article", "delete_mention", "delete_feed", "delete_country"} & editor
    assert {"view_article", "view_mention", "view_summit", "view_feed"} <= analyst
    assert all(code.startswith("view_") for code in analyst)


def test_the_groups_migration_is_safe_to_run_again():
    migration = importlib.import_module("articles.migrations.0004_editor_analyst_groups")
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    before = perms("Editor"), perms("Analyst")

    migration.forward(state_apps, None)

    assert (perms("Editor"), perms("Analyst")) == before
    assert Group.objects.filter(name__in=["Editor", "Analyst"]).count() == 2


@pytest.fixture
def analyst():
    return client_for(staff_user("Analyst"))


def test_an_analyst_reads_every_list_and_page(analyst):
    article = f.article()
    mention = f.mention(article=article, entity=f.official(), confidence=0.4)
    summit = f.summit()
    for url in [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_mention_change", args=[mention.pk]),
        reverse("admin:articles_mention_history", args=[mention.pk]),
        QUEUE,
        reverse("admin:articles_feed_changelist"),
        reverse("admin:summits_summit_change", args=[summit.pk]),
        reverse("admin:summits_official_changelist"),
    ]:
        assert analyst.get(url).status_code == 200, url


def test_an_analyst_sees_no_actions_or_decision_buttons(analyst):
    f.mention(article=f.article(), entity=f.official(), confidence=0.4)
    page = analyst.get(QUEUE).content.decode()
    assert 'name="action"' not in page
    assert "Approve</button>" not in page


def test_an_analyst_cannot_change_anything(analyst):
    article = f.article(title="Untouched")
    mention = f.mention(article=article, entity=f.official(), confidence=0.4)
    feed = Feed.objects.create(url="https://x.example/feed", source=article.source)
    summit = f.summit(title="Untouched summit")
    posts = {
        reverse("admin:articles_article_change", args=[article.pk]): {"title": "Changed"},
        reverse("admin:articles_article_add"): {"title": "New"},
        reverse("admin:articles_article_delete", args=[article.pk]): {"post": "yes"},
        reverse("admin:articles_mention_change", args=[mention.pk]): {"status": "approved"},
        reverse("admin:articles_mentionreview_decide", args=[mention.pk, "approved"]): {},
        reverse("admin:articles_feed_add"): {"url": "https://y.example/feed"},
        reverse("admin:summits_summit_change", args=[summit.pk]): {"title": "Changed"},
        reverse("admin:summits_summit_delete", args=[summit.pk]): {"post": "yes"},
    }
    for url, data in posts.items():
        assert analyst.post(url, data).status_code == 403, url
    actions = [
        (QUEUE, "approve", mention.pk),
        (QUEUE, "link_to_summit", mention.pk),
        (QUEUE, "mark_not_relevant", mention.pk),
        (reverse("admin:articles_article_changelist"), "mark_not_relevant", article.pk),
        (reverse("admin:articles_article_changelist"), "delete_selected", article.pk),
        (reverse("admin:articles_feed_changelist"), "reenable", feed.pk),
        (reverse("admin:summits_summit_changelist"), "delete_selected", summit.pk),
    ]
    for url, action, pk in actions:
        response = analyst.post(url, {"action": action, "_selected_action": [str(pk)]})
        assert response.status_code == 403, action
    mention.refresh_from_db()
    article.refresh_from_db()
    assert mention.status == MentionStatus.AUTO
    assert article.title == "Untouched" and article.review_status == ReviewStatus.UNREVIEWED
    assert Summit.objects.filter(title="Untouched summit").exists()
    assert Article.objects.count() == 1 and Mention.objects.count() == 1


def test_an_editor_cannot_delete_articles_or_tags():
    editor = client_for(staff_user("Editor"))
    mention = f.mention(article=f.article(), entity=f.official(), confidence=0.4)
    url = reverse("admin:articles_article_delete", args=[mention.article_id])
    assert editor.post(url, {"post": "yes"}).status_code == 403
    assert Mention.objects.filter(pk=mention.pk).exists()


def test_a_user_who_is_not_staff_is_sent_to_the_login_page():
    user = User.objects.create_user("reader", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editor"))
    client = client_for(user)

    response = client.get(reverse("admin:articles_article_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_repeated_bad_logins_lock_the_account_with_a_plain_message(settings):
    staff_user("Editor", username="ana")
    login = reverse("admin:login")
    client = https_client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        bad = client.post(login, {"username": "ana", "password": "wrong-guess"})
        assert bad.status_code == 200  # the form again, with its error

    locked = client.post(login, {"username": "ana", "password": "wrong-guess"})
    still_locked = client.post(login, {"username": "ana", "password": PASSWORD})

    assert locked.status_code == still_locked.status_code == 429
    assert "too many login attempts" in still_locked.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_a_good_login_before_the_limit_gets_in():
    staff_user("Analyst", username="ben")
    client = https_client()
    client.post(reverse("admin:login"), {"username": "ben", "password": "wrong"})

    response = client.post(
        reverse("admin:login"),
        {"username": "ben", "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_user_makes_a_staff_editor_and_prints_the_password_once(capsys):
    call_command("create_user", "carla", "--group", "editor")
    first = capsys.readouterr().out
    call_command("create_user", "carla", "--group", "editor")
    second = capsys.readouterr().out

    user = User.objects.get(username="carla")
    password = first.split("password: ")[1].split()[0]
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editor"]
    assert user.check_password(password)
    assert "already exists" in second and password not in second
    assert user.check_password(password)


def test_create_user_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "correct horse battery 42")
    call_command("create_user", "dan", "--group", "Analyst", "--password-from-env", "NEW_PASSWORD")

    user = User.objects.get(username="dan")
    assert user.check_password("correct horse battery 42")
    assert list(user.groups.values_list("name", flat=True)) == ["Analyst"]


def test_moving_a_user_to_another_group_leaves_one_role():
    with open(os.devnull, "w") as quiet:
        call_command("create_user", "eve", "--group", "analyst", stdout=quiet)
        call_command("create_user", "eve", "--group", "editor", stdout=quiet)
    groups = User.objects.get(username="eve").groups.values_list("name", flat=True)
    assert list(groups) == ["Editor"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["x", "--group", "boss"], {}, "“boss” is not a group"),
        (["x", "--group", "editor", "--password-from-env", "UNSET"], {}, "UNSET is not set"),
        (["x", "--group", "editor", "--password-from-env", "WEAK"], {"WEAK": "1234"}, "too weak"),
        (["  ", "--group", "editor"], {}, "A user name is needed"),
    ],
)
def test_create_user_refuses_bad_input_in_plain_words(monkeypatch, args, env, message):
    monkeypatch.delenv("UNSET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args)
    assert not User.objects.exists()


def test_create_demo_admin_prints_a_password_once_and_never_resets_it(capsys):
    call_command("create_demo_admin")
    first = capsys.readouterr().out
    call_command("create_demo_admin")
    second = capsys.readouterr().out

    admin = User.objects.get(username="admin")
    password = first.split("Password: ")[1].split()[0]
    assert admin.is_superuser and admin.check_password(password)
    assert "already exists" in second and password not in second
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_create_user_on_a_superuser_leaves_it_an_analyst_only_and_says_so(capsys):
    User.objects.create_superuser("root", password=PASSWORD)

    call_command("create_user", "root", "--group", "analyst")

    out = capsys.readouterr().out
    root = User.objects.get(username="root")
    assert not root.is_superuser and root.is_staff
    assert list(root.groups.values_list("name", flat=True)) == ["Analyst"]
    assert not root.has_perm("articles.change_article")
    assert "was a superuser and is no longer" in out
    assert root.check_password(PASSWORD)
