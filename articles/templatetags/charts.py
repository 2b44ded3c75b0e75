"""Server-rendered SVG charts: no script, no inline style (the CSP forbids both).

Colours come from classes in static/css/site.css; sizes are SVG attributes.
"""

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

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
    """A bar's label in the language of the page: "18 Nov 2021" for a day, "November 2021"."""
    label = getattr(point, "label", None)
    if label:
        return str(label)
    day = getattr(point, "day", None)
    if day:
        return date_format(day, "SHORT_DATE_FORMAT")
    return date_format(point.month, "YEAR_MONTH_FORMAT")


def _articles(n: int) -> str:
    return ngettext("%(count)s article", "%(count)s articles", n) % {
        "count": number_format(n, force_grouping=True)
    }


@register.simple_tag
def bar_chart(points: Sequence[Any], title: str) -> SafeString:
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
        label = escape(f"{_label(point)}: {_articles(point.count)}")
        bars.append(
            f'<rect class="{cls}" x="{round(i * step, 2)}" y="{round(plot - h, 1)}" '
            f'width="{max(round(step - gap, 2), 0.5)}" height="{h}"><title>{label}</title></rect>'
        )
    first, last = escape(_label(points[0])), escape(_label(points[-1]))
    total = sum(p.count for p in points)
    summary = escape(
        gettext("%(title)s: %(articles)s in all, at most %(top)s in one bar.")
        % {
            "title": title,
            "articles": _articles(total),
            "top": number_format(top, force_grouping=True),
        }
    )
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
