"""Pieces every editors' admin module shares."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles.ingestion.tasks import retag_run_queue
from articles.models import MentionStatus, RetagRun
from articles.reading.admin_filters import EstimatedCountPaginator
from summits.admin import GuardedAdmin

ENTITY_FIELDS = ("country", "official", "policy", "summit")


def retag_run_start(model_admin: admin.ModelAdmin, request: HttpRequest, run: RetagRun) -> None:
    """Queue a knowledge-base change's re-tag and tell the editor where to see its result."""
    retag_run_queue(run_id=run.pk)
    model_admin.message_user(
        request,
        format_html(
            'Re-tagging {} stored article(s) in the background: <a href="{}">see what changed</a>.',
            len(run.article_ids),
            reverse("admin:articles_retagrun_change", args=[run.pk]),
        ),
        messages.INFO,
    )


class BigListAdmin(GuardedAdmin):
    """Lists that grow with ingestion: no whole-table counts, no facet counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    # Fifty rows a page: rendering a row costs more than finding it (bench/bench_admin.py).
    list_per_page = 50


def short(text: str, length: int = 120) -> str:
    return Truncator(text or "").chars(length)


def status_label(status: str) -> str:
    return str(MentionStatus(status).label)


class NameListField(forms.CharField):
    """A list of names edited one per line (stored as a JSON list)."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "desk-lines"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        names = [" ".join(line.split()) for line in str(text).splitlines()]
        return list(dict.fromkeys(name for name in names if name))

    def validate(self, value: Any) -> None:
        super().validate(value)
        for name in value:
            if len(name) > 200:
                raise ValidationError(f"“{name[:40]}…” is too long for a name (200 at most).")
