"""Dates known to the day, the month, the year or roughly: their window and their wording."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summits.dates import (
    APPROXIMATE_DAYS,
    DatePrecision,
    date_window,
    format_date,
    format_span,
    span_window,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
precisions = st.sampled_from(DatePrecision.values)


@given(on=days, precision=precisions)
def test_the_window_holds_the_date_and_is_widest_for_the_coarsest_precision(on, precision):
    first, last = date_window(on=on, precision=precision)
    assert first <= on <= last
    width = (last - first).days + 1
    assert (
        width
        == {
            DatePrecision.DAY: 1,
            DatePrecision.APPROXIMATE: 2 * APPROXIMATE_DAYS + 1,
            DatePrecision.MONTH: width if 28 <= width <= 31 else -1,
            DatePrecision.YEAR: width if width in (365, 366) else -1,
        }[precision]
    )


@given(on=days)
def test_a_month_window_is_the_whole_calendar_month(on):
    first, last = date_window(on=on, precision=DatePrecision.MONTH)
    assert (first.year, first.month, first.day) == (on.year, on.month, 1)
    assert (last.year, last.month) == (on.year, on.month)
    assert date.fromordinal(last.toordinal() + 1).day == 1


@given(a=days, b=days, precision=precisions)
def test_a_span_window_runs_from_the_first_days_window_to_the_last_days(a, b, precision):
    start, end = min(a, b), max(a, b)
    window = span_window(start=start, end=end, precision=precision)
    assert window.first == date_window(on=start, precision=precision).first
    assert window.last == date_window(on=end, precision=precision).last


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="'week' is not a date precision"):
        date_window(on=date(2024, 1, 1), precision="week")


@pytest.mark.parametrize(
    ("precision", "text"),
    [
        ("day", "23 June 2023"),
        ("month", "June 2023"),
        ("year", "2023"),
        ("approximate", "about 23 June 2023"),
    ],
)
def test_a_date_is_written_as_exactly_as_it_is_known(precision, text):
    assert format_date(date(2023, 6, 23), precision) == text


@pytest.mark.parametrize(
    ("start", "end", "precision", "text"),
    [
        (date(2023, 1, 9), date(2023, 1, 10), "day", "9\u201310 January 2023"),
        (date(2024, 6, 30), date(2024, 7, 2), "day", "30 June \u2013 2 July 2024"),
        (date(2024, 12, 30), date(2025, 1, 2), "day", "30 December 2024 \u2013 2 January 2025"),
        (date(2024, 6, 1), date(2024, 6, 1), "month", "June 2024"),
        (date(2024, 2, 5), date(2024, 2, 6), "approximate", "about 5\u20136 February 2024"),
        (date(2025, 3, 28), date(2025, 3, 28), "day", "28 March 2025"),
    ],
)
def test_a_meeting_span_is_written_once_per_shared_month_and_year(start, end, precision, text):
    assert format_span(start, end, precision) == text


def test_no_date_is_written_as_nothing():
    assert format_date(None) == ""
