"""Dates known only to the month, the year or roughly: their window and how to write them.

A date stored with a precision coarser than the day is a placeholder inside that window
(the first of the month, 1 January, the best guess); readers must not treat it as the day.
"""

import calendar
from datetime import date, timedelta
from typing import NamedTuple

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"
    APPROXIMATE = "approximate", "About this day"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

DASH = "\u2013"  # an en dash between the first and last day

# "About 23 June" covers a week either side: sources say "about ten days later", "mid-June".
APPROXIMATE_DAYS = 7


class DateWindow(NamedTuple):
    first: date
    last: date


def date_window(*, on: date, precision: str) -> DateWindow:
    """The first and last day a date of this precision may stand for."""
    if precision == DatePrecision.MONTH:
        last_day = calendar.monthrange(on.year, on.month)[1]
        return DateWindow(on.replace(day=1), on.replace(day=last_day))
    if precision == DatePrecision.YEAR:
        return DateWindow(date(on.year, 1, 1), date(on.year, 12, 31))
    if precision == DatePrecision.APPROXIMATE:
        margin = timedelta(days=APPROXIMATE_DAYS)
        return DateWindow(on - margin, on + margin)
    if precision == DatePrecision.DAY:
        return DateWindow(on, on)
    raise ValueError(f"{precision!r} is not a date precision")


def span_window(*, start: date, end: date, precision: str) -> DateWindow:
    """The window of a span whose two ends share one precision (a meeting's days)."""
    return DateWindow(
        date_window(on=start, precision=precision).first,
        date_window(on=end, precision=precision).last,
    )


def format_date(on: date | None, precision: str = DatePrecision.DAY) -> str:
    """'23 June 2023', 'June 2023', '2023' or 'about 23 June 2023'; '' for no date."""
    if on is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(on.year)
    month_year = f"{MONTHS[on.month - 1]} {on.year}"
    if precision == DatePrecision.MONTH:
        return month_year
    day = f"{on.day} {month_year}"
    return f"about {day}" if precision == DatePrecision.APPROXIMATE else day


def iso_date(on: date | None, precision: str = DatePrecision.DAY) -> str:
    """The date as exactly as it is known, in ISO form: 2023-06-23, 2023-06 or 2023."""
    if on is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{on.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{on.year:04d}-{on.month:02d}"
    return on.isoformat()


def format_span(start: date, end: date | None, precision: str = DatePrecision.DAY) -> str:
    """A meeting's dates: '9-10 January 2023' (an en dash), '30 June - 2 July 2024', 'June 2024'."""
    if end is None or end == start or precision in (DatePrecision.MONTH, DatePrecision.YEAR):
        return format_date(start, precision)
    about = "about " if precision == DatePrecision.APPROXIMATE else ""
    last = format_date(end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{about}{start.day}{DASH}{last}"
    if start.year == end.year:
        return f"{about}{start.day} {MONTHS[start.month - 1]} {DASH} {last}"
    return f"{about}{format_date(start)} {DASH} {last}"
