"""The tagger writes mentions; editors' decisions survive re-tagging; tag_text's contract."""

import hashlib
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Mention, MentionKind, MentionStatus, Source
from articles.tagging.kb import fold
from articles.tagging.tagger import TAGGER_VERSION, knowledge_base_reset, text_tag
from summits.models import Country, Official, OfficialAlias
from summits.services import reference_load
from tests.articles.tagging.helpers import tagged

GOLD_KB = Path(__file__).parent / "gold" / "kb"
ROOT = Path(__file__).resolve().parents[3]

STORY = (
    "MEXICO CITY — Secretary of State Antony Blinken and Homeland Security Secretary "
    "Alejandro Mayorkas met President Andrés Manuel López Obrador on Wednesday, in talks on "
    "record crossings at the border. The Mexican foreign minister said both governments "
    "would keep the Title 42 removals flights under review."
)


@pytest.fixture
def kb(db: None) -> None:
    reference_load(directory=GOLD_KB)
    knowledge_base_reset()
    yield
    knowledge_base_reset()


def make_article(body: str, published: datetime, title: str = "", authors=()) -> Article:
    source, _ = Source.objects.get_or_create(domain="example.org", defaults={"name": "Example"})
    url = f"https://example.org/{hashlib.sha1(body.encode()).hexdigest()[:12]}"
    return Article.objects.create(
        url=url,
        canonical_url=url,
        url_hash=hashlib.sha256(url.encode()).hexdigest(),
        source=source,
        title=title or "Migration talks",
        body=body,
        authors=list(authors),
        published_at=published,
    )


def names(article: Article, kind: str) -> set[str]:
    return {
        str(m.entity)
        for m in article.mentions.filter(kind=kind).exclude(status=MentionStatus.REJECTED)
    }


def official(name: str) -> Official:
    return Official.objects.get(name=name)


def test_it_writes_mentions_with_confidence_method_and_evidence(kb: None) -> None:
    article = make_article(STORY, datetime(2023, 12, 28, 9, tzinfo=UTC))

    mentions = tagged(article)

    assert names(article, MentionKind.OFFICIAL) == {
        "Antony Blinken",
        "Alejandro Mayorkas",
        "Andrés Manuel López Obrador",
        "Alicia Bárcena",  # the Mexican foreign minister on that date
    }
    assert names(article, MentionKind.COUNTRY) == {"Mexico"}
    assert names(article, MentionKind.POLICY) == {"Title 42"}
    barcena = article.mentions.get(official__name="Alicia Bárcena")
    assert barcena.method == "role"
    assert 0 < barcena.confidence < 0.95
    assert barcena.evidence.startswith("The Mexican foreign minister said")
    assert all(m.status == MentionStatus.AUTO for m in mentions)
    article.refresh_from_db()
    assert article.tagger_version == TAGGER_VERSION
    assert article.tagged_at is not None


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2021, 11, 25, tzinfo=UTC), "Marcelo Ebrard"),
        (datetime(2024, 11, 20, tzinfo=UTC), "Juan Ramón de la Fuente"),
    ],
)
def test_the_same_role_names_a_different_person_in_another_year(
    kb: None, published: datetime, expected: str
) -> None:
    article = make_article("The Mexican foreign minister spoke to reporters.", published)

    tagged(article)

    assert names(article, MentionKind.OFFICIAL) == {expected}


def test_a_rejected_mention_never_comes_back_on_retagging(kb: None) -> None:
    article = make_article(STORY, datetime(2023, 12, 28, tzinfo=UTC))
    tagged(article)
    rejected = article.mentions.get(official__name="Alejandro Mayorkas")
    rejected.status = MentionStatus.REJECTED
    rejected.save()

    tagged(article)
    tagged(article)

    rows = article.mentions.filter(official__name="Alejandro Mayorkas")
    assert [m.status for m in rows] == [MentionStatus.REJECTED]
    assert "Alejandro Mayorkas" not in {str(m.entity) for m in tagged(article)}


def test_an_editor_added_mention_is_never_removed_by_the_tagger(kb: None) -> None:
    article = make_article(STORY, datetime(2023, 12, 28, tzinfo=UTC))
    canada = Country.objects.get(iso2="CA")
    Mention.objects.create(
        article=article,
        kind=MentionKind.COUNTRY,
        country=canada,
        confidence=1.0,
        method="editor",
        evidence="",
        status=MentionStatus.EDITOR_ADDED,
    )

    tagged(article)

    added = article.mentions.get(country=canada)
    assert added.status == MentionStatus.EDITOR_ADDED
    assert (added.confidence, added.method) == (1.0, "editor")


def test_an_approved_mention_is_neither_removed_nor_downgraded(kb: None) -> None:
    article = make_article(STORY, datetime(2023, 12, 28, tzinfo=UTC))
    tagged(article)
    approved = article.mentions.get(official__name="Antony Blinken")
    approved.status = MentionStatus.APPROVED
    approved.confidence = 1.0
    approved.save()
    # The text changes so the tagger no longer finds Blinken at all.
    article.body = STORY.replace("Secretary of State Antony Blinken and ", "")
    article.save()

    tagged(article)

    approved.refresh_from_db()
    assert approved.status == MentionStatus.APPROVED
    assert approved.confidence == 1.0


def test_auto_mentions_no_longer_found_are_removed(kb: None) -> None:
    article = make_article(STORY, datetime(2023, 12, 28, tzinfo=UTC))
    tagged(article)
    assert "Title 42" in names(article, MentionKind.POLICY)

    article.body = STORY.split(" The Mexican foreign minister")[0]
    article.save()
    tagged(article)

    assert names(article, MentionKind.POLICY) == set()
    assert "Alicia Bárcena" not in names(article, MentionKind.OFFICIAL)


def test_retagging_twice_changes_nothing(kb: None) -> None:
    article = make_article(STORY, datetime(2023, 12, 28, tzinfo=UTC))
    tagged(article)
    before = list(article.mentions.order_by("pk").values())

    tagged(article)

    assert list(article.mentions.order_by("pk").values()) == before


def test_the_articles_own_authors_are_not_officials(kb: None) -> None:
    body = "Stephen Miller\n\nFarm groups in Ontario asked for more seasonal workers this year."
    article = make_article(body, datetime(2025, 3, 1, tzinfo=UTC), authors=["Stephen Miller"])

    tagged(article)

    assert names(article, MentionKind.OFFICIAL) == set()


def test_it_tags_the_feed_summary_when_the_page_has_no_text(kb: None) -> None:
    article = make_article("", datetime(2023, 1, 10, tzinfo=UTC))
    article.summary = "<p>Justin Trudeau lands in <b>Mexico City</b> for the Three Amigos.</p>"
    article.save()

    tagged(article)

    assert names(article, MentionKind.OFFICIAL) == {"Justin Trudeau"}
    summit = "North American Leaders' Summit 2023 (2023-01-09)"
    assert names(article, MentionKind.SUMMIT) == {summit}


def test_an_alias_added_by_an_editor_is_used_without_a_restart(kb: None) -> None:
    text = "El Peje dijo que la frontera sigue abierta."
    assert not [f for f in text_tag(text=text, on=date(2022, 5, 1)) if f.kind == "official"]

    OfficialAlias.objects.create(official=official("Andrés Manuel López Obrador"), name="El Peje")

    article = make_article(text, datetime(2022, 5, 1, tzinfo=UTC))
    tagged(article)
    assert names(article, MentionKind.OFFICIAL) == {"Andrés Manuel López Obrador"}


def test_folding_keeps_every_character_at_its_offset() -> None:
    text = "Sheinb\u0430um — Lopez-Obrador\u2019s «Título 42» İstanbul ﬁnal\u0301"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("sheinbaum   lopez obrador's")


def test_tag_text_prints_one_json_object_in_the_documented_shape(kb: None, tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    out = StringIO()

    call_command("tag_text", str(path), "--date", "2023-12-27", stdout=out)

    data = json.loads(out.getvalue())
    assert list(data) == ["mentions"]
    kinds = {m["kind"] for m in data["mentions"]}
    assert kinds == {"country", "official", "policy", "summit"}
    for m in data["mentions"]:
        expected_keys = ["kind", "name", "confidence", "evidence"]
        if m["kind"] == "summit":
            expected_keys = ["kind", "name", "date", "confidence", "evidence"]
        assert list(m) == expected_keys
        assert 0 <= m["confidence"] <= 1
        assert m["evidence"] in " ".join(STORY.split())
    summit = next(m for m in data["mentions"] if m["kind"] == "summit")
    assert summit["date"] == "2023-12-27"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "could not be read"),
        (b"\xff\xfe\x00bad", [], "is not UTF-8 text"),
        (b"text", ["--date", "2023-02-30"], "is not a date"),
        (b"text", ["--date", "yesterday"], "is not a date"),
    ],
)
def test_tag_text_refuses_bad_input_in_plain_words(
    kb: None, tmp_path: Path, content: bytes | None, args: list[str], message: str
) -> None:
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("tag_text", str(path), *args, stdout=StringIO())


def test_tag_text_exits_non_zero_with_a_one_line_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "tag_text", str(tmp_path / "missing.txt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "could not be read" in result.stderr


def test_an_alias_corrected_in_place_is_used_without_a_restart(kb: None) -> None:
    alias = OfficialAlias.objects.create(official=official("Kristi Noem"), name="Sec. Noemm")
    text = "Secretary Kristy Noem visited the border."
    article = make_article(text, datetime(2025, 3, 1, tzinfo=UTC))
    tagged(article)

    alias.name = "Secretary Kristy Noem"
    alias.save()
    tagged(article)

    mention = article.mentions.get(official__name="Kristi Noem")
    assert (mention.method, mention.confidence) == ("name", 0.95)
