"""Dates known only to the month, the year or roughly: their window and how to write them.

A date stored with a precision coarser than the day is a placeholder inside that window
(the first of the month, 1 January, the best guess); readers must not treat it as the day.
"""

import calendar
from datetime import date, timedelta
from typing import NamedTuple

from django.db import models
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")
    APPROXIMATE = "approximate", _("About this day")


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class DateWords(NamedTuple):
    """How a language writes a date: month names and the order of the parts."""

    months: tuple[str, ...]
    day_month_year: str = "{day} {month} {year}"
    month_year: str = "{month} {year}"
    day_month: str = "{day} {month}"
    about: str = "about {date}"


# Exports and other data files always write dates in English; pages use local_words().
ENGLISH = DateWords(MONTHS)


def local_words() -> DateWords:
    """The words of the active language (a Spanish page: "23 de junio de 2023")."""
    return DateWords(
        months=tuple(str(MONTH_NAMES[n]) for n in range(1, 13)),
        # Translators: a date: {day} {month} {year} are kept as they are, in the order needed.
        day_month_year=gettext("{day} {month} {year}"),
        month_year=gettext("{month} {year}"),
        day_month=gettext("{day} {month}"),
        # Translators: a date known only roughly, "about 23 June 2023".
        about=gettext("about {date}"),
    )


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


def format_date(
    on: date | None, precision: str = DatePrecision.DAY, words: DateWords = ENGLISH
) -> str:
    """'23 June 2023', 'June 2023', '2023' or 'about 23 June 2023'; '' for no date."""
    if on is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(on.year)
    month = words.months[on.month - 1]
    if precision == DatePrecision.MONTH:
        return words.month_year.format(month=month, year=on.year)
    day = words.day_month_year.format(day=on.day, month=month, year=on.year)
    return words.about.format(date=day) if precision == DatePrecision.APPROXIMATE else day


def iso_date(on: date | None, precision: str = DatePrecision.DAY) -> str:
    """The date as exactly as it is known, in ISO form: 2023-06-23, 2023-06 or 2023."""
    if on is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{on.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{on.year:04d}-{on.month:02d}"
    return on.isoformat()


def format_span(
    start: date,
    end: date | None,
    precision: str = DatePrecision.DAY,
    words: DateWords = ENGLISH,
) -> str:
    """A meeting's dates: '9-10 January 2023' (an en dash), '30 June - 2 July 2024', 'June 2024'."""
    if end is None or end == start or precision in (DatePrecision.MONTH, DatePrecision.YEAR):
        return format_date(start, precision, words)
    last = format_date(end, DatePrecision.DAY, words)
    if (start.year, start.month) == (end.year, end.month):
        span = f"{start.day}{DASH}{last}"
    elif start.year == end.year:
        first = words.day_month.format(day=start.day, month=words.months[start.month - 1])
        span = f"{first} {DASH} {last}"
    else:
        span = f"{format_date(start, DatePrecision.DAY, words)} {DASH} {last}"
    return words.about.format(date=span) if precision == DatePrecision.APPROXIMATE else span
