"""Recognisers in admin: edit a policy's or meeting's cue groups, and preview a change on the
stored articles before saving it."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from articles.reading.admin_common import retag_run_start
from articles.tagging.kb_change import affected_articles, retag_run_create, tagging_preview
from summits.admin import GuardedAdmin
from summits.models import Recogniser

PREVIEW_ARTICLES = 2000


@admin.register(Recogniser)
class RecogniserAdmin(GuardedAdmin):
    list_display = ["__str__", "policy", "summit", "confidence", "valid_from", "valid_until"]
    list_select_related = ["policy", "summit"]
    list_filter = ["curated"]
    search_fields = ["cues", "note", "policy__name", "summit__title"]
    autocomplete_fields = ["policy", "summit"]
    fields = ["policy", "summit", "cues", "confidence", "valid_from", "valid_until", "note"]
    change_form_template = "admin/summits/recogniser/change_form.html"

    def save_model(self, request: HttpRequest, obj: Recogniser, form: Any, change: bool) -> None:
        obj.curated = True  # load_reference keeps an editor's recogniser as edited
        super().save_model(request, obj, form, change)
        # The articles it may now tag (or no longer tag) are re-tagged in the background.
        ids = list(
            affected_articles(policy=obj.policy, summit=obj.summit).values_list("pk", flat=True)
        )
        run = retag_run_create(
            article_ids=ids,
            reason=f"{'Changed' if change else 'Added'} recogniser “{obj}”",
            user=request.user,
        )
        retag_run_start(self, request, run)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and "_preview" in request.POST:
            return self.preview_view(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_view(self, request: HttpRequest, object_id: str | None) -> HttpResponse:
        """What the recogniser as edited would newly tag and untag; nothing is saved."""
        obj = self.get_object(request, object_id) if object_id else None
        if not (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        ):
            raise PermissionDenied
        form = self.get_form(request, obj)(request.POST, instance=obj)
        preview = None
        if form.is_valid():
            preview = tagging_preview(apply=form.save, limit=PREVIEW_ARTICLES)
        hidden = [
            (key, value)
            for key, values in request.POST.lists()
            if key not in ("csrfmiddlewaretoken", "_preview")
            for value in values
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview a recogniser",
            "opts": self.opts,
            "original": obj,
            "form": form,
            "preview": preview,
            "hidden": hidden,
            "articles": PREVIEW_ARTICLES,
        }
        return TemplateResponse(request, "admin/summits/recogniser/preview.html", context)
