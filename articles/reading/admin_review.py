"""The review queue: one row per uncertain auto-tag, laid out for reading and quick decisions.

Each row shows the entity with its role on the article's date, the evidence sentence with the
entity's words marked, and the article's title, date and outlet. Approve and Reject post
without script and come back to the same filters and page; review-keys.js adds keyboard
shortcuts on top (self-hosted, under the admin's script-src 'self').
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from articles.models import Article, Mention, MentionReview, MentionStatus, ReviewStatus
from articles.reading.admin_common import ENTITY_FIELDS, BigListAdmin, short, status_label
from articles.reading.admin_filters import (
    ArticleTextFilter,
    ConfidenceBandFilter,
    EstimatedCountPaginator,
    TagEntityFilter,
    TagLanguageFilter,
    TagSourceFilter,
)
from articles.reading.desk import TagContext, summits_suggested, tag_contexts
from articles.tagging.review import (
    articles_link_summit,
    articles_mark,
    mentions_review,
    review_queue,
    review_threshold,
    sampled_precision,
)
from summits.models import Summit

# The query string of the list a row button was pressed on, carried in the list's form.
RETURN_FIELD = "return_query"


class SummitChoiceForm(forms.Form):
    summit = forms.ModelChoiceField(
        queryset=Summit.objects.all(),
        label="Summit",
        help_text="Suggested first: nearest in date to these articles, then sharing the "
        "officials and countries they mention.",
    )

    def __init__(self, *args: Any, article_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = summits_suggested(article_ids=article_ids)
        top = self.suggestions[:8]
        rest = sorted(self.suggestions[8:], key=lambda s: s.summit.start_date, reverse=True)
        field = self.fields["summit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.choices = [
            ("", "Choose a summit…"),
            ("Suggested", [(s.summit.pk, f"{s.summit} — {s.reason}") for s in top]),
            ("All other summits, newest first", [(s.summit.pk, str(s.summit)) for s in rest]),
        ]


class QueuePaginator(EstimatedCountPaginator):
    # Twenty pages of fifty: nobody reviews further without a filter.
    COUNT_CAP = 1_000


class ReviewChangeList(ChangeList):
    """Reads the role and marked evidence of the page's rows in one batch."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        contexts = tag_contexts(list(self.result_list))
        for mention in self.result_list:
            mention.desk = contexts[mention.pk]


@admin.register(MentionReview)
class MentionReviewAdmin(BigListAdmin):
    """Auto-tags below the confidence threshold, newest first, for quick decisions."""

    list_display = ["tag_cell", "evidence_cell", "decide"]
    list_display_links = None
    list_filter = [
        "kind",
        TagEntityFilter,
        TagSourceFilter,
        TagLanguageFilter,
        ConfidenceBandFilter,
        ArticleTextFilter,
    ]
    search_fields = ["article__title", "evidence"]
    list_select_related = ["article", "article__source", *ENTITY_FIELDS]
    actions = ["approve", "reject", "link_to_summit", "mark_not_relevant"]
    list_per_page = 50
    paginator = QueuePaginator
    ordering = ["-created_at", "-pk"]  # newest first; the list would otherwise use Meta's

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        # The rows show the article's title, date and outlet, never its text.
        return review_queue(mentions=super().get_queryset(request)).defer(
            "article__body", "article__summary", "article__earlier_titles"
        )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReviewChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_list_display(self, request: HttpRequest) -> list[str | Callable[[Any], str | bool]]:
        columns = list(super().get_list_display(request))
        if not self.has_change_permission(request):
            columns.remove("decide")
        return columns

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {
            "title": f"Review queue: auto-tags below {review_threshold():.0%} confidence, "
            f"and a random {settings.TRACKER_REVIEW_SAMPLE:.0%} of those above",
            "sampled_precision": sampled_precision(),
            "return_field": RETURN_FIELD,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # One place to edit a mention and read its history: the mention's own page.
        return HttpResponseRedirect(reverse("admin:articles_mention_change", args=[object_id]))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:articles_mention_history", args=[object_id]))

    def get_urls(self) -> list[URLPattern]:
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:pk>/decide/<str:status>/", decide, name="articles_mentionreview_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int, status: str) -> HttpResponse:
        """One row's Approve or Reject button; back to the same filters and page."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        if status not in (MentionStatus.APPROVED, MentionStatus.REJECTED):
            raise PermissionDenied
        mention = get_object_or_404(Mention, pk=pk)
        changed = mentions_review(
            mentions=[mention], status=status, user=request.user, via="review queue"
        )
        word = status_label(status).lower()
        if changed:
            self.message_user(request, f"{word.capitalize()}: {mention}.")
        else:
            self.message_user(request, f"Already {word}: {mention}.", messages.WARNING)
        # Only the list's own parameters come back: a query string, never another address.
        query = QueryDict(request.POST.get(RETURN_FIELD, "")).urlencode()
        url = reverse("admin:articles_mentionreview_changelist")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    @admin.display(description="tag")
    def tag_cell(self, obj: Mention) -> str:
        desk: TagContext = obj.desk  # type: ignore[attr-defined]
        return format_html(
            '<a class="desk-entity" href="{}" title="{}">{}</a>'
            '<span class="desk-role">{}</span>'
            '<span class="desk-meta">{} · {}{}</span>',
            reverse("admin:articles_mention_change", args=[obj.pk]),
            f"{obj.entity} — {desk.role}" if desk.role else str(obj.entity),
            getattr(obj.entity, "title", None) or str(obj.entity),
            desk.role,
            obj.get_kind_display(),
            f"{obj.confidence:.0%}",
            f" · {obj.method}" if obj.method else "",
        )

    @admin.display(description="evidence and article")
    def evidence_cell(self, obj: Mention) -> str:
        desk: TagContext = obj.desk  # type: ignore[attr-defined]
        article = obj.article
        when = article.published_at.date().isoformat() if article.published_at else "undated"
        return format_html(
            '<q class="desk-evidence"{}>{}</q>'
            '<span class="desk-article"><a href="{}" title="{}">{}</a>'
            '<span class="desk-meta"> · {} · {} · {}</span></span>',
            format_html(' title="{}"', desk.evidence_full) if desk.evidence_full else "",
            desk.evidence,
            reverse("admin:articles_article_change", args=[obj.article_id]),
            article.title,
            short(article.title, 110),
            when,
            str(article.source),
            article.language or "?",
        )

    @admin.display(description="decide")
    def decide(self, obj: Mention) -> str:
        # Buttons inside the list's own form (which carries the CSRF token and the list's
        # query string) post to the row's decide URL: one click per decision, no script.
        base = "admin:articles_mentionreview_decide"
        return format_html(
            '<span class="desk-decide">'
            '<button type="submit" class="button" formaction="{}" name="decide" value="{}" '
            'data-key="a" title="Approve (a)">Approve</button>'
            '<button type="submit" class="button" formaction="{}" name="decide" value="{}" '
            'data-key="r" title="Reject (r)">Reject</button></span>',
            reverse(base, args=[obj.pk, MentionStatus.APPROVED]),
            obj.pk,
            reverse(base, args=[obj.pk, MentionStatus.REJECTED]),
            obj.pk,
        )

    @admin.action(description="Approve selected tags", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Mention]) -> None:
        n = mentions_review(
            mentions=queryset, status=MentionStatus.APPROVED, user=request.user, via="review queue"
        )
        self.message_user(request, f"Approved {n} tag(s).")

    @admin.action(description="Reject selected tags", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Mention]) -> None:
        n = mentions_review(
            mentions=queryset, status=MentionStatus.REJECTED, user=request.user, via="review queue"
        )
        self.message_user(request, f"Rejected {n} tag(s).")

    @admin.action(description="Link their articles to summit…", permissions=["change"])
    def link_to_summit(
        self, request: HttpRequest, queryset: QuerySet[Mention]
    ) -> TemplateResponse | None:
        article_ids = sorted(set(queryset.values_list("article_id", flat=True)))
        form = SummitChoiceForm(
            request.POST if "apply" in request.POST else None, article_ids=article_ids
        )
        if "apply" in request.POST and form.is_valid():
            summit = form.cleaned_data["summit"]
            articles = Article.objects.filter(pk__in=article_ids).order_by("pk")
            n = articles_link_summit(articles=articles, summit=summit, user=request.user)
            self.message_user(request, f"Linked {n} article(s) to “{summit}”.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Link articles to a summit",
            "opts": self.opts,
            "form": form,
            "suggestions": form.suggestions[:5],
            "mentions": queryset.select_related("article", *ENTITY_FIELDS),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(
            request, "admin/articles/mentionreview/link_to_summit.html", context
        )

    @admin.action(description="Mark their articles not relevant", permissions=["change"])
    def mark_not_relevant(self, request: HttpRequest, queryset: QuerySet[Mention]) -> None:
        articles = Article.objects.filter(pk__in=queryset.values("article_id")).order_by("pk")
        n = articles_mark(
            articles=articles, review_status=ReviewStatus.NOT_RELEVANT, user=request.user
        )
        self.message_user(
            request, f"Marked {n} article(s) not relevant; their tags leave the queue."
        )
