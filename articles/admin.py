from django.contrib import admin

from articles.models import Article, Feed, Mention, RawDocument, Source, StoryCluster


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "country", "language", "is_sample"]
    search_fields = ["name", "domain"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["url", "source", "active", "last_success_at", "consecutive_failures"]
    list_filter = ["active"]
    search_fields = ["url", "title", "source__name"]
    autocomplete_fields = ["source"]


class MentionInline(admin.TabularInline):
    model = Mention
    extra = 0
    autocomplete_fields = ["country", "official", "policy", "summit"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "review_status"]
    list_filter = ["review_status", "language"]
    search_fields = ["title", "canonical_url"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source", "original_source"]
    raw_id_fields = ["cluster"]
    inlines = [MentionInline]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "entity", "confidence", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["article"]
    autocomplete_fields = ["country", "official", "policy", "summit"]


@admin.register(StoryCluster)
class StoryClusterAdmin(admin.ModelAdmin):
    list_display = ["pk", "first_published_at", "size"]


@admin.register(RawDocument)
class RawDocumentAdmin(admin.ModelAdmin):
    list_display = ["url", "kind", "fetched_at", "status_code", "size", "truncated"]
    list_filter = ["kind"]
    raw_id_fields = ["feed", "article"]
    exclude = ["body_gz"]
