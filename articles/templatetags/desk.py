"""The editors' desk counts on the admin home."""

from typing import Any

from django import template

from articles.reading.desk import DeskCount, desk_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_home_counts(context: dict[str, Any]) -> list[DeskCount]:
    return desk_counts(user=context["request"].user)
