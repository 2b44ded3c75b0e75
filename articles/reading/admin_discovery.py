"""The discovery queue: meetings, people and aliases the news names and the knowledge base
lacks, each with its evidence, for an editor to confirm, merge or dismiss.

A decision that changes the knowledge base re-tags the candidate's articles in the background
(a RetagRun, the same receipt as an alias change), from `_retag` alone.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from articles.ingestion.tasks import retag_run_queue
from articles.models import CandidateKind, CandidateStatus, DiscoveryCandidate
from articles.reading.alias_review import _all_names as all_names
from articles.reading.alias_review import alias_warnings, entity_names, retag_run_create
from articles.reading.filters import whole_number
from articles.tagging.discovery import candidates_open
from articles.tagging.discovery_decisions import (
    candidate_confirm,
    candidate_dismiss,
    candidate_merge,
)
from summits.admin import GuardedAdmin
from summits.models import Country, Official

DECISIONS = ("confirm", "merge", "dismiss")
CANDIDATE_FIELDS = (
    "kind",
    "status",
    "name",
    "title_seen",
    "countries_shown",
    "when",
    "article_count",
    "official",
    "summit",
    "decided_by",
    "decided_at",
)


class OpenFilter(admin.SimpleListFilter):
    """Open candidates with enough articles (the queue) by default; decided ones on request."""

    title = "status"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("all", "All"), *((s.value, s.label) for s in CandidateStatus)]

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open, enough articles",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset.filter(candidates_open())
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS])
    official = forms.ModelChoiceField(queryset=Official.objects.order_by("name"), required=False)
    country = forms.ModelChoiceField(queryset=Country.objects.all(), required=False)


@admin.register(DiscoveryCandidate)
class DiscoveryCandidateAdmin(GuardedAdmin):
    list_display = ["name", "kind", "when", "countries_shown", "articles_shown", "first_evidence"]
    list_filter = [OpenFilter, "kind"]
    search_fields = ["name"]
    list_per_page = 50
    fields = CANDIDATE_FIELDS  # type: ignore[assignment]
    readonly_fields = CANDIDATE_FIELDS
    change_form_template = "admin/articles/discoverycandidate/change_form.html"
    actions = ["dismiss_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="countries")
    def countries_shown(self, obj: DiscoveryCandidate) -> str:
        return ", ".join(obj.countries) or "-"

    @admin.display(description="articles", ordering="article_count")
    def articles_shown(self, obj: DiscoveryCandidate) -> int:
        return obj.article_count

    @admin.display(description="when", ordering="meeting_date")
    def when(self, obj: DiscoveryCandidate) -> str:
        span = f"{obj.first_date} to {obj.last_date}" if obj.first_date != obj.last_date else ""
        if obj.kind == CandidateKind.MEETING and obj.meeting_date:
            return f"{obj.meeting_date}" + (f" (articles {span})" if span else "")
        return span or str(obj.first_date or "-")

    @admin.display(description="evidence")
    def first_evidence(self, obj: DiscoveryCandidate) -> str:
        if not obj.evidence:
            return "-"
        sentence = str(obj.evidence[0]["sentence"])
        return sentence if len(sentence) <= 220 else sentence[:219] + "…"

    @admin.action(description="Dismiss the selected candidates", permissions=["change"])
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = 0
        for candidate in queryset.filter(status=CandidateStatus.OPEN):
            candidate_dismiss(candidate=candidate, user=request.user)
            done += 1
        self.message_user(request, f"{done} candidate(s) dismissed.", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<str:object_id>/decide/", decide, name="articles_discoverycandidate_decide"),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        pk = whole_number(object_id)
        candidate = DiscoveryCandidate.objects.filter(pk=pk).first() if pk else None
        context: dict[str, Any] = {**(extra_context or {})}
        if candidate is not None:
            context["candidate"] = candidate
            context["evidence"] = candidate.evidence
            context["may_decide"] = (
                self.has_change_permission(request, candidate)
                and candidate.status == CandidateStatus.OPEN
            )
            context["officials"] = Official.objects.order_by("name").only("pk", "name")
            context["countries"] = Country.objects.all()
            if candidate.kind != CandidateKind.MEETING:
                target = candidate.official
                context["warnings"] = alias_warnings(
                    alias=candidate.name, entity=target, names=all_names()
                )
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_discoverycandidate_changelist"))
        pk = whole_number(object_id)
        candidate = get_object_or_404(DiscoveryCandidate, pk=pk or 0)
        if not self.has_change_permission(request, candidate):
            raise PermissionDenied
        here = reverse("admin:articles_discoverycandidate_change", args=[candidate.pk])
        form = DecisionForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Choose confirm, merge or dismiss.", messages.ERROR)
            return HttpResponseRedirect(here)
        decision = form.cleaned_data["decision"]
        try:
            record = self._decide(request, candidate, decision, form.cleaned_data)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(here)
        if record is None:
            self.message_user(request, f"Dismissed “{candidate.name}”.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_discoverycandidate_changelist"))
        run_id, count = self._retag(request, candidate, record)
        opts = record._meta
        self.message_user(
            request,
            format_html(
                '{} “{}”: <a href="{}">check and complete the record</a>. Re-tagging {} '
                'article(s) in the background: <a href="{}">see what changed</a>.',
                "Added" if decision == "confirm" else "Merged into",
                record,
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]),
                count,
                reverse("admin:articles_retagrun_change", args=[run_id]),
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_discoverycandidate_changelist"))

    def _decide(
        self, request: HttpRequest, candidate: DiscoveryCandidate, decision: str, data: Any
    ) -> Model | None:
        if decision == "dismiss":
            candidate_dismiss(candidate=candidate, user=request.user)
            return None
        if decision == "merge":
            if data["official"] is None:
                raise ValidationError("Pick the official this name belongs to.")
            return candidate_merge(
                candidate=candidate, official=data["official"], user=request.user
            )
        return candidate_confirm(candidate=candidate, user=request.user, country=data["country"])

    def _retag(
        self, request: HttpRequest, candidate: DiscoveryCandidate, record: Model
    ) -> tuple[int, int]:
        """Re-tag in the background the articles the new record may touch: those with its
        names, and the candidate's own evidence."""
        run = retag_run_create(
            entity=record,
            names=[*entity_names(record), candidate.name],
            reason=f"Discovery: {candidate.get_kind_display().lower()} “{candidate.name}”",
            user=request.user,
        )
        evidence = candidate.articles.values_list("pk", flat=True)
        missing = [pk for pk in evidence if pk not in set(run.article_ids)]
        if missing:
            run.article_ids = [*missing, *run.article_ids]
            run.save(update_fields=["article_ids"])
        retag_run_queue(run_id=run.pk)
        return run.pk, len(run.article_ids)
