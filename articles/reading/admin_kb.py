"""The knowledge base's admin, as editors use it beside the articles.

The summits app's admin classes are extended here (the reading part sits above both): a
change of names (a name, an alias) is reviewed before it is saved (see alias_review.py),
saving an official, policy, summit or country re-tags the stored articles it could touch in
the background, each record links to its public page, and the slug comes last.
"""

from copy import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, construct_instance
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.models import RetagRun, RetagStatus
from articles.reading.admin_common import NameListField, retag_run_start
from articles.reading.alias_review import (
    ALIAS_MODELS,
    CONFIRM_FIELD,
    AliasReview,
    entity_names,
    names_review,
    retag_run_create,
)
from articles.reading.filters import whole_number
from summits import admin as kb_admin
from summits.models import Country, Official, OfficialAlias, Policy, PolicyAlias, Summit

ASK_TO_CONFIRM = (
    "Check what this change of names would do (below), then tick “Save anyway” and save again."
)


class AliasFormSet(BaseInlineFormSet):
    """The aliases of an official or policy: a change is reviewed and confirmed first."""

    alias_review: AliasReview | None = None

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        entity = self.instance
        alias_model, parent = ALIAS_MODELS[type(entity)]
        stored = entity_names(type(entity).objects.get(pk=entity.pk)) if entity.pk else []
        kept = [
            form.cleaned_data["name"]
            for form in self.forms
            if form.cleaned_data.get("name") and not form.cleaned_data.get("DELETE")
        ]
        # The parent form has put the edited name on the instance by now.
        after = [entity.name, *kept]

        def apply() -> None:
            adding = entity.pk is None
            entity.save()
            alias_model._default_manager.filter(**{parent: entity}).delete()
            alias_model._default_manager.bulk_create(
                alias_model(**{parent: entity, "name": n}) for n in set(kept)
            )
            if adding:  # the preview is rolled back: the entity is still unsaved
                entity.pk = entity.id = None
                entity._state.adding = True

        review = names_review(entity=entity, before=stored, after=after, apply=apply)
        if review is not None:
            self.alias_review = review
            if not review.confirmed(self.data):
                raise ValidationError(ASK_TO_CONFIRM)


class ReviewedAliasInline(admin.TabularInline):
    formset = AliasFormSet
    extra = 1


class OfficialAliasInline(ReviewedAliasInline):
    model = OfficialAlias


class PolicyAliasInline(ReviewedAliasInline):
    model = PolicyAlias


class AliasListForm(forms.ModelForm):
    """Summits and countries keep their aliases in a list: edited one per line, reviewed."""

    aliases = NameListField(required=False, help_text="One name per line.")
    alias_review: AliasReview | None = None
    name_field = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        stored = (
            entity_names(type(self.instance).objects.get(pk=self.instance.pk))
            if (self.instance.pk)
            else []
        )
        trial = construct_instance(self, copy(self.instance))
        adding = trial.pk is None

        def apply() -> None:
            trial.save()
            if adding:
                trial.pk = None

        review = names_review(
            entity=self.instance if self.instance.pk else None,
            before=stored,
            after=entity_names(trial),
            apply=apply,
        )
        if review is not None:
            self.alias_review = review
            if not review.confirmed(self.data):
                self.add_error("aliases", ASK_TO_CONFIRM)
        return data


class ReviewedNamesAdmin(kb_admin.CuratedAdmin):
    """Names reviewed before saving, background re-tagging after, public page, slug last."""

    public_url = ""  # the URL name of the record's public page

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if "slug" in fields:  # a technical field: below what editors read and change
            fields.remove("slug")
            fields.append("slug")
        return fields

    def view_on_site(self, obj: Any) -> str:  # type: ignore[override]
        key = obj.iso2 if isinstance(obj, Country) else obj.slug
        return reverse(self.public_url, args=[key])

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        adminform = context.get("adminform")
        form = adminform.form if adminform is not None else None
        reviews = [getattr(form, "alias_review", None)] + [
            getattr(f.formset, "alias_review", None)
            for f in context.get("inline_admin_formsets", [])
        ]
        context["alias_review"] = next((r for r in reviews if r is not None), None)
        context["confirm_field"] = CONFIRM_FIELD
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and not (form.has_changed() or any(fs.has_changed() for fs in formsets)):
            return
        entity = form.instance
        reviews = [getattr(form, "alias_review", None)] + [
            getattr(fs, "alias_review", None) for fs in formsets
        ]
        removed = [name for r in reviews if r is not None for name in r.removed]
        what = type(entity)._meta.verbose_name
        run = retag_run_create(
            entity=entity,
            names=[*entity_names(entity), *removed],
            reason=f"{'Changed' if change else 'Added'} {what} “{entity}”",
            user=request.user,
        )
        retag_run_start(self, request, run)


def _with_reviewed_aliases(inlines: Any, plain: Any, reviewed: Any) -> list[Any]:
    return [reviewed if inline is plain else inline for inline in inlines]


class OfficialAdmin(ReviewedNamesAdmin, kb_admin.OfficialAdmin):
    public_url = "summits:official"
    inlines = _with_reviewed_aliases(
        kb_admin.OfficialAdmin.inlines, kb_admin.OfficialAliasInline, OfficialAliasInline
    )


class PolicyAdmin(ReviewedNamesAdmin, kb_admin.PolicyAdmin):
    public_url = "summits:policy"
    inlines = _with_reviewed_aliases(
        kb_admin.PolicyAdmin.inlines, kb_admin.PolicyAliasInline, PolicyAliasInline
    )


class SummitForm(AliasListForm):
    class Meta:
        model = Summit
        fields = "__all__"  # noqa: DJ007 - the admin's own fields and exclude narrow it


class SummitAdmin(ReviewedNamesAdmin, kb_admin.SummitAdmin):
    public_url = "summits:summit"
    form = SummitForm


class CountryForm(AliasListForm):
    demonyms_en = NameListField(required=False, help_text="One per line.")
    demonyms_es = NameListField(required=False, help_text="One per line.")
    demonyms_fr = NameListField(required=False, help_text="One per line.")

    class Meta:
        model = Country
        fields = "__all__"  # noqa: DJ007 - the admin's own fields and exclude narrow it


class CountryAdmin(ReviewedNamesAdmin, kb_admin.CountryAdmin):
    public_url = "summits:country"
    form = CountryForm


for _model, _admin in (
    (Official, OfficialAdmin),
    (Policy, PolicyAdmin),
    (Summit, SummitAdmin),
    (Country, CountryAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin)


RUN_FIELDS: list[str] = [
    "reason",
    "requested_by",
    "requested_at",
    "status",
    "progress",
    "articles_changed",
    "tags_added",
    "tags_removed",
    "changed_examples",
    "started_at",
    "finished_at",
    "error",
]


@admin.register(RetagRun)
class RetagRunAdmin(admin.ModelAdmin):
    """The editor's receipt for a change: what re-tagging the stored articles changed."""

    list_display = [
        "requested_at",
        "reason",
        "requested_by",
        "status",
        "progress",
        "articles_changed",
        "tags_added",
        "tags_removed",
    ]
    list_filter = ["status"]
    fields = RUN_FIELDS  # type: ignore[assignment]
    readonly_fields = RUN_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Whoever may read the tags may read what a change did to them.
        return request.user.has_perm("articles.view_mention")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description="articles re-tagged")
    def progress(self, obj: RetagRun) -> str:
        return f"{obj.checked:,} of {len(obj.article_ids):,}"

    @admin.display(description="examples")
    def changed_examples(self, obj: RetagRun) -> str:
        if not obj.examples:
            return "-"
        return format_html(
            '<ul class="desk-copies">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a>: {}{}</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[e["id"]]),
                        e["title"],
                        "+ " + ", ".join(e["added"]) + " " if e["added"] else "",
                        "\u2212 " + ", ".join(e["removed"]) if e["removed"] else "",
                    )
                    for e in obj.examples
                ),
            ),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # An id that is not a number is Django's "does not exist", not a crash here.
        run_id = whole_number(object_id)
        run = RetagRun.objects.filter(pk=run_id).only("status").first() if run_id else None
        waiting = run is not None and run.status in (RetagStatus.QUEUED, RetagStatus.RUNNING)
        return super().change_view(
            request,
            object_id,
            form_url,
            {"refresh_seconds": 3 if waiting else 0, **(extra_context or {})},
        )
