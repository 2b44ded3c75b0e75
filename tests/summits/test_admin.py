"""The knowledge base in the admin: inlines, the needs-review filter, curated edits, history."""

from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.urls import reverse

from summits.models import Official, Summit
from summits.slugs import slug_change_record
from tests.support import factories as f
from tests.support.admin import client_for, form_values, post_confirming, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return client_for(staff_user("Editor"))


def test_an_official_page_shows_tenures_and_aliases_inline(editor):
    person = f.official(name="Marcelo Ebrard", review_note="Start date of second office unsure.")
    f.tenure(official=person, office="Secretary of Foreign Affairs")
    person.aliases.create(name="Canciller Ebrard")

    page = editor.get(reverse("admin:summits_official_change", args=[person.pk])).content.decode()

    assert "Secretary of Foreign Affairs" in page
    assert "Canciller Ebrard" in page
    assert "Start date of second office unsure." in page


def test_an_editor_adds_an_alias_and_the_official_becomes_curated_with_history(editor):
    person = f.official(name="Alicia Bárcena")
    url = reverse("admin:summits_official_change", args=[person.pk])
    data = form_values(editor.get(url).content, "official_form")
    data["aliases-0-name"] = "Alicia Barcena"

    # A new alias is reviewed first (what it would tag), then confirmed.
    assert editor.post(url, data).status_code == 200
    response = post_confirming(editor, url, data)

    assert response.status_code == 302, response.content[:2000]
    person.refresh_from_db()
    assert person.curated
    assert list(person.aliases.values_list("name", flat=True)) == ["Alicia Barcena"]
    entry = LogEntry.objects.get(object_id=str(person.pk), content_type__model="official")
    assert entry.user.username == "editor" and "Added official alias" in entry.get_change_message()


def test_the_needs_review_filter_finds_uncertain_records_and_tenures(editor):
    unsure = f.official(name="Unsure Person", needs_review=True)
    unsure_tenure = f.official(name="Unsure Tenure")
    f.tenure(official=unsure_tenure, needs_review=True)
    f.official(name="Checked Person")

    response = editor.get(reverse("admin:summits_official_changelist"), {"review": "yes"})
    checked = editor.get(reverse("admin:summits_official_changelist"), {"review": "no"})

    assert {o.name for o in response.context["cl"].result_list} == {unsure.name, unsure_tenure.name}
    assert {o.name for o in checked.context["cl"].result_list} == {"Checked Person"}


def test_a_summit_page_lists_participants_and_policies_inline_and_edits_curate_it(editor):
    person = f.official(name="Ken Salazar")
    mpp = f.policy(name="Migrant Protection Protocols")
    cbp = f.policy(name="CBP One")
    summit = f.summit(
        title="US-Mexico High-Level Security Dialogue",
        start_date=date(2021, 10, 8),
        participants=[(person, "Ambassador")],
        policies=[mpp],
    )
    url = reverse("admin:summits_summit_change", args=[summit.pk])
    page = editor.get(url)
    assert "Ken Salazar" in page.content.decode()
    assert "Migrant Protection Protocols" in page.content.decode()
    data = form_values(page.content, "summit_form")
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS") and "polic" in k.lower())
    prefix = prefix.removesuffix("-TOTAL_FORMS")
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-{n - 1}-policy"] = str(cbp.pk)

    response = editor.post(url, data)

    assert response.status_code == 302, response.content[:3000]
    summit = Summit.objects.get(pk=summit.pk)
    assert set(summit.policies.values_list("name", flat=True)) == {mpp.name, cbp.name}
    assert summit.curated


def test_an_analyst_cannot_edit_the_knowledge_base():
    analyst = client_for(staff_user("Analyst"))
    person = f.official(name="Stays Put")
    url = reverse("admin:summits_official_change", args=[person.pk])

    assert analyst.get(url).status_code == 200
    assert analyst.post(url, {"name": "Changed"}).status_code == 403
    assert Official.objects.get(pk=person.pk).name == "Stays Put"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/admin/summits/summit/", "participants=9223372036854775808"),
        ("/admin/summits/summit/", "participants=-9223372036854775809"),
        ("/admin/summits/summit/", "participants=" + "9" * 5000),
        ("/admin/articles/article/", "feed_links=9223372036854775808"),
        ("/admin/articles/article/", "feed_links__in=1,99999999999999999999"),
    ],
)
def test_a_filter_number_no_database_integer_holds_is_a_bad_filter(editor, path, query):
    """Found by the large generated-input run: the query failed inside SQLite (500)."""
    response = editor.get(f"{path}?{query}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert editor.get(f"{path}?{query}&e=1").status_code == 200


def test_a_large_number_is_still_searchable_text(editor):
    response = editor.get("/admin/summits/summit/?q=9223372036854775808")
    assert response.status_code == 200


def test_a_summit_page_shows_its_former_slugs_read_only(editor):
    summit = f.summit(title="North American Leaders' Summit", slug="nals-2023")
    url = reverse("admin:summits_summit_change", args=[summit.pk])
    data = form_values(editor.get(url).content, "summit_form")
    data["slug"] = "north-american-leaders-summit-2023"
    post_confirming(editor, url, data)

    page = editor.get(url).content.decode()

    assert "<code>nals-2023</code>" in page
    assert 'name="former_slugs"' not in page  # shown, not editable
    other = f.official(name="Mélanie Joly")
    page = editor.get(reverse("admin:summits_official_change", args=[other.pk])).content.decode()
    assert "the record has kept its slug" in page


def test_former_slugs_have_a_read_only_list_naming_the_record_each_redirects_to(
    django_assert_max_num_queries,
):
    admin_user = User.objects.create_superuser("root", password="x-Secret-123")
    client = client_for(admin_user)
    for n in range(5):
        summit = f.summit(slug=f"new-{n}")
        slug_change_record(entity=summit, old_slug=f"old-{n}")
    person = f.official(name="Alicia Bárcena", slug="alicia-barcena-ibarra")
    slug_change_record(entity=person, old_slug="alicia-barcena")
    person.delete()

    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:summits_formerslug_changelist")).content.decode()

    assert "old-3" in page
    assert reverse("admin:summits_summit_change", args=[summit.pk]) in page
    assert "(deleted official" in page
    assert client.get(reverse("admin:summits_formerslug_add")).status_code == 403
