"""Server-rendered SVG charts: no script, no inline style (the CSP forbids both).

Colours come from classes in static/css/site.css; sizes are SVG attributes.
"""

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

WIDTH = 720
HEIGHT = 160
AXIS = 18  # room under the bars for the first/last labels


@register.simple_tag
def coverage_bar(value: int, largest: int, width: int = 120) -> SafeString:
    """A small horizontal bar, its length proportional to value / largest."""
    share = value / largest if largest else 0.0
    length = round(width * share, 1) if value else 0
    return mark_safe(  # noqa: S308 - numbers only
        f'<svg class="coverage-bar" width="{width}" height="10" viewBox="0 0 {width} 10" '
        f'aria-hidden="true" focusable="false">'
        f'<rect class="track" x="0" y="0" width="{width}" height="10"></rect>'
        f'<rect class="bar" x="0" y="0" width="{length}" height="10"></rect></svg>'
    )


def _label(point: Any) -> str:
    return str(getattr(point, "label", None) or getattr(point, "day", None) or point.month)


@register.simple_tag
def bar_chart(points: Sequence[Any], title: str, unit: str = "articles") -> SafeString:
    """A column chart of points with .count (and .marked, .day or .month) as accessible SVG."""
    if not points:
        return mark_safe("")
    top = max(p.count for p in points) or 1
    step = WIDTH / len(points)
    gap = 1 if step > 3 else 0
    plot = HEIGHT - AXIS
    bars = []
    for i, point in enumerate(points):
        h = round(plot * point.count / top, 1)
        cls = "bar marked" if getattr(point, "marked", False) else "bar"
        label = escape(f"{_label(point)}: {point.count} {unit}")
        bars.append(
            f'<rect class="{cls}" x="{round(i * step, 2)}" y="{round(plot - h, 1)}" '
            f'width="{max(round(step - gap, 2), 0.5)}" height="{h}"><title>{label}</title></rect>'
        )
    first, last = escape(_label(points[0])), escape(_label(points[-1]))
    total = sum(p.count for p in points)
    summary = escape(f"{title}: {total} {unit} in all, at most {top} in one bar.")
    return mark_safe(  # noqa: S308 - every text piece is escaped above
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{summary}">'
        f"<title>{summary}</title>"
        f'<line class="axis" x1="0" y1="{plot}" x2="{WIDTH}" y2="{plot}"></line>'
        + "".join(bars)
        + f'<text class="tick" x="0" y="{HEIGHT - 4}">{first}</text>'
        f'<text class="tick" x="{WIDTH}" y="{HEIGHT - 4}" text-anchor="end">{last}</text>'
        "</svg>"
    )


LANE_HEIGHT = 26


def _day(value: Any) -> str:
    return value.strftime("%-d %b %Y") if value else "today"


@register.simple_tag
def policy_lane(lane: Any) -> SafeString:
    """A policy's status lane as SVG: a band per status, a tick per meeting (each a link)."""
    from django.urls import reverse

    parts = [f'<rect class="lane-track" x="0" y="4" width="{WIDTH}" height="16"></rect>']
    for seg in lane.segments:
        x, w = round(seg.left * WIDTH / 100, 1), round(max(seg.width * WIDTH / 100, 2), 1)
        label = escape(f"{seg.label}: {_day(seg.start)} to {_day(seg.end)}")
        parts.append(
            f'<rect class="lane-band band-{seg.band}" x="{x}" y="4" width="{w}" height="16">'
            f"<title>{label}</title></rect>"
        )
    for meeting in lane.meetings:
        x = round(meeting.at * WIDTH / 100, 1)
        summit = meeting.summit
        label = escape(f"{summit.title} ({_day(summit.start_date)}): {meeting.effect}")
        href = escape(reverse("summits:summit", args=[summit.slug]))
        parts.append(
            f'<a href="{href}"><title>{label}</title>'
            f'<path class="lane-meeting" d="M{x} 0 L{x + 5} 12 L{x} 24 L{x - 5} 12 Z"></path></a>'
        )
    summary = escape(f"Status of {lane.policy.name} over time, with the meetings that touched it")
    return mark_safe(  # noqa: S308 - every text piece is escaped above
        f'<svg class="lane" viewBox="-6 0 {WIDTH + 12} {LANE_HEIGHT}" role="img" '
        f'aria-label="{summary}">' + "".join(parts) + "</svg>"
    )


@register.simple_tag
def lane_axis(years: Sequence[tuple[int, float]]) -> SafeString:
    """The years under a set of lanes: a tick and label at each 1 January."""
    ticks = []
    for year, at in years:
        x = round(at * WIDTH / 100, 1)
        ticks.append(
            f'<line class="axis" x1="{x}" y1="0" x2="{x}" y2="6"></line>'
            f'<text class="tick" x="{x}" y="18" text-anchor="middle">{year}</text>'
        )
    return mark_safe(  # noqa: S308 - numbers only
        f'<svg class="lane lane-axis" viewBox="-6 0 {WIDTH + 12} 22" aria-hidden="true" '
        f'focusable="false">' + "".join(ticks) + "</svg>"
    )
