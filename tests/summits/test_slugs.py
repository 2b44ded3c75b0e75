"""Former slugs: an editor's change of slug in admin is remembered, and old links redirect."""

import pytest
from django.urls import reverse

from summits.models import FormerSlug
from summits.slugs import slug_change_record, slug_current
from tests.support import factories as f
from tests.support.admin import client_for, form_values, post_confirming, staff_user

pytestmark = pytest.mark.django_db


def test_an_editor_changing_a_slug_in_admin_keeps_the_old_one_as_a_redirect() -> None:
    editor = client_for(staff_user("Editor"))
    summit = f.summit(slug="nals-2021", title="North American Leaders' Summit")
    url = reverse("admin:summits_summit_change", args=[summit.pk])
    data = form_values(editor.get(url).content, "summit_form")
    data["slug"] = "north-american-leaders-summit-2021"
    response = post_confirming(editor, url, data)
    assert response.status_code == 302, response.content[:2000]
    assert slug_current(model=type(summit), slug="nals-2021") == (
        "north-american-leaders-summit-2021"
    )
    page = editor.get("/summits/nals-2021/?page=1")
    assert page.status_code == 301
    assert page["Location"] == "/summits/north-american-leaders-summit-2021/?page=1"


def test_recording_twice_changes_nothing_and_chains_point_at_the_current_slug() -> None:
    policy = f.policy(slug="b")
    slug_change_record(entity=policy, old_slug="a")
    slug_change_record(entity=policy, old_slug="a")
    policy.slug = "c"
    policy.save()
    slug_change_record(entity=policy, old_slug="b")
    assert FormerSlug.objects.count() == 2
    assert slug_current(model=type(policy), slug="a") == "c"
    assert slug_current(model=type(policy), slug="b") == "c"
    assert slug_current(model=type(policy), slug="zzz") is None


def test_a_deleted_entity_leaves_its_former_slugs_a_404(client) -> None:
    official = f.official(slug="new")
    slug_change_record(entity=official, old_slug="old")
    official.delete()
    assert slug_current(model=type(official), slug="old") is None
    assert client.get("/officials/old/", secure=True).status_code == 404
