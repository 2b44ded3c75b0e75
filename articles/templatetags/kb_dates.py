"""Dates of the knowledge base as exactly as they are known, in the language of the page:
"June 2023", "about 23 June 2023", "junio de 2023", "vers le 23 juin 2023"."""

from datetime import date

from django import template

from summits.dates import DatePrecision, format_date, format_span, iso_date, local_words
from summits.models import Summit

register = template.Library()


@register.filter
def precise_date(on: date | None, precision: str = DatePrecision.DAY) -> str:
    """{{ tenure.start|precise_date:tenure.start_precision }}"""
    return format_date(on, precision or DatePrecision.DAY, local_words())


@register.filter
def precise_iso(on: date | None, precision: str = DatePrecision.DAY) -> str:
    """A <time datetime> value that claims no more than is known: 2023-06 for a month."""
    return iso_date(on, precision or DatePrecision.DAY)


@register.simple_tag
def meeting_dates(summit: Summit) -> str:
    """A meeting's dates: "9-10 January 2023" (en dash), "April 2024", "about 21 December 2023"."""
    return format_span(summit.start_date, summit.end_date, summit.date_precision, local_words())
