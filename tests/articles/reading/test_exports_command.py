import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Mention
from articles.reading.exports import cell_restore
from tests.articles.reading.test_exports import World, hostile_values


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# transactional_db: the command runs outside a test transaction, as it does for real, so on
# PostgreSQL its read-only REPEATABLE READ snapshot and named cursor are exercised.
@pytest.mark.django_db(transaction=True)
def test_it_writes_the_file_and_a_sidecar_with_the_rows_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    World()
    target = tmp_path / "articles.csv"
    call_command("export_csv", "articles", "-o", str(target))
    rows = read(target)
    assert len(rows) - 1 == Article.objects.count()
    titles = [cell_restore(r[rows[0].index("title")]) for r in rows[1:]]
    assert titles == hostile_values()
    meta = json.loads((tmp_path / "articles.csv.meta.json").read_text("utf-8"))
    assert meta["row_count"] == Article.objects.count()
    assert meta["filters"] == {}
    assert meta["app_version"] == "0.1.0"
    assert f"Wrote {meta['row_count']:,} rows" in capsys.readouterr().out
    assert not (tmp_path / "articles.csv.partial").exists()


@pytest.mark.django_db(transaction=True)
def test_running_it_twice_gives_the_same_file(tmp_path: Path) -> None:
    World()
    target = tmp_path / "mentions.csv"
    call_command("export_csv", "mentions", "country=MX", "--bom", "-o", str(target))
    first = target.read_bytes()
    call_command("export_csv", "mentions", "country=MX", "--bom", "-o", str(target))
    assert target.read_bytes() == first
    assert first.startswith(b"\xef\xbb\xbfarticle_id,")
    meta = json.loads((tmp_path / "mentions.csv.meta.json").read_text("utf-8"))
    assert meta["filters"] == {"country": "MX"}
    assert meta["row_count"] == len(read(target)) - 1
    assert (
        meta["row_count"]
        == Mention.objects.filter(article__mentions__country__iso2="MX")
        .exclude(status="rejected")
        .distinct()
        .count()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["people"], "There is no export called “people”"),
        (["articles", "country"], "is not a filter: write name=value"),
        (["articles", "country=ZZ"], "There is no country “ZZ”"),
        (["articles", "from=2024-13-01"], "is not a date"),
        (["articles", "meta=1"], "meta is not a filter here"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_a_plain_error_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=message):
        call_command("export_csv", *args, "-o", str(target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_a_missing_folder_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_csv", "countries", "-o", str(tmp_path / "nowhere" / "c.csv"))


@pytest.mark.django_db
def test_it_shows_progress_while_it_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from articles.management.commands import export_csv

    World()
    monkeypatch.setattr(export_csv, "PROGRESS_SECONDS", 0.0)
    call_command("export_csv", "articles", "-o", str(tmp_path / "a.csv"))
    assert f"articles: {Article.objects.count():,} rows (" in capsys.readouterr().err
