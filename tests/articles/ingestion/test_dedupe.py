import hashlib
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models.functions import Coalesce

from articles.ingestion.dedupe import (
    NEAR_DUPLICATE_BITS,
    WINDOW,
    article_cluster,
    article_text,
    articles_fingerprint,
    content_hash,
    hamming,
    text_simhash,
)
from articles.models import Article, Source, StoryCluster

pytestmark = pytest.mark.django_db

# Sample texts written for these tests, about a ministerial meeting on migration.
STORY = """Foreign ministers from Mexico, the United States and Canada met in Mexico City on
Thursday to review how the three governments share the work of receiving asylum seekers at
their borders. The meeting, the second of its kind this year, focused on expanding legal
pathways for workers from Central America, on joint funding for shelters in southern Mexico,
and on faster processing of applications at ports of entry. Officials said the countries
agreed to open two additional processing centres in Guatemala and Colombia before the end of
the year, and to publish monthly figures on the number of people who use them. Mexico's
foreign minister said the region could not manage migration with walls alone and called for
investment in the communities people leave. The American delegation praised the cooperation
on enforcement but declined to comment on a proposed increase in seasonal work visas. Canada
offered to resettle more refugees from the Americas and to fund language training for new
arrivals. The ministers are expected to meet again in Ottawa in the spring, when they will
report on whether the new centres have reduced irregular crossings along the northern route."""

# Syndicated: the same text with a wire dateline and a republisher's trailer.
SYNDICATED = (
    "MEXICO CITY (Wire) - "
    + STORY
    + "\nThis story was republished from a partner outlet. Sign up for our daily briefing."
)

# A light rewrite: some words swapped, a sentence trimmed, a closing sentence added.
REWRITE = """Foreign ministers from Mexico, the United States and Canada met in Mexico City on
Thursday to review how the three governments share the work of receiving asylum seekers at
their shared borders. The meeting, the second such gathering this year, focused on expanding
legal pathways for workers from Central America, on joint funding for shelters in southern
Mexico, and on faster processing of applications at ports of entry. Officials said the
countries agreed to open two more processing centres in Guatemala and Colombia before the end
of the year, and to publish monthly figures on the number of people who use them. Mexico's
foreign minister said the region could not manage migration with walls alone and called for
investment in the communities people leave. The American delegation praised the cooperation
on enforcement but declined to comment on a proposed increase in seasonal work visas. Canada
offered to resettle more refugees from the Americas. The ministers are expected to meet again
in Ottawa in the spring, when they will report on whether the new centres have reduced
irregular crossings along the northern route. Rights groups said they would watch closely."""

# A different story on the same topic, days later, with many of the same names and words.
OTHER = """Canada's immigration minister announced on Monday that the country will accept
additional refugees from Central and South America over the next two years, expanding a
programme agreed with the United States and Mexico earlier this spring. The minister told
reporters in Ottawa that applicants will be identified at the processing centres in Guatemala
and Colombia, and that community sponsors in several provinces have already offered housing.
Advocates welcomed the decision but warned that long waits for work permits leave newcomers
without income for months. The opposition said the government had not explained how much
the expansion would cost or how it would affect the backlog of existing applications. Mexican
officials said they hoped the announcement would ease pressure on shelters in the north of
the country, where thousands of people wait for appointments to cross into the United States.
A spokesperson for the American embassy said Washington continues to work with both partners
on shared migration goals and will send a delegation to the next ministerial meeting."""


@pytest.fixture
def source() -> Source:
    return Source.objects.create(name="Sample Outlet", domain="sample.example")


def make(source: Source, body: str, published: datetime, slug: str) -> Article:
    return Article.objects.create(
        url=f"https://sample.example/{slug}",
        canonical_url=f"https://sample.example/{slug}",
        url_hash=hashlib.sha256(slug.encode()).hexdigest(),
        source=source,
        title=slug,
        body=body,
        published_at=published,
    )


WHEN = datetime(2024, 5, 9, 15, 0, tzinfo=UTC)


def test_content_hash_ignores_case_accents_spacing_and_punctuation() -> None:
    assert content_hash("Canciller de México:  ¡reunión!") == content_hash(
        "canciller de mexico reunion"
    )
    assert content_hash("one story") != content_hash("another story")


def test_simhash_fits_a_signed_64_bit_column_and_is_stable() -> None:
    value = text_simhash(STORY)
    assert -(2**63) <= value < 2**63
    assert value == text_simhash(STORY.upper())


def test_the_threshold_separates_copies_and_rewrites_from_other_stories() -> None:
    story = text_simhash(STORY)
    assert hamming(story, text_simhash(SYNDICATED)) <= NEAR_DUPLICATE_BITS
    assert hamming(story, text_simhash(REWRITE)) <= NEAR_DUPLICATE_BITS
    assert hamming(story, text_simhash(OTHER)) > NEAR_DUPLICATE_BITS + 4


def test_it_puts_two_syndicated_copies_in_one_cluster_with_the_earliest_date(
    source: Source,
) -> None:
    original = make(source, STORY, WHEN, "original")
    copy = make(source, SYNDICATED, WHEN - timedelta(hours=3), "copy")

    first = article_cluster(article=original)
    second = article_cluster(article=copy)

    assert first.pk == second.pk
    second.refresh_from_db()
    assert second.size == 2
    assert second.first_published_at == WHEN - timedelta(hours=3)


def test_it_puts_an_exact_copy_in_the_cluster_by_hash(source: Source) -> None:
    original = make(source, STORY, WHEN, "original")
    copy = make(source, STORY.replace("\n", " ").upper(), WHEN, "copy")

    assert article_cluster(article=original) == article_cluster(article=copy)
    copy.refresh_from_db()
    assert copy.content_hash == original.content_hash


def test_it_puts_a_light_rewrite_in_the_same_cluster(source: Source) -> None:
    original = make(source, STORY, WHEN, "original")
    rewrite = make(source, REWRITE, WHEN + timedelta(days=1), "rewrite")

    assert article_cluster(article=original) == article_cluster(article=rewrite)


def test_it_keeps_a_different_story_on_the_same_topic_apart(source: Source) -> None:
    original = make(source, STORY, WHEN, "original")
    other = make(source, OTHER, WHEN + timedelta(days=4), "other")

    assert article_cluster(article=original) != article_cluster(article=other)
    assert StoryCluster.objects.count() == 2


def test_it_does_not_join_copies_published_far_apart(source: Source) -> None:
    original = make(source, STORY, WHEN, "original")
    later = make(source, SYNDICATED, WHEN + timedelta(days=30), "later")

    assert article_cluster(article=original) != article_cluster(article=later)


@pytest.mark.parametrize(
    ("apart", "together"),
    [
        (WINDOW, True),
        (WINDOW + timedelta(microseconds=1), False),
        (-WINDOW, True),
        (-WINDOW - timedelta(microseconds=1), False),
    ],
)
def test_the_window_ends_exactly_a_week_either_side(
    source: Source, apart: timedelta, together: bool
) -> None:
    # Dates with microseconds, as the database keeps them.
    when = WHEN + timedelta(microseconds=250_001)
    original = make(source, STORY, when, "original")
    copy = make(source, REWRITE, when + apart, "copy")
    article_cluster(article=original)

    assert (article_cluster(article=copy) == original.cluster) is together


@pytest.mark.parametrize(
    ("seen", "together"), [(timedelta(days=1), True), (timedelta(days=30), False)]
)
def test_an_undated_article_is_in_the_window_by_when_it_was_first_seen(
    source: Source, seen: timedelta, together: bool
) -> None:
    undated = make(source, STORY, WHEN, "undated")
    Article.objects.filter(pk=undated.pk).update(published_at=None, created_at=WHEN + seen)
    undated.refresh_from_db()
    cluster = article_cluster(article=undated)

    assert (article_cluster(article=make(source, REWRITE, WHEN, "rewrite")) == cluster) is together


@pytest.mark.parametrize(
    "when",
    [
        datetime(2024, 5, 9, 15, 0, tzinfo=UTC),
        datetime(2024, 5, 9, 15, 0, 0, 7, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ],
)
def test_the_database_reads_a_date_as_the_same_microseconds(source: Source, when: datetime) -> None:
    from articles.ingestion.dedupe import _micros, _Microseconds

    make(source, STORY, when, "dated")
    undated = make(source, STORY, when, "undated")
    Article.objects.filter(pk=undated.pk).update(published_at=None, created_at=when)
    read = Article.objects.annotate(
        micros=_Microseconds(Coalesce("published_at", "created_at"))
    ).values_list("micros", flat=True)

    assert list(read) == [_micros(when)] * 2


def test_running_it_again_changes_nothing(source: Source) -> None:
    original = make(source, STORY, WHEN, "original")
    copy = make(source, SYNDICATED, WHEN, "copy")
    article_cluster(article=original)
    cluster = article_cluster(article=copy)

    again = [article_cluster(article=a) for a in (original, copy, original)]

    assert {c.pk for c in again} == {cluster.pk}
    assert StoryCluster.objects.count() == 1
    assert StoryCluster.objects.get().size == 2


def test_an_article_whose_text_changes_moves_and_leaves_no_empty_cluster(source: Source) -> None:
    first = make(source, STORY, WHEN, "first")
    second = make(source, OTHER, WHEN, "second")
    article_cluster(article=first)
    article_cluster(article=second)
    assert StoryCluster.objects.count() == 2

    # The page arrives and turns out to carry the first story: hashes are reset, then rerun.
    second.body, second.content_hash, second.simhash = REWRITE, "", None
    second.save()
    article_cluster(article=second)

    assert StoryCluster.objects.count() == 1
    assert StoryCluster.objects.get().size == 2


def test_short_texts_do_not_cluster_on_equal_words(source: Source) -> None:
    one = make(source, "Live updates", WHEN, "one")
    two = make(source, "Live updates", WHEN, "two")

    assert article_cluster(article=one) != article_cluster(article=two)


def test_it_uses_the_feed_summary_when_the_page_is_not_fetched_yet(source: Source) -> None:
    one = make(source, "", WHEN, "one")
    one.summary = f"<p>{STORY}</p>"
    one.save()
    two = make(source, STORY, WHEN, "two")

    assert article_cluster(article=one) == article_cluster(article=two)


def test_fingerprints_found_before_the_lock_match_the_ones_clustering_finds(
    source: Source,
) -> None:
    summary_only = make(source, "", WHEN, "summary")
    summary_only.summary = f"<p>{STORY}</p>"
    short = make(source, "Live updates", WHEN, "short")

    counts = articles_fingerprint(articles=[summary_only, short])

    assert counts[0] > 150 and counts[1] == 2
    assert summary_only.content_hash == content_hash(article_text(summary_only))
    assert summary_only.simhash == text_simhash(article_text(summary_only))
    copy = make(source, SYNDICATED, WHEN, "copy")
    assert article_cluster(article=copy) == article_cluster(article=summary_only)


def _words(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [f"word{rng.randrange(5000)}" for _ in range(count)]


def test_a_copy_near_two_clusters_joins_them_whatever_order_the_copies_came_in(
    source: Source,
) -> None:
    # Three versions of one story: one with its own lede, one with its own ending, and the
    # middle one near both, while the first two are too far apart to be joined directly.
    words = _words(10, 120)
    base, other = words[:60], words[60:]
    lede = " ".join(other[:5] + base[5:])
    ending = " ".join(base[:-5] + other[-5:])
    middle = " ".join(base)
    assert hamming(text_simhash(lede), text_simhash(ending)) > NEAR_DUPLICATE_BITS
    assert hamming(text_simhash(lede), text_simhash(middle)) <= NEAR_DUPLICATE_BITS
    assert hamming(text_simhash(ending), text_simhash(middle)) <= NEAR_DUPLICATE_BITS
    first = make(source, lede, WHEN, "lede")
    second = make(source, ending, WHEN, "ending")
    third = make(source, middle, WHEN, "middle")

    assert article_cluster(article=first) != article_cluster(article=second)
    cluster = article_cluster(article=third)

    assert {a.cluster_id for a in Article.objects.all()} == {cluster.pk}
    assert StoryCluster.objects.get().size == 3


def test_joined_clusters_keep_the_id_of_the_one_with_most_members(source: Source) -> None:
    # The same three versions as above, the ending's cluster younger but with two copies:
    # joining moves the lede's one article, not the two.
    words = _words(10, 120)
    base, other = words[:60], words[60:]
    lede = make(source, " ".join(other[:5] + base[5:]), WHEN, "lede")
    endings = [make(source, " ".join(base[:-5] + other[-5:]), WHEN, f"ending-{n}") for n in (1, 2)]
    older = article_cluster(article=lede)
    bigger = article_cluster(article=endings[0])
    assert article_cluster(article=endings[1]) == bigger and bigger.pk > older.pk

    joined = article_cluster(article=make(source, " ".join(base), WHEN, "middle"))

    assert joined.pk == bigger.pk
    assert {a.cluster_id for a in Article.objects.all()} == {bigger.pk}
    assert list(StoryCluster.objects.values_list("pk", "size")) == [(bigger.pk, 4)]


def test_the_window_counts_bits_at_once_as_one_by_one() -> None:
    # Fingerprints at every distance around the threshold, some outside the window, all in
    # one batch's candidates: the packed bit counts must find exactly what hamming() finds.
    from articles.ingestion.dedupe import _Candidates, _micros, _window

    rng = random.Random(7)
    day = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    probes = []
    for n in range(40):
        simhash = rng.getrandbits(64) - (1 << 63)
        when = day + timedelta(hours=7 * n)
        probes.append((simhash, when))
        for distance in (0, 1, NEAR_DUPLICATE_BITS - 1, NEAR_DUPLICATE_BITS,
                         NEAR_DUPLICATE_BITS + 1, 40, 64):  # fmt: skip
            other = simhash
            for bit in rng.sample(range(64), distance):
                other ^= 1 << bit
            other = (other + (1 << 63)) % (1 << 64) - (1 << 63)
            offset = timedelta(days=rng.choice([0, 3, 6.9, 7.1, -7.1, -2]))
            rows.append((when + offset, other, len(rows) + 1))
    rows += [(day + timedelta(hours=rng.uniform(-500, 800)), rng.getrandbits(64) - (1 << 63),
              len(rows) + 1 + i) for i in range(2000)]  # fmt: skip
    candidates = _Candidates({}, [(_micros(at), other, cluster) for at, other, cluster in rows])

    for simhash, when in probes:
        start, end = _window(when)
        expected = sorted(
            cluster
            for at, other, cluster in rows
            if start <= at <= end and hamming(simhash, other) <= NEAR_DUPLICATE_BITS
        )
        found = candidates.near(simhash, _micros(start), _micros(end))
        assert sorted(found) == expected
    long_ago = day - timedelta(days=400)
    assert candidates.near(0, _micros(long_ago), _micros(long_ago + timedelta(days=1))) == []
