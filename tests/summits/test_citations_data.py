"""Every record in the reference data cites something a researcher can cite."""

import json
from datetime import date

import pytest

from summits.citations import is_deep_link, is_secondary_url
from summits.services import REFERENCE_DIR

CITED = ("officials", "policies", "summits")


def records() -> list[tuple[str, dict]]:
    out = []
    for name in CITED:
        for record in json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8")):
            out.append((f"{name}:{record['slug']}", record))
    return out


RECORDS = records()

# Records for which no dated primary document or news article could be found in the stored
# press search, each marked needs_review saying so. A record that gains a dated source must
# leave the set, and no other record may lack one. The third pass of the audit emptied it.
KNOWN_UNSOURCED: set[str] = set()

# How many records the last audit left without a dated source (19 after the second pass, none
# after the third): the list may never grow past it.
UNSOURCED_CEILING = 0


def dated_citations(record: dict) -> list[dict]:
    return [
        c
        for c in record["citations"]
        if c["kind"] in ("primary", "news")
        and c.get("date")
        and c.get("title")
        and c.get("publisher")
        and is_deep_link(c["url"])
        and not is_secondary_url(c["url"])
    ]


@pytest.mark.parametrize(("where", "record"), RECORDS, ids=[w for w, _ in RECORDS])
def test_no_source_is_a_bare_home_or_section_page(where: str, record: dict) -> None:
    for cite in record["citations"]:
        assert is_deep_link(cite["url"]), f"{where}: {cite['url']} is not a document"


@pytest.mark.parametrize(("where", "record"), RECORDS, ids=[w for w, _ in RECORDS])
def test_each_record_has_a_dated_deep_primary_or_news_citation(where: str, record: dict) -> None:
    dated = dated_citations(record)
    for cite in dated:
        date.fromisoformat(cite["date"])
    if where in KNOWN_UNSOURCED:
        assert not dated, f"{where} now has a dated source: remove it from KNOWN_UNSOURCED"
        assert record["needs_review"], where
        assert "no dated primary" in record["review_note"].lower(), where
    else:
        assert dated, f"{where} has no dated primary document or news article"


def test_the_list_of_records_without_a_dated_source_only_shrinks() -> None:
    assert len(KNOWN_UNSOURCED) <= UNSOURCED_CEILING
    existing = {where for where, _ in RECORDS}
    assert not KNOWN_UNSOURCED - existing, "a listed record no longer exists"


@pytest.mark.parametrize(("where", "record"), RECORDS, ids=[w for w, _ in RECORDS])
def test_wikipedia_is_only_ever_a_secondary_source(where: str, record: dict) -> None:
    for cite in record["citations"]:
        if is_secondary_url(cite["url"]):
            assert cite["kind"] == "secondary", f"{where}: {cite['url']} is not primary"
    if where not in KNOWN_UNSOURCED:
        assert not all(is_secondary_url(c["url"]) for c in record["citations"]), (
            f"{where} cites only Wikipedia"
        )


def test_biden_era_white_house_pages_point_at_the_archive() -> None:
    for where, record in RECORDS:
        for cite in record["citations"]:
            url = cite["url"]
            if "whitehouse.gov/briefing-room/" in url and "/202" in url:
                year = int(url.split("/briefing-room/")[1].split("/")[1])
                assert year < 2021 or "bidenwhitehouse.archives.gov" in url, f"{where}: {url}"
