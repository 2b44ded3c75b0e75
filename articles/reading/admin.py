"""The editors' admin: articles and their tags, the review queue, feeds and sources.

Every decision an editor takes here (a form edit, an inline approval, a bulk action) is
written to the admin's history of the object it changed; see articles/review.py.
"""

from datetime import timedelta
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles.ingestion.services import FeedAddError, articles_refetch, feed_add, feeds_reenable
from articles.ingestion.tasks import article_reprocess_task, feed_fetch_now, pages_queue
from articles.models import (
    VISIBLE_STATUSES,
    Article,
    ArticleFeed,
    Feed,
    FeedEntryError,
    Mention,
    MentionKind,
    MentionStatus,
    RawDocument,
    ReviewStatus,
    Source,
    StoryCluster,
)
from articles.reading.admin_common import (
    ENTITY_FIELDS,
    BigListAdmin,
    NameListField,
    short,
    status_label,
)
from articles.reading.admin_filters import (
    ArticleLanguageFilter,
    CountryFilter,
    EstimatedCountPaginator,
    FeedFilter,
    FetchedFilter,
    OfficialFilter,
    PolicyFilter,
    PublishedFilter,
    SourceFilter,
    SummitFilter,
)
from articles.reading.desk import tag_contexts
from articles.reading.search import search_filter
from articles.tagging.review import (
    articles_mark,
    change_record,
)
from summits.admin import GuardedAdmin

# The home page starts with the desk's counts: tags to review, failing feeds.
admin.site.index_template = "admin/desk_index.html"

SOURCE_DETAILS = ("country", "kind", "language")


@admin.register(Source)
class SourceAdmin(GuardedAdmin):
    list_display = ["name", "domain", "country", "kind", "language", "confirmed", "feed_count"]
    list_filter = ["confirmed", "kind", "country", "language"]
    list_select_related = ["country"]
    search_fields = ["name", "domain"]
    autocomplete_fields = ["country"]
    fields = ["name", "domain", *SOURCE_DETAILS, "confirmed"]
    actions = ["confirm_details"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(feed_count=Count("feeds"))

    @admin.display(description="feeds", ordering="feed_count")
    def feed_count(self, obj: Source) -> int:
        return obj.feed_count  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        # Whatever an editor sets here is no longer a guess.
        if any(name in form.changed_data for name in SOURCE_DETAILS):
            obj.confirmed = True
        super().save_model(request, obj, form, change)

    @admin.action(description="Confirm country, kind and language", permissions=["change"])
    def confirm_details(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        sources = list(queryset.filter(confirmed=False))
        Source.objects.filter(pk__in=[s.pk for s in sources]).update(confirmed=True)
        change_record(
            user=request.user, objects=sources, message="Country, kind and language confirmed."
        )
        self.message_user(request, f"Confirmed {len(sources)} source(s).")


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
    list_per_page = 50
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
        return short(obj.last_error, 100)

    @admin.display(description="new entries fetched, last 7 days", ordering="articles_7d")
    def articles_7d(self, obj: Feed) -> str:
        # When the feed first carried each story, whatever date the story bears.
        count = obj.articles_7d  # type: ignore[attr-defined]
        url = reverse("admin:articles_article_changelist") + f"?feed={obj.pk}&fetched=7"
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


ENTITY_WORDS = {"country": "a country", "official": "an official", "policy": "a policy",
                "summit": "a summit"}  # fmt: skip


class MentionForm(forms.ModelForm):
    """The kind follows from the one entity chosen; what an existing tag points to is fixed.

    Errors name the field they are about, in plain words, so they show next to it.
    """

    # Set on the forms of the article page's per-kind inlines: their one entity field.
    tag_kind = ""

    class Meta:
        model = Mention
        fields = ["kind", *ENTITY_FIELDS, "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:  # absent when the page is read-only
            self.fields["kind"].required = False
            self.fields["kind"].help_text = "Set from the entity chosen."
        if self.tag_kind:
            self.instance.kind = self.tag_kind

    def clean(self) -> dict[str, Any]:
        super().clean()
        # What ModelForm.clean() returns; its stub says it may be None.
        data = self.cleaned_data
        offered = [name for name in ENTITY_FIELDS if name in self.fields]
        chosen = [name for name in offered if data.get(name)]
        if not chosen:
            field = offered[0] if len(offered) == 1 else None
            words = ENTITY_WORDS[field] if field else "one country, official, policy or summit"
            raise ValidationError({field or NON_FIELD_ERRORS: f"Choose {words} for this tag."})
        if len(chosen) > 1:
            raise ValidationError(
                {name: "A tag is about one thing: leave only one of these set." for name in chosen}
            )
        kind = chosen[0]
        if self.instance.pk and (
            self.instance.kind != kind or getattr(self.instance, f"{kind}_id") != data[kind].pk
        ):
            raise ValidationError(
                {kind: "A tag cannot be pointed at something else: reject it and add a new one."}
            )
        article_id = data["article"].pk if data.get("article") else self.instance.article_id
        twin = Mention.objects.filter(article_id=article_id, kind=kind, **{kind: data[kind]})
        if article_id and twin.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                {kind: f"This article already has a tag for “{data[kind]}”: change that one."}
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


class TagInline(admin.TabularInline):
    """One kind of tag on the article page: its entity with autocomplete, status, evidence."""

    model = Mention
    form = MentionForm
    extra = 0
    kind = ""
    prefetch: tuple[str, ...] = ()
    readonly_fields = ["then", "evidence_marked", "found", "reviewed"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        return [self.kind, "status", "then", "evidence_marked", "found", "reviewed"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = type(f"{self.kind.title()}TagForm", (self.form,), {"tag_kind": self.kind})
        return super().get_formset(request, obj, form=form, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return (
            super()
            .get_queryset(request)
            .filter(kind=self.kind)
            .select_related("article", self.kind, "reviewed_by")
            .prefetch_related(*self.prefetch)
            .order_by("-confidence", "pk")
        )

    @admin.display(description="on the article's date")
    def then(self, obj: Mention) -> str:
        if not obj.pk:
            return ""
        return tag_contexts([obj])[obj.pk].role

    @admin.display(description="evidence")
    def evidence_marked(self, obj: Mention) -> str:
        if not obj.pk:
            return ""
        context = tag_contexts([obj])[obj.pk]
        if context.evidence_full:  # a window of a long sentence: the whole on hover
            return format_html('<p title="{}">{}</p>', context.evidence_full, context.evidence)
        return format_html("<p>{}</p>", context.evidence)

    @admin.display(description="found by")
    def found(self, obj: Mention) -> str:
        return f"{obj.method or '?'}, {obj.confidence:.0%}" if obj.pk else ""

    @admin.display(description="reviewed")
    def reviewed(self, obj: Mention) -> str:
        if not obj.reviewed_at:
            return "-"
        who = obj.reviewed_by.get_username() if obj.reviewed_by else "?"
        return f"{who}, {timezone.localtime(obj.reviewed_at):%Y-%m-%d %H:%M}"


class CountryTagInline(TagInline):
    kind = "country"
    verbose_name, verbose_name_plural = "country tag", "countries"
    autocomplete_fields = ["country"]


class OfficialTagInline(TagInline):
    kind = "official"
    verbose_name, verbose_name_plural = "official tag", "officials"
    autocomplete_fields = ["official"]
    prefetch = ("official__aliases", "official__tenures__country")


class PolicyTagInline(TagInline):
    kind = "policy"
    verbose_name, verbose_name_plural = "policy tag", "policies"
    autocomplete_fields = ["policy"]
    prefetch = ("policy__aliases", "policy__events")


class SummitTagInline(TagInline):
    kind = "summit"
    verbose_name, verbose_name_plural = "summit tag", "summits"
    autocomplete_fields = ["summit"]


def _summits_cell(obj: Article) -> str:
    mentions = getattr(obj, "summit_mentions", [])
    return format_html_join(", ", "{}", ((m.summit.title,) for m in mentions)) or "-"


class ArticleForm(forms.ModelForm):
    authors = NameListField(
        required=False, help_text="One name per line, as the byline credits them."
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "source",
            "original_source",
            "original_source_name",
            "published_at",
            "language",
            "review_status",
            "authors",
            "summary",
            "body",
            "site_name",
        ]


@admin.register(Article)
class ArticleAdmin(BigListAdmin):
    form = ArticleForm
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
        ArticleLanguageFilter,
        PublishedFilter,
        "extraction_status",
        "published_unknown",
        SourceFilter,
        FeedFilter,
        FetchedFilter,
        CountryFilter,
        SummitFilter,
        OfficialFilter,
        PolicyFilter,
    ]
    list_select_related = ["source"]
    search_fields = ["title", "=url_hash", "canonical_url"]
    autocomplete_fields = ["source", "original_source"]
    actions = ["mark_reviewed", "mark_not_relevant", "refetch_pages"]
    readonly_fields = [
        "url",
        "canonical_url",
        "url_hash",
        "guid",
        "published_unknown",
        "published_given",
        "page_attempts",
        "page_retry_at",
        "earlier_titles_list",
        "story",
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
                    "published_unknown",
                    "published_given",
                    "language",
                    "review_status",
                    "url",
                    "canonical_url",
                    "story",
                ]
            },
        ),
        ("Text", {"fields": ["authors", "summary", "body", "site_name", "earlier_titles_list"]}),
        (
            "Pipeline",
            {
                "classes": ["collapse"],
                "fields": [
                    "url_hash",
                    "guid",
                    "content_hash",
                    "simhash",
                    "fetched_at",
                    "extraction_status",
                    "extraction_error",
                    "page_attempts",
                    "page_retry_at",
                    "tagged_at",
                    "tagger_version",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [SummitTagInline, OfficialTagInline, PolicyTagInline, CountryTagInline]

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Article],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> EstimatedCountPaginator:
        paginator = EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page)
        if request.GET.get("q", "").strip():
            # Counting matches reads each one's search text: a search counts to 1,000.
            paginator.COUNT_CAP = 1_000
        return paginator

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Article], search_term: str
    ) -> tuple[QuerySet[Article], bool]:
        # Words go through the one search (folded, whole words, on an index on PostgreSQL),
        # not a LIKE over every title; an address or its hash finds its article exactly.
        term = search_term.strip()
        if not term:
            return queryset, False
        if "://" in term:
            return queryset.filter(Q(canonical_url=term) | Q(url=term)), False
        if len(term) == 64 and all(c in "0123456789abcdef" for c in term):
            return queryset.filter(url_hash=term), False
        return search_filter(queryset, term), False

    def view_on_site(self, obj: Article) -> str:  # type: ignore[override]
        return reverse("articles:article", args=[obj.pk])

    @admin.display(description="earlier titles")
    def earlier_titles_list(self, obj: Article) -> str:
        titles = obj.earlier_titles or []
        return format_html_join("", "<li>{}</li>", ((t,) for t in titles)) or "-"

    @admin.display(description="story")
    def story(self, obj: Article) -> str:
        """The story cluster and its other copies, each linked to its admin page."""
        if obj.cluster_id is None:
            return "Not in a story with other copies."
        copies = list(
            Article.objects.filter(cluster_id=obj.cluster_id)
            .exclude(pk=obj.pk)
            .select_related("source")
            .order_by("published_at", "pk")[:20]
        )
        cluster = format_html(
            '<a href="{}">Story {}</a>',
            reverse("admin:articles_storycluster_change", args=[obj.cluster_id]),
            obj.cluster_id,
        )
        if not copies:
            return format_html("{}: no other copy.", cluster)
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {}</li>',
            (
                (
                    reverse("admin:articles_article_change", args=[c.pk]),
                    short(c.title, 100),
                    c.source,
                    c.published_at.date().isoformat() if c.published_at else "undated",
                )
                for c in copies
            ),
        )
        return format_html(
            '{}: {} other cop{}<ul class="desk-copies">{}</ul>',
            cluster,
            len(copies),
            "y" if len(copies) == 1 else "ies",
            items,
        )

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
                        f"Status: {status_label(before)} → {status_label(mention.status)} "
                        "(on the article's page)."
                    ),
                )

    @admin.action(description="Fetch their pages again", permissions=["change"])
    def refetch_pages(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        articles = list(queryset)
        self._refetch(request, articles)

    def _refetch(self, request: HttpRequest, articles: list[Article]) -> None:
        ids = articles_refetch(articles=articles)
        pages_queue(article_ids=ids)
        change_record(
            user=request.user,
            objects=[a for a in articles if a.pk in set(ids)],
            message="Page fetch requested by an editor.",
        )
        self.message_user(request, f"{len(ids)} page(s) queued for fetching.")
        if len(ids) < len(articles):
            self.message_user(
                request,
                f"{len(articles) - len(ids)} article(s) share their page with other stories "
                "and keep their feed text: their pages are not fetched.",
                messages.WARNING,
            )

    def get_urls(self) -> list[URLPattern]:
        refetch = self.admin_site.admin_view(self.refetch_view)
        return [
            path("<int:pk>/refetch/", refetch, name="articles_article_refetch"),
            *super().get_urls(),
        ]

    def refetch_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The change form's "Fetch the page again" button."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        self._refetch(request, [get_object_or_404(Article, pk=pk)])
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

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
    ordering = ["-pk"]  # newest first, along the primary key: no sort of two million rows
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


class ClusterChangeList(ChangeList):
    """Reads the copies of the page's stories in one query."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        copies: dict[int, list[Article]] = {}
        rows = (
            Article.objects.filter(cluster_id__in=[c.pk for c in self.result_list])
            .select_related("source")
            .only("cluster_id", "title", "language", "published_at", "source__name")
            .order_by("published_at", "pk")
        )
        for article in rows:
            copies.setdefault(article.cluster_id or 0, []).append(article)
        for cluster in self.result_list:
            cluster.copies = copies.get(cluster.pk, [])


class StoryCopyInline(admin.TabularInline):
    model = Article
    fk_name = "cluster"
    fields = ["title_link", "source", "published_at", "language"]
    readonly_fields = ["title_link", "source", "published_at", "language"]
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name, verbose_name_plural = "copy", "copies, earliest first"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("source").order_by("published_at")

    @admin.display(description="title")
    def title_link(self, obj: Article) -> str:
        url = reverse("admin:articles_article_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.title)


@admin.register(StoryCluster)
class StoryClusterAdmin(BigListAdmin):
    list_display = ["pk", "earliest_title", "outlets", "languages", "first_published_at", "size"]
    search_fields = ["=id"]
    readonly_fields = ["first_published_at", "size", "created_at"]
    fields = ["first_published_at", "size", "created_at"]
    inlines = [StoryCopyInline]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ClusterChangeList

    @admin.display(description="earliest title")
    def earliest_title(self, obj: StoryCluster) -> str:
        copies = getattr(obj, "copies", [])
        if not copies:
            return "-"
        url = reverse("admin:articles_storycluster_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, short(copies[0].title, 100))

    @admin.display(description="outlets")
    def outlets(self, obj: StoryCluster) -> str:
        names = list(dict.fromkeys(str(a.source) for a in getattr(obj, "copies", [])))
        return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")

    @admin.display(description="languages")
    def languages(self, obj: StoryCluster) -> str:
        return ", ".join(sorted({a.language for a in getattr(obj, "copies", []) if a.language}))


@admin.register(FeedEntryError)
class FeedEntryErrorAdmin(BigListAdmin):
    """Feed entries that could not be stored, and why; each row goes once its entry is."""

    list_display = ["__str__", "feed", "message_short", "first_seen_at", "last_seen_at"]
    list_select_related = ["feed"]
    search_fields = ["entry_title", "entry_link", "message"]
    readonly_fields = [
        "feed",
        "entry_guid",
        "entry_link",
        "entry_title",
        "message",
        "first_seen_at",
        "last_seen_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="what went wrong")
    def message_short(self, obj: FeedEntryError) -> str:
        return short(obj.message, 160)


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
