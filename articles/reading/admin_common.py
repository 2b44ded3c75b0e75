"""Pieces every editors' admin module shares."""

from django.contrib.admin.options import ShowFacets
from django.utils.text import Truncator

from articles.models import MentionStatus
from articles.reading.admin_filters import EstimatedCountPaginator
from summits.admin import GuardedAdmin

ENTITY_FIELDS = ("country", "official", "policy", "summit")


class BigListAdmin(GuardedAdmin):
    """Lists that grow with ingestion: no whole-table counts, no facet counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER


def short(text: str, length: int = 120) -> str:
    return Truncator(text or "").chars(length)


def status_label(status: str) -> str:
    return str(MentionStatus(status).label)
