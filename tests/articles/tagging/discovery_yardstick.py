"""Leave-one-out over the yardstick's meetings: does discovery propose a meeting that is
missing from the knowledge base, on the right day and between the right countries?

For each meeting annotated in a half of the yardstick and covered as news there (a passage
about it published from the day before it to three days after): the meeting is deleted from the
knowledge base (inside a savepoint, rolled back after), its passages are tagged again, and
discovery runs over every passage of the half as articles. It is found when a meeting
candidate's day lies in the meeting's window (its dates widened by their precision) and its
countries are two or more of the meeting's US/MX/CA. False candidates are counted with the
whole knowledge base in place: a proposed meeting that is neither recorded nor one of the
real meetings the annotators listed as missing from it (`unlisted`).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from articles.models import Article, CandidateKind, DiscoveryCandidate
from articles.tagging.discovery import CORE, MEETING_DAYS, articles_discover, known_base
from articles.tagging.tagger import article_mentions_write, knowledge_base_reset
from summits.dates import DateWindow, span_window
from summits.models import Summit
from tests.support import factories as f


@dataclass
class LeaveOneOut:
    articles: int = 0
    meetings: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)  # "date countries name (n articles)"
    unlisted_found: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    # Missed meetings: their window and the meeting candidates within ten days of it.
    near_misses: list[str] = field(default_factory=list)

    @property
    def found_share(self) -> float:
        return len(self.found) / len(self.meetings) if self.meetings else 0.0

    @property
    def false_per_1000(self) -> float:
        return 1000 * len(self.false) / self.articles if self.articles else 0.0


def _ingest(passages: list[dict]) -> dict[str, list[int]]:
    """Each passage as a tagged article; the article ids of each annotated meeting."""
    by_meeting: dict[str, list[int]] = {}
    sources = {lang: f.source(language=lang) for lang in ("en", "es", "fr")}
    for p in passages:
        day = date.fromisoformat(p["date"])
        article = f.article(
            source=sources.get(p["language"], sources["en"]),
            title=p["title"],
            body=p["text"],
            language=p["language"],
            published_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        )
        article_mentions_write(article=article)
        for slug in p["expected"]["summit"]:
            by_meeting.setdefault(slug, []).append(article.pk)
    return by_meeting


def _covered(summit: Summit, passages: list[dict]) -> bool:
    """Whether a passage about the meeting was published while it was news: from the day
    before it to three days after (a passage that only recalls or previews it names no day
    discovery could check)."""
    window = span_window(
        start=summit.start_date, end=summit.end_date, precision=summit.date_precision
    )
    return any(
        summit.slug in p["expected"]["summit"]
        and window.first - timedelta(days=1)
        <= date.fromisoformat(p["date"])
        <= window.last + timedelta(days=3)
        for p in passages
    )


def _found(window: DateWindow, core: set[str]) -> bool:
    for c in DiscoveryCandidate.objects.filter(kind=CandidateKind.MEETING):
        on = c.meeting_date
        countries = set(c.countries)
        if on and window.first <= on <= window.last and len(countries) >= 2 and countries <= core:
            return True
    return False


def _unlisted(passages: list[dict]) -> list[tuple[date, date, set[str], str]]:
    out = []
    for p in passages:
        for u in p.get("unlisted", []):
            if u["kind"] != "summit" or not u["date"]:
                continue
            parts = [int(x) for x in u["date"].split("-")]
            if len(parts) == 3:
                first = last = date(*parts)
            else:
                first = date(parts[0], parts[1], 1)
                last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            out.append((first, last, set(u["countries"]), u["name"]))
    return out


def _is_unlisted(c: DiscoveryCandidate, unlisted: list) -> str:
    margin = timedelta(days=MEETING_DAYS)
    for first, last, countries, name in unlisted:
        on = c.meeting_date
        if on and first - margin <= on <= last + margin and len(set(c.countries) & countries) >= 2:
            return name
    return ""


def leave_one_out(passages: list[dict], *, verbose: bool = False) -> LeaveOneOut:
    """Found and false meeting candidates over these passages (needs the reference data)."""
    result = LeaveOneOut(articles=len(passages))
    knowledge_base_reset()
    by_meeting = _ingest(passages)
    kb = known_base()
    articles = list(Article.objects.order_by("pk"))
    articles_discover(articles=articles, kb=kb)
    unlisted = _unlisted(passages)
    for c in DiscoveryCandidate.objects.order_by("meeting_date", "pk"):
        if c.kind != CandidateKind.MEETING:
            result.people.append(f"{c.kind}: {c.name} ({c.article_count})")
            continue
        line = f"{c.meeting_date} {'-'.join(c.countries)} {c.name} ({c.article_count})"
        if verbose:
            line += " | " + " | ".join(f"{e['date']}: {e['sentence']}" for e in c.evidence)
        name = _is_unlisted(c, unlisted)
        (result.unlisted_found if name else result.false).append(
            f"{line} = {name}" if name else line
        )
    for slug in sorted(by_meeting):
        summit = Summit.objects.filter(slug=slug).first()
        if summit is None or not _covered(summit, passages):
            continue
        result.meetings.append(slug)
        window = span_window(
            start=summit.start_date, end=summit.end_date, precision=summit.date_precision
        )
        core = set(summit.countries.values_list("iso2", flat=True)) & set(CORE)
        with transaction.atomic():
            point = transaction.savepoint()
            DiscoveryCandidate.objects.all().delete()
            summit.delete()
            knowledge_base_reset()
            for article in Article.objects.filter(pk__in=by_meeting[slug]):
                article_mentions_write(article=article)
            articles_discover(articles=Article.objects.order_by("pk"))
            ok = _found(window, core)
            if not ok:
                near = DiscoveryCandidate.objects.filter(
                    kind=CandidateKind.MEETING,
                    meeting_date__gte=window.first - timedelta(days=10),
                    meeting_date__lte=window.last + timedelta(days=10),
                )
                result.near_misses.append(
                    f"{slug} {window.first}..{window.last} {sorted(core)}: "
                    + "; ".join(f"{c.meeting_date} {c.countries}" for c in near)
                )
            transaction.savepoint_rollback(point)
        knowledge_base_reset()
        (result.found if ok else result.missed).append(slug)
    return result
