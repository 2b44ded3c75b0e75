import gzip
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.articles.ingestion.test_extraction import BOILERPLATE_PAGE, PARAGRAPHS

KEYS = [
    "path", "title", "text", "published", "authors", "site_name", "canonical_url", "language",
    "original_source",
]  # fmt: skip


def _run(*files: str) -> tuple[list[dict], str, bool]:
    out, err = StringIO(), StringIO()
    failed = False
    try:
        call_command("extract", *files, stdout=out, stderr=err)
    except CommandError as exc:
        failed = True
        err.write(str(exc))
    rows = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return rows, err.getvalue(), failed


def test_it_prints_one_json_object_per_page_with_exactly_the_contract_keys(tmp_path: Path) -> None:
    plain = tmp_path / "story.html"
    plain.write_text(BOILERPLATE_PAGE, encoding="utf-8")
    packed = tmp_path / "story2.html.gz"
    packed.write_bytes(gzip.compress(BOILERPLATE_PAGE.encode()))

    rows, err, failed = _run(str(plain), str(packed))

    assert not failed and err == ""
    assert [list(row) for row in rows] == [KEYS, KEYS]
    assert rows[0]["path"] == str(plain) and rows[1]["path"] == str(packed)
    assert rows[0]["title"] == "Ministers agree on asylum centres"
    assert rows[0]["published"] == "2024-05-07T13:30:00+00:00"
    assert rows[0]["authors"] == ["Ana Ruiz", "Tom O'Neil"]
    assert PARAGRAPHS[2] in rows[1]["text"]


def test_it_reports_unreadable_files_and_still_does_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(BOILERPLATE_PAGE, encoding="utf-8")
    fake_gz = tmp_path / "bad.html.gz"
    fake_gz.write_bytes(b"not gzip at all")
    missing = tmp_path / "missing.html"

    rows, err, failed = _run(str(missing), str(fake_gz), str(good))

    assert failed
    assert [row["path"] for row in rows] == [str(good)]
    assert "missing.html: could not be read" in err
    assert "bad.html.gz: could not be read" in err
    assert "2 of 3 file(s) could not be read" in err


def test_a_page_with_no_article_gives_empty_fields_and_null_date(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")

    rows, _, failed = _run(str(empty))

    assert not failed
    assert rows[0]["text"] == "" and rows[0]["published"] is None and rows[0]["authors"] == []


@pytest.mark.timeout(120)
def test_its_output_scores_with_the_corpus_scorer(corpora: Path, tmp_path: Path) -> None:
    folder = corpora / "extraction-dev"
    pages = sorted((folder / "html").glob("*.html.gz"))[:10]
    rows, _, failed = _run(*(str(p) for p in pages))
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("\n".join(json.dumps(row) for row in rows))

    result = subprocess.run(
        [sys.executable, str(folder / "score.py"), str(predictions)],
        capture_output=True,
        text=True,
        check=True,
    )

    scored = json.loads(result.stdout)
    assert not failed
    assert scored["missing"] == 78  # only the ten pages given were predicted
    assert scored["precision"] > 0.9
