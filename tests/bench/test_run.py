import pytest

from bench.common import Measurement
from bench.run import (
    BenchError,
    ModuleResult,
    _last_error,
    modules_discover,
    table_markdown,
    table_rows,
)


def test_it_runs_exports_last_and_the_other_modules_in_pipeline_order() -> None:
    names = modules_discover()
    assert names, "no bench_*.py module found"
    if "exports" in names:
        assert names[-1] == "exports"
    known = [n for n in ["ingestion", "extraction", "tagging", "pages", "search"] if n in names]
    assert [n for n in names if n in known] == known


def test_it_names_a_module_that_does_not_exist() -> None:
    with pytest.raises(BenchError, match="no benchmark module for: nosuch"):
        modules_discover(["nosuch"])


def test_a_failed_module_shows_as_failed_with_its_error_beside_the_others() -> None:
    ok = ModuleResult(
        "pages",
        [Measurement("pages: home", "ms", [10, 12, 30], "its SQL alone", [2, 3, 4], "<= 100")],
    )
    failed = ModuleResult("search", error="ValueError: no index")

    rows = table_rows([ok, failed])

    assert rows[0][:4] == ["pages: home", "ms", "12", "30"]
    assert rows[0][6:8] == ["3", "4.00x"]
    assert rows[1][0] == "search: FAILED"
    assert rows[1][-1] == "ValueError: no index"
    assert "| search: FAILED |" in table_markdown(rows)


def test_it_reports_the_exception_line_of_a_traceback_with_the_database_detail() -> None:
    stderr = (
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        "psycopg.errors.UniqueViolation: duplicate key value\n"
        "DETAIL:  Key (guid)=(a) already exists.\n"
        "CONTEXT:  COPY articles_article, line 3\n"
    )
    assert _last_error(stderr) == (
        "psycopg.errors.UniqueViolation: duplicate key value "
        "DETAIL:  Key (guid)=(a) already exists."
    )
    assert _last_error("just one line\n") == "just one line"
