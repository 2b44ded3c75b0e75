import io
import json
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from summits.models import Country, Official, Policy, Summit
from summits.services import REFERENCE_DIR, reference_load
from tests.support.admin import post_confirming

pytestmark = pytest.mark.django_db

DUMPED = ["summits"]


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", *DUMPED, format="json", indent=1, stdout=out)
    return out.getvalue()


def test_loading_twice_leaves_byte_identical_data() -> None:
    call_command("load_reference", stdout=io.StringIO())
    first = dump()
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert dump() == first
    assert out.getvalue().count("0 new, 0 updated") == 4


def test_second_load_reports_nothing_new_or_updated() -> None:
    reference_load()
    report = reference_load()
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert sum(report.unchanged.values()) > 100


def test_it_holds_the_knowledge_base_the_analysts_need() -> None:
    reference_load()
    assert Country.objects.count() >= 15
    assert set(Country.objects.filter(is_core=True).values_list("iso2", flat=True)) == {
        "US",
        "MX",
        "CA",
    }
    assert Official.objects.filter(country__iso2__in=["US", "MX", "CA"]).count() >= 50
    assert Policy.objects.count() >= 20
    summits = Summit.objects.filter(start_date__year__gte=2017)
    assert summits.count() >= 25
    for summit in summits.prefetch_related("participants"):
        assert summit.sources, f"{summit.slug} has no source"
        assert summit.city or summit.country_id, f"{summit.slug} has no place"
        assert summit.participants.all(), f"{summit.slug} has no participants"


def test_every_official_has_a_dated_role() -> None:
    reference_load()
    for official in Official.objects.prefetch_related("tenures"):
        tenures = list(official.tenures.all())
        assert tenures, f"{official.slug} has no role tenure"
        for tenure in tenures:
            assert tenure.end is None or tenure.end >= tenure.start


def test_an_editors_change_in_admin_survives_a_reload() -> None:
    reference_load()
    User.objects.create_superuser("editor", "editor@example.org", "a-long-test-password")
    client = Client()
    client.force_login(User.objects.get(username="editor"))
    mexico = Country.objects.get(iso2="MX")
    # Lists are edited one per line; a new name is confirmed after its review.
    response = post_confirming(
        client,
        f"/admin/summits/country/{mexico.pk}/change/",
        {
            "iso2": "MX",
            "iso3": "MEX",
            "name_en": "Mexico",
            "name_es": "Estados Unidos Mexicanos",
            "name_fr": mexico.name_fr,
            "demonyms_en": "\n".join(mexico.demonyms_en),
            "demonyms_es": "\n".join(mexico.demonyms_es),
            "demonyms_fr": "\n".join(mexico.demonyms_fr),
            "aliases": "\n".join(mexico.aliases),
            "is_core": "on",
        },
        secure=True,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reference_load()
    mexico.refresh_from_db()
    assert mexico.name_es == "Estados Unidos Mexicanos"
    assert mexico.curated


def test_a_curated_official_keeps_its_aliases_and_tenures() -> None:
    reference_load()
    official = Official.objects.filter(tenures__isnull=False).first()
    assert official is not None
    official.name = "Edited Name"
    official.curated = True
    official.save()
    official.aliases.create(name="Editor Alias")
    tenure_count = official.tenures.count()
    report = reference_load()
    official.refresh_from_db()
    assert official.name == "Edited Name"
    assert official.aliases.filter(name="Editor Alias").exists()
    assert official.tenures.count() == tenure_count
    assert report.kept_editor_changes.get("official") == 1


def test_uncertain_records_are_marked_for_review_with_a_reason() -> None:
    reference_load()
    for model in (Official, Policy, Summit):
        for record in model.objects.filter(needs_review=True):
            assert record.review_note.strip(), f"{record.slug} needs review but says not why"


def test_a_reference_error_is_one_clear_line(tmp_path: Path) -> None:
    for name in ("countries.json", "officials.json", "policies.json", "summits.json"):
        shutil.copy(REFERENCE_DIR / name, tmp_path / name)
    summits = json.loads((tmp_path / "summits.json").read_text())
    summits[0]["participants"].append({"official": "nobody-at-all", "role": "Ghost"})
    (tmp_path / "summits.json").write_text(json.dumps(summits))
    with pytest.raises(CommandError, match="unknown official 'nobody-at-all'"):
        call_command("load_reference", "--dir", str(tmp_path))
    # Nothing was half-loaded: the whole load is one transaction.
    assert Summit.objects.count() == 0


def test_malformed_json_is_reported_by_file_name(tmp_path: Path) -> None:
    (tmp_path / "countries.json").write_text("{not json")
    with pytest.raises(CommandError, match=r"countries\.json is not valid JSON"):
        call_command("load_reference", "--dir", str(tmp_path))
