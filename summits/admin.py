import re
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, When
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from summits.models import (
    Country,
    FormerSlug,
    Official,
    OfficialAlias,
    OfficialCitation,
    Policy,
    PolicyAlias,
    PolicyCitation,
    PolicyEvent,
    Recogniser,
    RoleTenure,
    Summit,
    SummitCitation,
    SummitParticipant,
    SummitPolicy,
)
from summits.slugs import slug_change_record

# A filter value the database's 64-bit integers cannot hold ("?participants=9223372036854775808")
# would fail inside the query; it is a bad filter, as the admin already treats other ones.
_WHOLE = re.compile(r"[+-]?[0-9]+")
_INT64 = 2**63 - 1


def _out_of_range(value: str) -> bool:
    for part in value.split(","):
        part = part.strip()
        if _WHOLE.fullmatch(part) is None:
            continue
        digits = part.lstrip("+-").lstrip("0")
        # Compared by length first: int() refuses strings of thousands of digits.
        if len(digits) > len(str(_INT64)) or (digits and int(digits) > _INT64):
            return True
    return False


class GuardedAdmin(admin.ModelAdmin):
    """Posting an action the user may not run is refused (403), not silently ignored; a
    filter value no database integer can hold is a bad filter, not a server error."""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        for name, values in request.GET.lists():
            if name != SEARCH_VAR and any(_out_of_range(v) for v in values):
                raise IncorrectLookupParameters(f"{name}: the number is too large")
        return super().get_changelist_instance(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        action = request.POST.get("action") if request.method == "POST" else None
        if action and action not in self.get_actions(request):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request):
            # A view-only user has nothing to post here (list_editable, actions).
            raise PermissionDenied
        return super().changelist_view(request, extra_context)


class NeedsReviewFilter(admin.SimpleListFilter):
    """Records with an uncertain fact: on the record itself or on one of its tenures."""

    title = "needs review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Needs review"), ("no", "Checked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        uncertain = Q(needs_review=True)
        if queryset.model is Official:
            uncertain |= Q(tenures__needs_review=True)
        if self.value() == "yes":
            return queryset.filter(uncertain).distinct()
        if self.value() == "no":
            return queryset.exclude(uncertain)
        return queryset


def _review_note(obj: Any) -> str:
    note = obj.review_note or ""
    return note if len(note) <= 80 else note[:79] + "…"


class CuratedAdmin(GuardedAdmin):
    """An editor's change marks the record curated, so load_reference keeps it as edited.

    A changed slug is remembered, so links to the old one are redirected to the new one.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        old_slug = form.initial.get("slug", "") if change else ""
        super().save_model(request, obj, form, change)
        if old_slug and "slug" in form.changed_data:
            slug_change_record(entity=obj, old_slug=old_slug)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(fs.has_changed() for fs in formsets)):
            type(form.instance).objects.filter(pk=form.instance.pk).update(curated=True)


class SlugHistoryAdmin(CuratedAdmin):
    """Shows, read-only, the slugs the record had before: links to them redirect here."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "former_slugs"]

    @admin.display(description="former slugs")
    def former_slugs(self, obj: Any) -> str:
        if obj is None or obj.pk is None:
            return "—"
        kind = type(obj)._meta.model_name
        rows = FormerSlug.objects.filter(kind=kind, object_id=obj.pk).order_by("changed_at")
        if not rows:
            return "None: the record has kept its slug."
        listed = format_html_join(
            ", ", "<code>{}</code> (until {})", ((r.slug, f"{r.changed_at:%Y-%m-%d}") for r in rows)
        )
        return format_html("{} — links to these redirect to the current slug.", listed)


@admin.register(Country)
class CountryAdmin(CuratedAdmin):
    list_display = ["name_en", "iso2", "iso3", "is_core", "curated"]
    list_filter = ["is_core"]
    search_fields = ["name_en", "name_es", "name_fr", "iso2", "iso3"]


class CitationInline(admin.TabularInline):
    extra = 1
    fields = ["url", "title", "publisher", "date", "kind"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a URL typed without a scheme is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class OfficialCitationInline(CitationInline):
    model = OfficialCitation


class PolicyCitationInline(CitationInline):
    model = PolicyCitation


class SummitCitationInline(CitationInline):
    model = SummitCitation


class OfficialAliasInline(admin.TabularInline):
    model = OfficialAlias
    extra = 1


class RoleTenureInline(admin.TabularInline):
    model = RoleTenure
    extra = 1
    autocomplete_fields = ["country"]


@admin.register(Official)
class OfficialAdmin(SlugHistoryAdmin):
    list_display = ["name", "country", "needs_review", "review_note_short", "curated"]
    list_filter = [NeedsReviewFilter, "country", "tenures__role", "curated"]
    list_select_related = ["country"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    inlines = [OfficialAliasInline, RoleTenureInline, OfficialCitationInline]

    @admin.display(description="review note")
    def review_note_short(self, obj: Official) -> str:
        return _review_note(obj)


class PolicyAliasInline(admin.TabularInline):
    model = PolicyAlias
    extra = 1


class PolicyEventInline(admin.TabularInline):
    model = PolicyEvent
    extra = 1


class RecogniserInline(admin.StackedInline):
    """Cue groups that refer to the policy or meeting by paraphrase (preview: Recognisers)."""

    model = Recogniser
    extra = 0
    fields = ["cues", "confidence", "valid_from", "valid_until", "note"]


@admin.register(Policy)
class PolicyAdmin(SlugHistoryAdmin):
    list_display = ["name", "needs_review", "review_note_short", "curated"]
    list_filter = [NeedsReviewFilter, "countries", "curated"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["countries"]
    inlines = [PolicyAliasInline, PolicyEventInline, PolicyCitationInline, RecogniserInline]

    @admin.display(description="review note")
    def review_note_short(self, obj: Policy) -> str:
        return _review_note(obj)


class SummitParticipantInline(admin.TabularInline):
    model = SummitParticipant
    extra = 1
    autocomplete_fields = ["official"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SummitParticipant]:
        return super().get_queryset(request).select_related("official")


class SummitPolicyInline(admin.TabularInline):
    model = SummitPolicy
    extra = 1
    autocomplete_fields = ["policy"]
    fields = ["policy", "effect"]


@admin.register(Summit)
class SummitAdmin(SlugHistoryAdmin):
    list_display = [
        "title",
        "kind",
        "status",
        "start_date",
        "date_precision",
        "city",
        "country",
        "needs_review",
        "review_note_short",
        "curated",
    ]
    list_filter = [NeedsReviewFilter, "kind", "status", "date_precision", "countries", "curated"]
    list_select_related = ["country"]
    search_fields = ["title", "slug", "city"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["country", "countries"]
    exclude = ["policies"]
    inlines = [SummitParticipantInline, SummitPolicyInline, SummitCitationInline, RecogniserInline]

    @admin.display(description="review note")
    def review_note_short(self, obj: Summit) -> str:
        return _review_note(obj)


@admin.register(RoleTenure)
class RoleTenureAdmin(GuardedAdmin):
    list_display = [
        "official",
        "office",
        "role",
        "country",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "needs_review",
    ]
    list_filter = ["role", "country", "needs_review"]
    list_select_related = ["official", "country"]
    search_fields = ["official__name", "office"]
    autocomplete_fields = ["official", "country"]


@admin.register(FormerSlug)
class FormerSlugAdmin(GuardedAdmin):
    """Old slugs and the record each redirects to. Written only by a slug change in the
    record's own admin; an entry may be deleted to stop its redirect."""

    list_display = ["slug", "kind", "record", "changed_at"]
    list_filter = ["kind"]
    search_fields = ["slug"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[FormerSlug]:
        # The record's name and current slug in the list's one query, whatever its kind.
        def of(model: Any, field: str) -> Any:
            return Subquery(model.objects.filter(pk=OuterRef("object_id")).values(field)[:1])

        return (
            super()
            .get_queryset(request)
            .annotate(
                record_name=Case(
                    When(kind="summit", then=of(Summit, "title")),
                    When(kind="official", then=of(Official, "name")),
                    When(kind="policy", then=of(Policy, "name")),
                ),
                record_slug=Case(
                    When(kind="summit", then=of(Summit, "slug")),
                    When(kind="official", then=of(Official, "slug")),
                    When(kind="policy", then=of(Policy, "slug")),
                ),
            )
        )

    @admin.display(description="redirects to")
    def record(self, obj: Any) -> str:
        if obj.record_name is None:
            return f"(deleted {obj.kind} #{obj.object_id})"
        try:
            url = reverse(f"admin:summits_{obj.kind}_change", args=[obj.object_id])
        except NoReverseMatch:
            return str(obj.record_name)
        return format_html(
            '<a href="{}">{}</a> (<code>{}</code>)', url, obj.record_name, obj.record_slug
        )
