"""Policy lanes: a policy's status over time as segments between its dated status changes,
with the meetings that touched it, placed on a shared span of days."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from summits.models import Policy, PolicyEvent, PolicyStatus, Summit

# Statuses drawn alike: a lane shows whether a policy was on the table, applied, held up or over.
STATUS_BAND: dict[str, str] = {
    PolicyStatus.PROPOSED: "proposed",
    PolicyStatus.SIGNED: "proposed",
    PolicyStatus.IN_FORCE: "in-force",
    PolicyStatus.EXPANDED: "in-force",
    PolicyStatus.AMENDED: "in-force",
    PolicyStatus.REINSTATED: "in-force",
    PolicyStatus.SUSPENDED: "blocked",
    PolicyStatus.BLOCKED: "blocked",
    PolicyStatus.ENDED: "ended",
}


@dataclass
class Span:
    first: date
    last: date

    def share(self, day: date) -> float:
        """Where `day` falls on the span, from 0 to 1 (clamped)."""
        days = max((self.last - self.first).days, 1)
        return min(max((day - self.first).days / days, 0.0), 1.0)


@dataclass
class LaneSegment:
    status: str
    label: str
    band: str
    start: date
    end: date | None  # None: still so today
    left: float
    width: float


@dataclass
class LaneMeeting:
    summit: Summit
    effect: str  # the effect's label: "Announced", "Discussed"...
    at: float


@dataclass
class PolicyLane:
    policy: Policy
    segments: list[LaneSegment]
    meetings: list[LaneMeeting]
    span: Span

    @property
    def current(self) -> LaneSegment | None:
        return self.segments[-1] if self.segments else None


def lane_span(days: Iterable[date], *, today: date) -> Span:
    """The span that holds every given day, up to today; a single day gets a month around it."""
    days = list(days)
    first = min(days, default=today)
    last = max([*days, today])
    if (last - first).days < 30:
        first, last = first - timedelta(days=15), last + timedelta(days=15)
    return Span(first, last)


def policy_lane(
    *,
    policy: Policy,
    events: list[PolicyEvent],
    meetings: list[tuple[Summit, str]],
    span: Span,
) -> PolicyLane:
    """The lane of one policy: `events` in date order, `meetings` as (summit, effect label)."""
    segments = []
    for i, event in enumerate(events):
        end = events[i + 1].date if i + 1 < len(events) else None
        left = span.share(event.date)
        right = span.share(end) if end else (left if event.status == "ended" else 1.0)
        segments.append(
            LaneSegment(
                status=event.status,
                label=event.get_status_display(),
                band=STATUS_BAND.get(event.status, "proposed"),
                start=event.date,
                end=end,
                left=round(left * 100, 2),
                width=round(max(right - left, 0.0) * 100, 2),
            )
        )
    placed = [
        LaneMeeting(summit, effect, round(span.share(summit.start_date) * 100, 2))
        for summit, effect in meetings
    ]
    return PolicyLane(policy, segments, placed, span)
