from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from summits.models import (
    Country,
    Official,
    OfficialAlias,
    Policy,
    PolicyAlias,
    PolicyEvent,
    RoleTenure,
    Summit,
    SummitParticipant,
)


class CuratedAdmin(admin.ModelAdmin):
    """An editor's change marks the record curated, so load_reference keeps it as edited."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(fs.has_changed() for fs in formsets)):
            type(form.instance).objects.filter(pk=form.instance.pk).update(curated=True)


@admin.register(Country)
class CountryAdmin(CuratedAdmin):
    list_display = ["name_en", "iso2", "iso3", "is_core", "curated"]
    list_filter = ["is_core"]
    search_fields = ["name_en", "name_es", "name_fr", "iso2", "iso3"]


class OfficialAliasInline(admin.TabularInline):
    model = OfficialAlias
    extra = 1


class RoleTenureInline(admin.TabularInline):
    model = RoleTenure
    extra = 1
    autocomplete_fields = ["country"]


@admin.register(Official)
class OfficialAdmin(CuratedAdmin):
    list_display = ["name", "country", "needs_review", "curated"]
    list_filter = ["needs_review", "country", "tenures__role"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]
    inlines = [OfficialAliasInline, RoleTenureInline]


class PolicyAliasInline(admin.TabularInline):
    model = PolicyAlias
    extra = 1


class PolicyEventInline(admin.TabularInline):
    model = PolicyEvent
    extra = 1


@admin.register(Policy)
class PolicyAdmin(CuratedAdmin):
    list_display = ["name", "needs_review", "curated"]
    list_filter = ["needs_review", "countries"]
    search_fields = ["name", "aliases__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["countries"]
    inlines = [PolicyAliasInline, PolicyEventInline]


class SummitParticipantInline(admin.TabularInline):
    model = SummitParticipant
    extra = 1
    autocomplete_fields = ["official"]


@admin.register(Summit)
class SummitAdmin(CuratedAdmin):
    list_display = ["title", "kind", "start_date", "city", "country", "needs_review", "curated"]
    list_filter = ["needs_review", "kind", "countries"]
    search_fields = ["title", "slug", "city"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["country", "countries", "policies"]
    inlines = [SummitParticipantInline]


@admin.register(RoleTenure)
class RoleTenureAdmin(admin.ModelAdmin):
    list_display = ["official", "office", "role", "country", "start", "end", "needs_review"]
    list_filter = ["role", "country", "needs_review"]
    search_fields = ["official__name", "office"]
    autocomplete_fields = ["official", "country"]
