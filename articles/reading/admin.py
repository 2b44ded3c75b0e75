"""The editors' admin: articles and their tags, the review queue, feeds and sources.

Every decision an editor takes here (a form edit, an inline approval, a bulk action) is
written to the admin's history of the object it changed; see articles/review.py.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from articles.ingestion.services import FeedAddError, feed_add, feeds_reenable
from articles.ingestion.tasks import article_reprocess_task, feed_fetch_now
from articles.models import (
    VISIBLE_STATUSES,
    Article,
    ArticleFeed,
    Feed,
    Mention,
    MentionKind,
    MentionReview,
    MentionStatus,
    RawDocument,
    ReviewStatus,
    Source,
    StoryCluster,
)
from articles.reading.admin_filters import (
    ArticleTextFilter,
    CountryFilter,
    EstimatedCountPaginator,
    FeedFilter,
    OfficialFilter,
    PolicyFilter,
    SourceFilter,
    SummitFilter,
)
from articles.tagging.review import (
    articles_link_summit,
    articles_mark,
    change_record,
    mentions_review,
    review_queue,
    review_threshold,
    sampled_precision,
)
from summits.admin import GuardedAdmin
from summits.models import Summit

ENTITY_FIELDS = ("country", "official", "policy", "summit")


class BigListAdmin(GuardedAdmin):
    """Lists that grow with ingestion: no whole-table counts, no facet counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER


def _short(text: str, length: int = 120) -> str:
    return Truncator(text or "").chars(length)


def _status_label(status: str) -> str:
    return str(MentionStatus(status).label)


@admin.register(Source)
class SourceAdmin(GuardedAdmin):
    list_display = ["name", "domain", "country", "language", "feed_count"]
    list_filter = ["language"]
    list_select_related = ["country"]
    search_fields = ["name", "domain"]
    autocomplete_fields = ["country"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(feed_count=Count("feeds"))

    @admin.display(description="feeds", ordering="feed_count")
    def feed_count(self, obj: Source) -> int:
        return obj.feed_count  # type: ignore[attr-defined]


class FeedAddForm(forms.Form):
    url = forms.CharField(
        label="Feed or site address",
        max_length=2000,
        help_text="A feed URL, or a site's home page: its feed is found from the page.",
        widget=forms.URLInput(attrs={"size": 80, "autofocus": True}),
    )
    source_name = forms.CharField(
        label="Outlet name",
        max_length=200,
        required=False,
        help_text="Leave empty to use the feed's own title.",
    )


class FeedHealthFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("failing", "Failing now"),
            ("disabled", "Disabled"),
            ("never", "Never fetched"),
            ("ok", "Working"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Feed]) -> QuerySet[Feed]:
        value = self.value()
        if value == "failing":
            return queryset.filter(consecutive_failures__gt=0)
        if value == "disabled":
            return queryset.filter(active=False)
        if value == "never":
            return queryset.filter(last_fetched_at__isnull=True)
        if value == "ok":
            return queryset.filter(
                active=True, consecutive_failures=0, last_success_at__isnull=False
            )
        return queryset


@admin.register(Feed)
class FeedAdmin(GuardedAdmin):
    list_display = [
        "feed_name",
        "source",
        "active",
        "last_success_at",
        "last_error_short",
        "consecutive_failures",
        "next_fetch_at",
        "articles_7d",
    ]
    list_filter = [FeedHealthFilter, "active"]
    list_select_related = ["source"]
    search_fields = ["url", "title", "source__name"]
    autocomplete_fields = ["source"]
    actions = ["fetch_now", "reenable", "reprocess"]
    readonly_fields = [
        "url",
        "state",
        "claimed_at",
        "created_at",
        "next_fetch_at",
        "last_fetched_at",
        "last_success_at",
        "last_status",
        "last_error",
        "last_error_at",
        "consecutive_failures",
        "etag",
        "last_modified",
    ]
    fieldsets = [
        (None, {"fields": ["url", "source", "title", "active", "disabled_reason"]}),
        ("Schedule", {"fields": ["interval_seconds", "next_fetch_at", "state", "claimed_at"]}),
        (
            "Health",
            {
                "fields": [
                    "last_success_at",
                    "last_fetched_at",
                    "last_status",
                    "last_error",
                    "last_error_at",
                    "consecutive_failures",
                ]
            },
        ),
        ("Conditional GET", {"classes": ["collapse"], "fields": ["etag", "last_modified"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feed]:
        week_ago = timezone.now() - timedelta(days=7)
        recent = (
            ArticleFeed.objects.filter(feed=OuterRef("pk"), first_seen_at__gte=week_ago)
            .order_by()
            .values("feed")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(articles_7d=Coalesce(Subquery(recent, output_field=IntegerField()), 0))
        )

    @admin.display(description="feed", ordering="title")
    def feed_name(self, obj: Feed) -> str:
        return obj.title or obj.url

    @admin.display(description="last error")
    def last_error_short(self, obj: Feed) -> str:
        return _short(obj.last_error, 100)

    @admin.display(description="articles, last 7 days", ordering="articles_7d")
    def articles_7d(self, obj: Feed) -> str:
        count = obj.articles_7d  # type: ignore[attr-defined]
        url = reverse("admin:articles_article_changelist") + f"?feed={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Adding goes through the same validation and test fetch as `add_feed`.
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = FeedAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = feed_add(
                    url=form.cleaned_data["url"].strip(),
                    source_name=form.cleaned_data["source_name"].strip(),
                )
            except FeedAddError as exc:
                form.add_error("url", str(exc))
            else:
                feed = result.feed
                found = f"{result.entries_found} entries found"
                if result.created:
                    change_record(
                        user=request.user,
                        objects=[feed],
                        message=f"Added from {form.cleaned_data['url'].strip()}: {found}.",
                        flag=ADDITION,
                    )
                    self.message_user(request, f"Added “{feed}”: {found}. {result.message}")
                else:
                    self.message_user(
                        request,
                        f"That feed is already here: “{feed}”. {result.message}",
                        messages.WARNING,
                    )
                return HttpResponseRedirect(reverse("admin:articles_feed_change", args=[feed.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Add feed",
            "opts": self.opts,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/feed/add_feed.html", context)

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        feeds = list(queryset)
        for feed in feeds:
            feed_fetch_now(feed=feed)
        change_record(user=request.user, objects=feeds, message="Fetch requested by an editor.")
        self.message_user(request, f"Fetch requested for {len(feeds)} feed(s).")

    @admin.action(description="Re-enable (clear failures)", permissions=["change"])
    def reenable(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        feeds = list(queryset)
        feeds_reenable(feeds=feeds)
        change_record(user=request.user, objects=feeds, message="Re-enabled by an editor.")
        self.message_user(request, f"Re-enabled {len(feeds)} feed(s).")

    @admin.action(description="Reprocess their articles", permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        feeds = list(queryset)
        ids = list(
            ArticleFeed.objects.filter(feed__in=feeds)
            .values_list("article_id", flat=True)
            .distinct()
            .order_by("article_id")
        )
        for article_id in ids:
            transaction.on_commit(partial(article_reprocess_task.delay, article_id))
        change_record(
            user=request.user,
            objects=feeds,
            message=f"Reprocessing of {len(ids)} article(s) requested by an editor.",
        )
        self.message_user(request, f"Queued {len(ids)} article(s) for reprocessing.")


class MentionForm(forms.ModelForm):
    """The kind follows from the one entity chosen; what an existing tag points to is fixed."""

    class Meta:
        model = Mention
        fields = ["kind", *ENTITY_FIELDS, "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:  # absent when the page is read-only
            self.fields["kind"].required = False
            self.fields["kind"].help_text = "Set from the entity chosen."

    def clean(self) -> dict[str, Any]:
        super().clean()
        # What ModelForm.clean() returns; its stub says it may be None.
        data = self.cleaned_data
        chosen = [name for name in ENTITY_FIELDS if data.get(name)]
        if len(chosen) != 1:
            raise ValidationError(
                "Choose exactly one country, official, policy or summit for a tag."
            )
        kind = chosen[0]
        if self.instance.pk and (
            self.instance.kind != kind or getattr(self.instance, f"{kind}_id") != data[kind].pk
        ):
            raise ValidationError(
                "A tag cannot be pointed at something else: reject it and add a new one."
            )
        article_id = data["article"].pk if data.get("article") else self.instance.article_id
        twin = Mention.objects.filter(article_id=article_id, kind=kind, **{kind: data[kind]})
        if twin.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"This article already has a tag for “{data[kind]}”: change that one's status."
            )
        data["kind"] = kind
        self.instance.kind = kind
        return data


def _stamp_review(mention: Mention, user: Any, is_new: bool) -> None:
    now = timezone.now()
    if is_new:
        # A tag an editor adds by hand is theirs, whatever status the form defaulted to.
        if mention.status == MentionStatus.AUTO:
            mention.status = MentionStatus.EDITOR_ADDED
        mention.confidence, mention.method = 1.0, mention.method or "editor"
    mention.reviewed_by_id, mention.reviewed_at = user.pk, now


class MentionInline(admin.TabularInline):
    model = Mention
    form = MentionForm
    extra = 0
    fields = [
        "kind",
        *ENTITY_FIELDS,
        "status",
        "confidence",
        "method",
        "evidence_text",
        "reviewed_by",
        "reviewed_at",
    ]
    readonly_fields = ["confidence", "method", "evidence_text", "reviewed_by", "reviewed_at"]
    autocomplete_fields = list(ENTITY_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return (
            super()
            .get_queryset(request)
            .select_related(*ENTITY_FIELDS, "reviewed_by")
            .order_by("kind", "-confidence", "pk")
        )

    @admin.display(description="evidence")
    def evidence_text(self, obj: Mention) -> str:
        return _short(obj.evidence, 300)


def _summits_cell(obj: Article) -> str:
    mentions = getattr(obj, "summit_mentions", [])
    return format_html_join(", ", "{}", ((m.summit.title,) for m in mentions)) or "-"


@admin.register(Article)
class ArticleAdmin(BigListAdmin):
    list_display = [
        "title",
        "source",
        "published_at",
        "summits",
        "review_status",
        "awaiting_review",
    ]
    list_filter = [
        "review_status",
        "language",
        SourceFilter,
        FeedFilter,
        CountryFilter,
        SummitFilter,
        OfficialFilter,
        PolicyFilter,
    ]
    list_select_related = ["source"]
    search_fields = ["title", "=url_hash", "canonical_url"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source", "original_source", "cluster"]
    actions = ["mark_reviewed", "mark_not_relevant"]
    readonly_fields = [
        "url",
        "canonical_url",
        "url_hash",
        "guid",
        "earlier_titles",
        "fetched_at",
        "created_at",
        "updated_at",
        "content_hash",
        "simhash",
        "extraction_status",
        "extraction_error",
        "tagged_at",
        "tagger_version",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "source",
                    "original_source",
                    "original_source_name",
                    "published_at",
                    "language",
                    "review_status",
                    "url",
                    "canonical_url",
                ]
            },
        ),
        ("Text", {"fields": ["summary", "body", "authors", "site_name", "earlier_titles"]}),
        (
            "Pipeline",
            {
                "classes": ["collapse"],
                "fields": [
                    "url_hash",
                    "guid",
                    "cluster",
                    "content_hash",
                    "simhash",
                    "fetched_at",
                    "extraction_status",
                    "extraction_error",
                    "tagged_at",
                    "tagger_version",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [MentionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # A correlated count per shown row: with LIMIT, only the page's rows are counted.
        awaiting = (
            Mention.objects.filter(article=OuterRef("pk"), status=MentionStatus.AUTO)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        )
        summits = Mention.objects.filter(
            kind=MentionKind.SUMMIT, status__in=VISIBLE_STATUSES
        ).select_related("summit")
        return (
            super()
            .get_queryset(request)
            .annotate(awaiting=Coalesce(Subquery(awaiting, output_field=IntegerField()), 0))
            .prefetch_related(Prefetch("mentions", queryset=summits, to_attr="summit_mentions"))
        )

    @admin.display(description="summits")
    def summits(self, obj: Article) -> str:
        return _summits_cell(obj)

    @admin.display(description="auto-tags to review", ordering="awaiting")
    def awaiting_review(self, obj: Article) -> int:
        return obj.awaiting  # type: ignore[attr-defined]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Mention:
            super().save_formset(request, form, formset, change)
            return
        decided = []
        for inline_form in formset.forms:
            mention = inline_form.instance
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            is_new = mention.pk is None
            if is_new or "status" in inline_form.changed_data:
                before = inline_form.initial.get("status", "")
                _stamp_review(mention, request.user, is_new)
                decided.append((mention, is_new, before))
        super().save_formset(request, form, formset, change)
        for mention, is_new, before in decided:
            if is_new:
                change_record(
                    user=request.user,
                    objects=[mention],
                    message="Added by an editor.",
                    flag=ADDITION,
                )
            else:
                change_record(
                    user=request.user,
                    objects=[mention],
                    message=(
                        f"Status: {_status_label(before)} → {_status_label(mention.status)} "
                        "(on the article's page)."
                    ),
                )

    @admin.action(description="Mark reviewed", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = articles_mark(articles=queryset, review_status=ReviewStatus.REVIEWED, user=request.user)
        self.message_user(request, f"Marked {n} article(s) reviewed.")

    @admin.action(description="Mark not relevant", permissions=["change"])
    def mark_not_relevant(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = articles_mark(
            articles=queryset, review_status=ReviewStatus.NOT_RELEVANT, user=request.user
        )
        self.message_user(request, f"Marked {n} article(s) not relevant.")


@admin.register(Mention)
class MentionAdmin(BigListAdmin):
    form = MentionForm
    list_display = ["__str__", "article", "confidence", "status", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["article", *ENTITY_FIELDS, "reviewed_by"]
    search_fields = ["article__title", "evidence"]
    autocomplete_fields = ["article", *ENTITY_FIELDS]
    readonly_fields = ["confidence", "method", "evidence", "reviewed_by", "reviewed_at"]
    fields = [
        "article",
        "kind",
        *ENTITY_FIELDS,
        "status",
        "confidence",
        "method",
        "evidence",
        "reviewed_by",
        "reviewed_at",
    ]

    def save_model(self, request: HttpRequest, obj: Mention, form: Any, change: bool) -> None:
        if not change or "status" in form.changed_data:
            _stamp_review(obj, request.user, is_new=not change)
        super().save_model(request, obj, form, change)


class SummitChoiceForm(forms.Form):
    summit = forms.ModelChoiceField(
        queryset=Summit.objects.order_by("-start_date"),
        label="Summit",
        help_text="The selected tags' articles are linked to this summit.",
    )


@admin.register(MentionReview)
class MentionReviewAdmin(BigListAdmin):
    """Auto-tags below the confidence threshold, newest first, for quick decisions."""

    list_display = [
        "entity_name",
        "kind",
        "confidence",
        "evidence_short",
        "article_link",
        "article_published",
        "article_source",
        "decide",
    ]
    list_display_links = None
    list_filter = ["kind", ArticleTextFilter]
    search_fields = ["article__title", "evidence"]
    list_select_related = ["article", "article__source", *ENTITY_FIELDS]
    actions = ["approve", "reject", "link_to_summit", "mark_not_relevant"]
    list_per_page = 50
    ordering = ["-created_at", "-pk"]  # newest first; the list would otherwise use Meta's
    change_list_template = "admin/articles/mentionreview/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return review_queue(mentions=super().get_queryset(request))

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
        """One row's Approve or Reject button."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        if status not in (MentionStatus.APPROVED, MentionStatus.REJECTED):
            raise PermissionDenied
        mention = get_object_or_404(Mention, pk=pk)
        changed = mentions_review(
            mentions=[mention], status=status, user=request.user, via="review queue"
        )
        word = _status_label(status).lower()
        if changed:
            self.message_user(request, f"{word.capitalize()}: {mention}.")
        else:
            self.message_user(request, f"Already {word}: {mention}.", messages.WARNING)
        query = request.META.get("QUERY_STRING", "")
        url = reverse("admin:articles_mentionreview_changelist")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    @admin.display(description="tag")
    def entity_name(self, obj: Mention) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_mention_change", args=[obj.pk]),
            str(obj.entity),
        )

    @admin.display(description="evidence")
    def evidence_short(self, obj: Mention) -> str:
        return _short(obj.evidence, 160)

    @admin.display(description="article")
    def article_link(self, obj: Mention) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[obj.article_id]),
            _short(obj.article.title, 90),
        )

    @admin.display(description="published", ordering="article__published_at")
    def article_published(self, obj: Mention) -> Any:
        return obj.article.published_at

    @admin.display(description="source")
    def article_source(self, obj: Mention) -> str:
        return str(obj.article.source)

    @admin.display(description="decide")
    def decide(self, obj: Mention) -> str:
        # Buttons inside the list's own form (which carries the CSRF token) post to the row's
        # decide URL: one click per decision, no script needed.
        base = "admin:articles_mentionreview_decide"
        return format_html(
            '<button type="submit" class="button" formaction="{}" name="decide" '
            'value="{}">Approve</button> '
            '<button type="submit" class="button" formaction="{}" name="decide" '
            'value="{}">Reject</button>',
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
        form = SummitChoiceForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            summit = form.cleaned_data["summit"]
            articles = Article.objects.filter(pk__in=queryset.values("article_id")).order_by("pk")
            n = articles_link_summit(articles=articles, summit=summit, user=request.user)
            self.message_user(request, f"Linked {n} article(s) to “{summit}”.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Link articles to a summit",
            "opts": self.opts,
            "form": form,
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


@admin.register(StoryCluster)
class StoryClusterAdmin(BigListAdmin):
    list_display = ["pk", "first_published_at", "size"]
    search_fields = ["=id"]


@admin.register(RawDocument)
class RawDocumentAdmin(BigListAdmin):
    list_display = ["url", "kind", "fetched_at", "status_code", "size", "truncated"]
    list_filter = ["kind"]
    autocomplete_fields = ["feed", "article"]
    exclude = ["body_gz"]
    search_fields = ["url"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Raw bytes are evidence of what was fetched: nobody edits them by hand.
        return False
