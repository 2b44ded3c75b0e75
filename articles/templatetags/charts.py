"""Server-rendered charts: no script, no inline style (the CSP forbids both).

Bars are SVG stretched to the chart's width (preserveAspectRatio="none"); the axis values and
labels are HTML beside it, so they keep the page's text size at any width. Colours and sizes
come from classes in static/css/site.css. A chart is one image to assistive technology, named
by a sentence with its total and its largest bar; templates add a table of the figures.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from articles.reading.coverage import SERIES, PressCoverage

register = template.Library()

WIDTH = 720
HEIGHT = 160
# A bar is never wider than this share of the chart: a range of one or a few bars draws
# bars, not one solid block.
MAX_BAR_SHARE = 1 / 12
GAP_SHARE = 0.2


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


def nice_top(largest: int) -> int:
    """The y-axis maximum: the smallest of 1, 2, 4, 6, 8 times a power of ten at or above
    `largest` (so that its half, the middle tick, is a whole number)."""
    top = 1
    while True:
        for step in (1, 2, 4, 6, 8):
            if top * step >= largest:
                return top * step
        top *= 10


@dataclass
class Column:
    label: str
    values: list[int]  # one per series, stacked bottom up
    marked: bool = False


def _articles(n: int) -> str:
    return ngettext("%(n)s article", "%(n)s articles", n) % {
        "n": number_format(n, force_grouping=True)
    }


def chart_html(
    columns: Sequence[Column], *, title: str, series: Sequence[str] = ("",), key: str = ""
) -> SafeString:
    """Stacked columns with a y-axis (0, half, top) and the first and last labels."""
    if not columns:
        return mark_safe("")
    totals = [sum(c.values) for c in columns]
    top = nice_top(max(totals))
    slot = WIDTH / len(columns)
    width = min(slot * (1 - GAP_SHARE), WIDTH * MAX_BAR_SHARE)
    bars = []
    for i, column in enumerate(columns):
        x = round(i * slot + (slot - width) / 2, 2)
        base = 0.0
        rects = []
        for n, (name, value) in enumerate(zip(series, column.values, strict=True)):
            # An empty column still has its (zero-high) bar, so a meeting day stays marked.
            if not value and (n or sum(column.values)):
                continue
            h = HEIGHT * value / top
            cls = "bar marked" if column.marked else "bar"
            cls += f" series-{name.lower()}" if name else ""
            rects.append(
                f'<rect class="{cls}" x="{x}" y="{round(HEIGHT - base - h, 2)}" '
                f'width="{round(max(width, 0.5), 2)}" height="{round(h, 2)}"></rect>'
            )
            base += h
        label = escape(f"{column.label}: {_articles(totals[i])}")
        # A bar's hover text; an empty column keeps a hit area so its zero can be read too.
        hit = (
            f'<rect class="hit" x="{round(i * slot, 2)}" y="0" width="{round(slot, 2)}" '
            f'height="{HEIGHT}"></rect>'
        )
        bars.append(f"<g><title>{label}</title>{hit}{''.join(rects)}</g>")
    half = top // 2 if top % 2 == 0 else None
    grid = "".join(
        f'<line class="grid" x1="0" y1="{y}" x2="{WIDTH}" y2="{y}" '
        f'vector-effect="non-scaling-stroke"></line>'
        for y in ([0, HEIGHT / 2] if half is not None else [0])
    )
    summary = escape(
        gettext(
            "%(title)s: %(articles)s in all, at most %(top)s in one bar, from %(first)s to "
            "%(last)s."
        )
        % {
            "title": title,
            "articles": _articles(sum(totals)),
            "top": number_format(max(totals)),
            "first": columns[0].label,
            "last": columns[-1].label,
        }
    )
    y_axis = (
        f'<span class="y-top">{number_format(top)}</span>'
        + (f'<span class="y-mid">{number_format(half)}</span>' if half is not None else "")
        + '<span class="y-zero">0</span>'
    )
    first, last = escape(columns[0].label), escape(columns[-1].label)
    x_axis = f"<span>{first}</span>" + (f"<span>{last}</span>" if len(columns) > 1 else "")
    return mark_safe(  # noqa: S308 - every text piece is escaped above
        f'<div class="chart{" " + key if key else ""}" role="img" aria-label="{summary}">'
        f'<div class="chart-y" aria-hidden="true">{y_axis}</div>'
        f'<svg class="chart-plot" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" '
        f'focusable="false">{grid}{"".join(bars)}'
        f'<line class="axis" x1="0" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}" '
        f'vector-effect="non-scaling-stroke"></line></svg>'
        f'<div class="chart-x{" single" if len(columns) == 1 else ""}" aria-hidden="true">'
        f"{x_axis}</div></div>"
    )


def _label(point: Any) -> str:
    label = getattr(point, "label", None)
    if label:
        return str(label)
    day = getattr(point, "day", None)
    if day is not None:
        return dateformat.format(day, "j M Y")
    return dateformat.format(point.month, "M Y")


@register.simple_tag
def bar_chart(points: Sequence[Any], title: str) -> SafeString:
    """A column chart of points with .count (and .marked, .day or .month)."""
    columns = [Column(_label(p), [p.count], bool(getattr(p, "marked", False))) for p in points]
    return chart_html(columns, title=title)


@register.simple_tag
def press_chart(coverage: PressCoverage, title: str) -> SafeString:
    """Articles per week (or month) stacked by press country: US, Mexico, Canada, other."""
    fmt = "j M Y" if coverage.per == "week" else "M Y"
    columns = [Column(dateformat.format(b.start, fmt), b.series()) for b in coverage.buckets]
    return chart_html(columns, title=title, series=SERIES, key="press")


LANE_HEIGHT = 26


def _day(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else gettext("today")


@register.simple_tag
def policy_lane(lane: Any) -> SafeString:
    """A policy's status lane as SVG: a band per status, a tick per meeting (each a link)."""
    parts = [f'<rect class="lane-track" x="0" y="4" width="{WIDTH}" height="16"></rect>']
    for seg in lane.segments:
        x, w = round(seg.left * WIDTH / 100, 1), round(max(seg.width * WIDTH / 100, 2), 1)
        label = escape(
            gettext("%(status)s: %(start)s to %(end)s")
            % {"status": seg.label, "start": _day(seg.start), "end": _day(seg.end)}
        )
        parts.append(
            f'<rect class="lane-band band-{seg.band}" x="{x}" y="4" width="{w}" height="16">'
            f"<title>{label}</title></rect>"
        )
    for meeting in lane.meetings:
        x = round(meeting.at * WIDTH / 100, 1)
        summit = meeting.summit
        label = escape(
            gettext("%(title)s (%(date)s): %(effect)s")
            % {"title": summit.title, "date": _day(summit.start_date), "effect": meeting.effect}
        )
        href = escape(reverse("summits:summit", args=[summit.slug]))
        parts.append(
            f'<a href="{href}"><title>{label}</title>'
            f'<path class="lane-meeting" d="M{x} 0 L{x + 5} 12 L{x} 24 L{x - 5} 12 Z"></path></a>'
        )
    summary = escape(
        gettext("Status of %(name)s over time, with the meetings that touched it")
        % {"name": lane.policy.local_name}
    )
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
