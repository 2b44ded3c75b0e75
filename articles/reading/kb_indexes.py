"""Reads for the index pages (officials, policies, countries, sources) and the policy lanes."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Article, Source, SourceKind
from articles.reading.figures import rows_cached
from articles.reading.kb_selectors import OTHER_PRESS, PRESS_COUNTRIES
from articles.reading.lanes import PolicyLane, lane_span, policy_lane
from summits.models import (
    Country,
    Official,
    Policy,
    PolicyEvent,
    PolicyStatus,
    Role,
    RoleTenure,
    Summit,
    SummitPolicy,
)


def _today() -> date:
    return timezone.localdate()


# Officials -------------------------------------------------------------------------------

ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}


@dataclass
class OfficialRow:
    official: Official
    tenure: RoleTenure | None  # the office held today, else the last one
    current: bool


@dataclass
class CountryOfficials:
    country: Country
    rows: list[OfficialRow]


def officials_by_country(*, today: date | None = None) -> list[CountryOfficials]:
    """Every official under their country: those in office first, by office, then the others."""
    today = today or _today()
    tenures = RoleTenure.objects.order_by("start")
    officials = Official.objects.select_related("country").prefetch_related(
        Prefetch("tenures", queryset=tenures)
    )
    groups: dict[int, CountryOfficials] = {}
    for official in officials:
        held = [t for t in official.tenures.all() if t.start <= today]
        now = [t for t in held if t.end is None or t.end >= today]
        known = now or held or list(official.tenures.all())
        row = OfficialRow(official, known[-1] if known else None, bool(now))
        group = groups.setdefault(official.country_id, CountryOfficials(official.country, []))
        group.rows.append(row)
    for group in groups.values():
        group.rows.sort(
            key=lambda r: (
                not r.current,
                ROLE_ORDER.get(r.tenure.role, 99) if r.tenure else 99,
                r.official.name,
            )
        )
    return sorted(groups.values(), key=lambda g: (not g.country.is_core, g.country.name_en))


# Policies --------------------------------------------------------------------------------


@dataclass
class PolicyRow:
    policy: Policy
    event: PolicyEvent | None  # its latest status change up to today
    meetings: int


@dataclass
class StatusGroup:
    status: str
    label: str
    rows: list[PolicyRow] = field(default_factory=list)


def policies_by_status(*, today: date | None = None) -> list[StatusGroup]:
    """Every policy under its status today (its latest key date), with its meeting count."""
    today = today or _today()
    events = PolicyEvent.objects.filter(date__lte=today).order_by("date", "pk")
    policies = (
        Policy.objects.annotate(meetings=Count("summit_links"))
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("name")
    )
    groups = {status: StatusGroup(status, str(label)) for status, label in PolicyStatus.choices}
    unknown = StatusGroup("", gettext("No key date recorded"))
    for policy in policies:
        dated = list(policy.events.all())
        row = PolicyRow(policy, dated[-1] if dated else None, policy.meetings)  # type: ignore[attr-defined]
        (groups[row.event.status] if row.event else unknown).rows.append(row)
    return [g for g in [*groups.values(), unknown] if g.rows]


def policy_meetings(*, policy: Policy) -> list[SummitPolicy]:
    """The meetings that touched a policy, oldest first, with what each did to it."""
    return list(
        policy.summit_links.select_related("summit", "summit__country").order_by(
            "summit__start_date", "pk"
        )
    )


def policy_page_lane(*, policy: Policy, links: list[SummitPolicy]) -> PolicyLane | None:
    """The policy's status lane from its first key date or meeting to today."""
    events = sorted(policy.events.all(), key=lambda e: (e.date, e.pk))
    if not events and not links:
        return None
    span = lane_span(
        [e.date for e in events] + [link.summit.start_date for link in links], today=_today()
    )
    meetings = [(link.summit, link.get_effect_display()) for link in links]
    return policy_lane(policy=policy, events=events, meetings=meetings, span=span)


@dataclass
class Lanes:
    first: date
    last: date
    lanes: list[PolicyLane]
    years: list[tuple[int, float]]  # a year and where its 1 January falls, in percent


def timeline_lanes(*, summits: list[Summit]) -> Lanes | None:
    """A lane for every policy the shown meetings touched, on one span of days that holds the
    meetings and the policies' key dates."""
    summit_ids = [s.pk for s in summits]
    if not summit_ids:
        return None
    links = list(
        SummitPolicy.objects.filter(summit_id__in=summit_ids)
        .select_related("policy")
        .order_by("policy__name", "pk")
    )
    if not links:
        return None
    by_id = {s.pk: s for s in summits}
    policies = {link.policy_id: link.policy for link in links}
    events: dict[int, list[PolicyEvent]] = defaultdict(list)
    for event in PolicyEvent.objects.filter(policy_id__in=policies).order_by("date", "pk"):
        events[event.policy_id].append(event)
    days = [s.start_date for s in summits] + [e.date for dated in events.values() for e in dated]
    span = lane_span(days, today=_today())
    touched: dict[int, list[tuple[Summit, str]]] = defaultdict(list)
    for link in links:
        touched[link.policy_id].append((by_id[link.summit_id], link.get_effect_display()))
    lanes = [
        policy_lane(
            policy=policy,
            events=events[pk],
            meetings=sorted(touched[pk], key=lambda m: m[0].start_date),
            span=span,
        )
        for pk, policy in policies.items()
    ]
    years = [
        (year, round(span.share(date(year, 1, 1)) * 100, 2))
        for year in range(span.first.year + 1, span.last.year + 1)
    ]
    return Lanes(span.first, span.last, lanes, years)


# Countries and sources -------------------------------------------------------------------


@dataclass
class CountryRow:
    country: Country
    officials: int
    meetings: int
    sources: int


def countries_index() -> list[CountryRow]:
    """Every country with its officials, the meetings it took part in and its outlets."""
    countries = list(Country.objects.order_by("-is_core", "name_en"))
    officials = _counts(Official.objects.values("country_id"), "country_id")
    meetings = _counts(Summit.countries.through.objects.values("country_id"), "country_id")
    sources = _counts(Source.objects.values("country_id"), "country_id")
    return [
        CountryRow(c, officials.get(c.pk, 0), meetings.get(c.pk, 0), sources.get(c.pk, 0))
        for c in countries
    ]


def _counts(values: Any, key: str) -> dict[int, int]:
    """How many rows each `key` has, kept until the data changes."""
    return {row[key]: row["n"] for row in rows_cached(values.annotate(n=Count("*")).order_by())}


@dataclass
class SourceRow:
    source: Source
    articles: int


@dataclass
class PressGroup:
    key: str  # an ISO code of PRESS_COUNTRIES, or OTHER_PRESS
    kinds: list[tuple[str, list[SourceRow]]]  # (kind label, sources by article count)
    articles: int


def sources_by_press() -> list[PressGroup]:
    """Every outlet under its press country and kind, with how many articles it published."""
    counts = _counts(Article.objects.values("source_id"), "source_id")
    kind_labels = dict(SourceKind.choices)
    grouped: dict[str, dict[str, list[SourceRow]]] = {
        key: {} for key in (*PRESS_COUNTRIES, OTHER_PRESS)
    }
    for source in Source.objects.select_related("country").order_by("name"):
        iso2 = source.country.iso2 if source.country else ""
        key = iso2 if iso2 in PRESS_COUNTRIES else OTHER_PRESS
        row = SourceRow(source, counts.get(source.pk, 0))
        grouped[key].setdefault(source.kind, []).append(row)
    out = []
    for key, kinds in grouped.items():
        if not kinds:
            continue
        ordered = [
            (
                str(kind_labels.get(kind, kind)),
                sorted(rows, key=lambda r: (-r.articles, r.source.name)),
            )
            for kind, rows in sorted(
                kinds.items(),
                key=lambda kv: list(kind_labels).index(kv[0]) if kv[0] in kind_labels else 99,
            )
        ]
        total = sum(r.articles for _, rows in ordered for r in rows)
        out.append(PressGroup(key, ordered, total))
    return out
