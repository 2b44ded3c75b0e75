import io
import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from summits.models import (
    Country,
    Official,
    Policy,
    Role,
    RoleTenure,
    Summit,
    SummitKind,
    SummitStatus,
)
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
    assert summits.count() >= 50
    remote = {SummitKind.LEADERS_CALL, SummitKind.VIRTUAL_MEETING}
    for summit in summits.prefetch_related("participants"):
        assert summit.citations.exists(), f"{summit.slug} has no source"
        if summit.kind not in remote:
            assert summit.city or summit.country_id, f"{summit.slug} has no place"
        if summit.status == SummitStatus.HELD:
            assert summit.participants.all(), f"{summit.slug} has no participants"
    kinds = set(summits.values_list("kind", flat=True))
    assert remote <= kinds, "leaders' calls and virtual meetings are recorded as such"
    statuses = set(summits.values_list("status", flat=True))
    assert {SummitStatus.POSTPONED, SummitStatus.CANCELLED} <= statuses


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


def _copy_reference(tmp_path: Path) -> dict[str, list]:
    data = {}
    for name in ("countries", "officials", "policies", "summits"):
        data[name] = json.loads((REFERENCE_DIR / f"{name}.json").read_text())
    return data


def _write(tmp_path: Path, data: dict[str, list]) -> Path:
    for name, records in data.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(records))
    return tmp_path


def test_precision_status_and_citations_are_loaded_as_written(tmp_path: Path) -> None:
    data = _copy_reference(tmp_path)
    record = data["summits"][0]
    record.update(status="postponed", date_precision="month")
    record["citations"] = [
        {
            "url": "https://example.org/news/2024/06/summit-postponed",
            "title": "Summit postponed",
            "publisher": "Example News",
            "date": "2024-06-03",
            "kind": "news",
        }
    ]
    data["officials"][0]["tenures"][0]["end_precision"] = "approximate"
    data["policies"][0]["events"][0]["date_precision"] = "year"
    reference_load(directory=_write(tmp_path, data))

    summit = Summit.objects.get(slug=record["slug"])
    assert (summit.status, summit.date_precision) == ("postponed", "month")
    [citation] = summit.citations.all()
    assert (citation.title, citation.publisher, citation.kind) == (
        "Summit postponed",
        "Example News",
        "news",
    )
    assert citation.date.isoformat() == "2024-06-03"
    official = Official.objects.get(slug=data["officials"][0]["slug"])
    assert official.tenures.order_by("start")[0].end_precision == "approximate"
    assert official.tenures.order_by("start")[0].start_precision == "day"
    policy = Policy.objects.get(slug=data["policies"][0]["slug"])
    assert policy.events.order_by("date")[0].date_precision == "year"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(date_precision="week"), r"date_precision.*'week' is not one of"),
        (lambda s: s.update(status="rumoured"), r"'rumoured' is not one of held, planned"),
        (
            lambda s: s.update(citations=[{"url": "https://www.state.gov/", "kind": "primary"}]),
            r"citation 1: url: https://www.state.gov/ is a home or section page",
        ),
        (
            lambda s: s.update(citations=[{"url": "https://example.org/a/2024/b", "kind": "x"}]),
            r"citation 1, kind: 'x' is not one of primary, news, secondary",
        ),
    ],
)
def test_a_bad_precision_status_or_citation_is_one_clear_line(
    tmp_path: Path, change, message
) -> None:
    data = _copy_reference(tmp_path)
    change(data["summits"][0])
    with pytest.raises(CommandError, match=message):
        call_command("load_reference", "--dir", str(_write(tmp_path, data)))


def test_a_curated_summit_keeps_the_citations_an_editor_gave_it() -> None:
    reference_load()
    summit = Summit.objects.filter(citations__isnull=False).distinct().first()
    assert summit is not None
    summit.citations.all().delete()
    summit.citations.create(
        url="https://example.org/2025/editor-found-this-readout",
        title="Readout",
        publisher="Example",
        kind="primary",
    )
    Summit.objects.filter(pk=summit.pk).update(curated=True)
    reference_load()
    assert [c.title for c in summit.citations.all()] == ["Readout"]


def test_a_country_has_one_head_of_government_at_a_time() -> None:
    """The role tagger resolves 'the U.S. president' to whoever holds the role on the day;
    two overlapping holders (a vice president filed as head of government) make it guess."""
    reference_load()
    tenures = sorted(
        RoleTenure.objects.filter(role=Role.HEAD_OF_GOVERNMENT).select_related("official"),
        key=lambda t: (t.country_id, t.start),
    )
    for before, after in pairwise(tenures):
        if before.country_id == after.country_id:
            assert before.end is not None and before.end <= after.start, (
                f"{before.official.slug} and {after.official.slug} overlap"
            )
