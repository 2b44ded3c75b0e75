"""Helpers for driving the admin through Django's test client as editors and analysts."""

import importlib
from typing import Any

import lxml.html
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

PASSWORD = "a-long-test-password-9"


def groups_ensure() -> None:
    """The Editor and Analyst groups as their migration makes them. A transactional test
    (live server, real worker) ends by emptying every table; tests after it need them again."""
    if Group.objects.filter(name__in=["Editor", "Analyst"]).count() == 2:
        return
    migration = importlib.import_module("articles.migrations.0004_editor_analyst_groups")
    migration.forward(MigrationExecutor(connection).loader.project_state().apps, None)


def staff_user(role: str, username: str = "") -> User:
    """A staff user in the Editor or Analyst group, as `create_user` makes them."""
    groups_ensure()
    user = User.objects.create_user(username or role.lower(), password=PASSWORD, is_staff=True)
    if not Group.objects.filter(name=role).exists():
        # A transactional test before this one flushed the tables, groups included: set the
        # groups up again exactly as their migration does.
        migration = importlib.import_module("articles.migrations.0004_editor_analyst_groups")
        migration.forward(MigrationExecutor(connection).loader.project_state().apps, None)
    user.groups.add(Group.objects.get(name=role))
    return user


class HttpsClient(Client):
    """Tests run with DEBUG off, where plain HTTP is redirected: every request is HTTPS."""

    def generic(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def https_client() -> Client:
    return HttpsClient()


def client_for(user: User) -> Client:
    client = https_client()
    client.force_login(user)
    return client


def form_values(html: bytes | str, form_id: str) -> dict[str, Any]:
    """What a browser would submit for the form: every field with its current value."""
    # Bytes are the admin's UTF-8; lxml would otherwise guess Latin-1 and mangle accents.
    doc = lxml.html.fromstring(html.decode() if isinstance(html, bytes) else html)
    form = doc.get_element_by_id(form_id)
    data: dict[str, Any] = {}
    for name, value in form.form_values():
        if name in data:
            existing = data[name] if isinstance(data[name], list) else [data[name]]
            data[name] = [*existing, value]
        else:
            data[name] = value
    return data


def post_confirming(client: Client, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Post an admin form; when it asks to confirm a change of names, tick and post again."""
    response = client.post(url, data, **kwargs)
    if response.status_code == 200:
        doc = lxml.html.fromstring(response.content.decode())
        boxes = doc.cssselect(".desk-alias-review input[name=confirm_aliases]")
        if boxes:
            response = client.post(
                url, {**data, "confirm_aliases": boxes[0].get("value")}, **kwargs
            )
    return response
