"""Sources, feeds, articles, their raw bytes, story clusters and mentions.

Identity is a database fact: one Article per canonical URL (by its hash), one per guid within
a source, one Mention per article and entity.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.search_text import search_text
from summits.models import Country, Official, Policy, Summit


class SourceKind(models.TextChoices):
    OUTLET = "outlet", _("News outlet")
    WIRE = "wire", _("Wire service or news agency")
    GOVERNMENT = "government", _("Government")
    AGGREGATOR = "aggregator", _("Aggregator")


class Source(models.Model):
    """An outlet. Its country, kind and language are a guess from its domain and what it
    publishes until an editor confirms them (`confirmed`)."""

    name = models.CharField("outlet", max_length=200)
    domain = models.CharField(max_length=253, unique=True, help_text="Lower-case host, no www.")
    country = models.ForeignKey(
        Country,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sources",
        help_text="Where the outlet is based: its press country. Empty when unknown.",
    )
    kind = models.CharField(
        max_length=12, choices=SourceKind.choices, default=SourceKind.OUTLET, db_index=True
    )
    language = models.CharField(max_length=10, blank=True, help_text="ISO 639-1, e.g. en, es, fr.")
    confirmed = models.BooleanField(
        "confirmed by an editor",
        default=False,
        help_text="Country, kind and language were checked by an editor. Until then they are "
        "a best guess from the domain and the language of what the source publishes.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeedState(models.TextChoices):
    IDLE = "idle", "Idle"
    CLAIMED = "claimed", "Being fetched"


class Feed(models.Model):
    url = models.URLField(max_length=2000, unique=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="feeds")
    title = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Fetch state. A worker claims a feed with a conditional UPDATE on `state`.
    state = models.CharField(max_length=10, choices=FeedState.choices, default=FeedState.IDLE)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The task that holds the claim: a redelivered task may take its own claim back.
    claimed_by = models.CharField(max_length=64, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True)
    interval_seconds = models.PositiveIntegerField(default=3600)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="The last failure, in plain words.")
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["source__name", "url"]
        indexes = [models.Index(fields=["active", "state", "next_fetch_at"])]

    def __str__(self) -> str:
        return self.title or self.url


class StoryCluster(models.Model):
    """Syndicated copies and light rewrites of one story."""

    first_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    size = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_published_at"]

    def __str__(self) -> str:
        return f"Story {self.pk} ({self.size} copies)"


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("Page not fetched yet")
    EXTRACTED = "extracted", _("Extracted")
    FAILED = "failed", _("Page fetch or extraction failed")
    SKIPPED = "skipped", _("Feed text only")


class ReviewStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", _("Not reviewed")
    REVIEWED = "reviewed", _("Reviewed")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


# The fields an article's search text is made of (see articles.search_text).
SEARCHED_FIELDS = frozenset({"title", "summary", "body"})


class ArticleQuerySet(models.QuerySet["Article"]):
    """Bulk writes keep each article's search text in step with its title, summary and body."""

    def bulk_create(  # type: ignore[override]  # the same arguments, passed on
        self, objs: Iterable["Article"], *args: Any, **kwargs: Any
    ) -> list["Article"]:
        articles = list(objs)
        for article in articles:
            article.search_text_refresh()
        return list(super().bulk_create(articles, *args, **kwargs))  # type: ignore[arg-type]

    def bulk_update(  # type: ignore[override]  # the same arguments, passed on
        self, objs: Iterable["Article"], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        articles = list(objs)
        names = list(fields)
        if SEARCHED_FIELDS & set(names):
            for article in articles:
                article.search_text_refresh()
            names.append("search_text")
        return super().bulk_update(articles, names, *args, **kwargs)  # type: ignore[arg-type]

    def update(self, **kwargs: Any) -> int:
        if SEARCHED_FIELDS & set(kwargs) and "search_text" not in kwargs:
            # The search text is worked out in Python: an UPDATE cannot follow the new text.
            raise TypeError(
                "Change an article's title, summary or body with save() or bulk_update()."
            )
        return super().update(**kwargs)


class Article(models.Model):
    url = models.URLField(max_length=2000, help_text="The link as the feed gave it.")
    canonical_url = models.URLField(max_length=2000)
    # Unique and indexed by Meta's constraint and index, not by unique=True or db_index=True:
    # on PostgreSQL those add a varchar_pattern_ops twin that only LIKE queries read (none
    # does) and that every stored article writes.
    url_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical URL: the identity."
    )
    guid = models.CharField(max_length=1000, blank=True)
    # No index of its own: article_source_pub_idx leads with it (every insert writes each index).
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="articles", db_index=False
    )
    original_source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="republished_articles",
        help_text="The outlet the story comes from, when this page republishes it.",
    )
    original_source_name = models.CharField(max_length=200, blank=True)
    feeds = models.ManyToManyField(Feed, through="ArticleFeed", related_name="articles")

    title = models.CharField(max_length=1000)
    earlier_titles = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True, help_text="Sanitised HTML from the feed.")
    body = models.TextField(blank=True, help_text="Clean text extracted from the page.")
    authors = models.JSONField(default=list, blank=True)
    # Indexed by article_language_pub_idx, which leads with it.
    language = models.CharField(max_length=10, blank=True)
    site_name = models.CharField(max_length=200, blank=True)

    published_at = models.DateTimeField(null=True, blank=True)
    published_unknown = models.BooleanField(
        "date unknown",
        default=False,
        help_text="The feed gave no plausible date: published_at is when the tracker first saw "
        "the entry.",
    )
    published_given = models.CharField(
        "date as given",
        max_length=100,
        blank=True,
        default="",
        help_text="The date the feed wrote, when it was not taken (before 1990, too far ahead, "
        "or unreadable).",
    )
    fetched_at = models.DateTimeField(null=True, blank=True, help_text="When the page was fetched.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    content_hash = models.CharField(max_length=64, blank=True)
    simhash = models.BigIntegerField(null=True, blank=True)
    # Indexed by article_cluster_idx, which leads with it.
    cluster = models.ForeignKey(
        StoryCluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        db_index=False,
    )
    extraction_status = models.CharField(
        max_length=20, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_error = models.TextField(blank=True)
    page_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Page fetches tried since the last success or editor's request."
    )
    page_retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When a page fetch that failed for now is tried again."
    )
    review_status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.UNREVIEWED
    )
    tagged_at = models.DateTimeField(null=True, blank=True)
    tagger_version = models.CharField(max_length=20, blank=True)
    # Written with the article (save, bulk_create, bulk_update) from its title, summary and
    # body; searched by articles.reading.search. On PostgreSQL a trigram index serves it.
    search_text = models.TextField(
        blank=True,
        default="",
        editable=False,
        help_text="Folded words of the title, summary and body, for search.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["url_hash"], name="article_url_hash_unique"),
            models.UniqueConstraint(
                fields=["source", "guid"], condition=~Q(guid=""), name="article_guid_unique"
            ),
        ]
        indexes = [
            # Dedupe finds a story's exact copies by the hash of their text.
            models.Index(fields=["content_hash"], name="article_content_hash_idx"),
            models.Index(fields=["review_status"], name="article_review_status_idx"),
            models.Index(fields=["-published_at", "-id"], name="article_published_idx"),
            # With the id, an outlet's articles are counted from the index alone.
            models.Index(
                fields=["source", "-published_at"], include=["id"], name="article_source_pub_idx"
            ),
            models.Index(fields=["cluster", "published_at"], name="article_cluster_idx"),
            # The link as a feed gave it, to recognise a story whose page named another URL.
            models.Index(fields=["url"], name="article_url_idx"),
            # Pages waiting to be fetched, first or again, by when they are due.
            models.Index(
                fields=["page_retry_at", "id"],
                condition=Q(extraction_status="pending"),
                name="article_page_due_idx",
            ),
            # The admin's "first fetched" filter: articles stored in the last days.
            models.Index(fields=["created_at"], name="article_created_idx"),
            # Counting a filtered list reads only indexes: articles of a language by date, and
            # the earlier copies of a story (the "one row per story" check).
            models.Index(
                fields=["language", "-published_at", "-id"],
                include=["cluster", "review_status", "source"],
                name="article_language_pub_idx",
            ),
            models.Index(
                fields=["cluster", "id"],
                include=["language", "published_at", "review_status"],
                condition=Q(cluster__isnull=False),
                name="article_cluster_copies_idx",
            ),
            # Story clustering reads the fingerprints of the clustered articles within a week
            # of a batch's dates: a thousand rows of 200,000, found without walking every
            # clustered article (1 ms instead of 13), and read from the index alone (PostgreSQL)
            # rather than from a thousand scattered table pages.
            models.Index(
                fields=["published_at"],
                include=["cluster", "simhash", "created_at"],
                condition=Q(cluster__isnull=False, simhash__isnull=False),
                name="article_dedupe_window_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or SEARCHED_FIELDS & set(fields):
            self.search_text_refresh()
            if fields is not None:
                kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    def search_text_refresh(self) -> None:
        """Work out the search text again from the title, summary and body in memory."""
        self.search_text = search_text(title=self.title, summary=self.summary, body=self.body)


class ArticleFeed(models.Model):
    """Which feeds carried an article, and when each first did."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feed_links")
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="article_links")
    entry_guid = models.CharField(max_length=1000, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "feed"], name="article_feed_unique")
        ]
        indexes = [models.Index(fields=["feed", "first_seen_at"])]

    def __str__(self) -> str:
        return f"{self.feed_id} carried {self.article_id}"


class FeedEntryError(models.Model):
    """A feed entry that could not be stored, with the reason; gone once it is stored."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entry_errors")
    entry_guid = models.CharField(max_length=1000)
    entry_link = models.CharField(max_length=2000, blank=True)
    entry_title = models.CharField(max_length=1000, blank=True)
    message = models.TextField(help_text="What went wrong, in plain words.")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = "feed entry error"
        constraints = [
            models.UniqueConstraint(fields=["feed", "entry_guid"], name="entry_error_unique")
        ]

    def __str__(self) -> str:
        return self.entry_title or self.entry_link or self.entry_guid


class RawKind(models.TextChoices):
    FEED = "feed", "Feed"
    PAGE = "page", "Article page"


class RawDocument(models.Model):
    """The bytes of a fetched feed or page, gzip-compressed and size-capped, for reprocessing."""

    kind = models.CharField(max_length=10, choices=RawKind.choices)
    url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000, blank=True)
    feed = models.ForeignKey(
        Feed, on_delete=models.CASCADE, null=True, blank=True, related_name="raw_documents"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="raw_documents"
    )
    fetched_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the uncompressed bytes.")
    size = models.PositiveIntegerField(help_text="Uncompressed size in bytes.")
    truncated = models.BooleanField(default=False)
    body_gz = models.BinaryField()

    class Meta:
        ordering = ["-fetched_at"]
        constraints = [
            # The same bytes for the same feed or article are kept once.
            models.UniqueConstraint(
                fields=["feed", "sha256"], condition=Q(kind="feed"), name="raw_feed_unique"
            ),
            models.UniqueConstraint(
                fields=["article", "sha256"], condition=Q(kind="page"), name="raw_page_unique"
            ),
        ]
        indexes = [models.Index(fields=["article", "-fetched_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url} ({self.fetched_at:%Y-%m-%d %H:%M})"


class MentionKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    OFFICIAL = "official", _("Official")
    POLICY = "policy", _("Policy")
    SUMMIT = "summit", _("Summit")


class MentionStatus(models.TextChoices):
    AUTO = "auto", _("Auto")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EDITOR_ADDED = "editor_added", _("Added by an editor")


# Statuses shown on pages and in exports; rejected tags are kept only so they never return.
VISIBLE_STATUSES = (MentionStatus.AUTO, MentionStatus.APPROVED, MentionStatus.EDITOR_ADDED)


class Mention(models.Model):
    """An article is about a country, official, policy or summit: exactly one of the four."""

    # Indexed by mention_article_idx, which leads with it.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    kind = models.CharField(max_length=10, choices=MentionKind.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentions",
        db_index=False,  # mention_country_idx leads with it
    )
    official = models.ForeignKey(
        Official,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentions",
        db_index=False,  # mention_official_idx leads with it
    )
    policy = models.ForeignKey(
        Policy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentions",
        db_index=False,  # mention_policy_idx leads with it
    )
    summit = models.ForeignKey(
        Summit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentions",
        db_index=False,  # mention_summit_idx leads with it
    )
    confidence = models.FloatField(default=1.0)
    method = models.CharField(max_length=40, blank=True, help_text="How the tagger found it.")
    evidence = models.TextField(blank=True, help_text="The sentence it was found in.")
    # Indexed by mention_review_idx, which leads with it.
    status = models.CharField(
        max_length=20, choices=MentionStatus.choices, default=MentionStatus.AUTO
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    sampled_for_review = models.BooleanField(
        default=False,
        db_default=False,  # rows copied in bulk (COPY, raw INSERT) name only the columns they set
        help_text="A confident tag drawn at random for review, to measure the tagger's precision.",
    )
    # Read-only, maintained by the database: a copy of the article's published_at, so
    # coverage reads and entity-filtered lists walk one index on mentions instead of joining
    # 200,000 articles. Database triggers (migration 0007) keep it equal to the article's on
    # every write path, COPY and bulk inserts included; whatever Django writes here is
    # overwritten. It cannot be a GeneratedField: it comes from another table. So after a
    # save() the value in memory is stale (None for a new mention): code that reads it after
    # a write calls refresh_from_db(fields=["published_at"]) first.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Read-only, maintained by the database in the same way (migration 0033): copies of the
    # article's outlet and story, so that a summit's outlets, press countries and stories and
    # a country's press coverage of the talks read one index on mentions instead of joining
    # every tagged article. No foreign key constraint: the article's own keeps them right.
    article_source = models.ForeignKey(
        Source,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # mention_summit_pub_idx and mention_summit_press_idx hold it
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    article_cluster = models.ForeignKey(
        StoryCluster,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        # Also maintained by the database, outside what Meta can declare in Django 5.2:
        # extended statistics (kind, <entity>_id) for each of the four kinds, so the planner
        # knows a tag names one entity of its kind (migration 0009, PostgreSQL only).
        ordering = ["kind", "-confidence"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="country",
                        country__isnull=False,
                        official__isnull=True,
                        policy__isnull=True,
                        summit__isnull=True,
                    )
                    | Q(
                        kind="official",
                        country__isnull=True,
                        official__isnull=False,
                        policy__isnull=True,
                        summit__isnull=True,
                    )
                    | Q(
                        kind="policy",
                        country__isnull=True,
                        official__isnull=True,
                        policy__isnull=False,
                        summit__isnull=True,
                    )
                    | Q(
                        kind="summit",
                        country__isnull=True,
                        official__isnull=True,
                        policy__isnull=True,
                        summit__isnull=False,
                    )
                ),
                name="mention_exactly_one_entity",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="mention_confidence_0_1",
            ),
            models.UniqueConstraint(
                fields=["article", "country"],
                condition=Q(kind="country"),
                name="mention_country_unique",
            ),
            models.UniqueConstraint(
                fields=["article", "official"],
                condition=Q(kind="official"),
                name="mention_official_unique",
            ),
            models.UniqueConstraint(
                fields=["article", "policy"],
                condition=Q(kind="policy"),
                name="mention_policy_unique",
            ),
            models.UniqueConstraint(
                fields=["article", "summit"],
                condition=Q(kind="summit"),
                name="mention_summit_unique",
            ),
        ]
        indexes = [
            # Each mention names one entity: its other three columns are NULL, which these
            # partial indexes leave out (a lookup by entity implies NOT NULL).
            models.Index(
                fields=["country", "article"],
                condition=Q(country__isnull=False),
                name="mention_country_idx",
            ),
            models.Index(
                fields=["official", "article"],
                condition=Q(official__isnull=False),
                name="mention_official_idx",
            ),
            models.Index(
                fields=["policy", "article"],
                condition=Q(policy__isnull=False),
                name="mention_policy_idx",
            ),
            models.Index(
                fields=["summit", "article"],
                condition=Q(summit__isnull=False),
                name="mention_summit_idx",
            ),
            models.Index(fields=["status", "confidence", "-created_at"], name="mention_review_idx"),
            # The review queue (auto-tags, newest first) reads this backwards and stops at a page.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status="auto"),
                name="mention_queue_idx",
            ),
            # The live precision of the random review sample (admin's desk): a few thousand
            # rows among millions, read without scanning the table.
            models.Index(
                fields=["kind", "status"],
                condition=Q(sampled_for_review=True),
                name="mention_sample_idx",
            ),
            # Visible tags of one entity by publication date: coverage charts and lists.
            *(
                models.Index(
                    fields=[kind, "published_at", "article"],
                    condition=Q(kind=kind, status__in=VISIBLE_STATUSES),
                    name=f"mention_{kind}_pub_idx",
                )
                for kind in ("country", "official", "policy")
            ),
            # Visible tags of one entity by article, newest last: an entity's latest articles,
            # whose other tags are its co-mentions, read backwards and stopped at the sample.
            *(
                models.Index(
                    fields=[kind, "article"],
                    condition=Q(kind=kind, status__in=VISIBLE_STATUSES),
                    name=f"mention_{kind}_latest_idx",
                )
                for kind in ("country", "official", "policy")
            ),
            # A meeting's also with its articles' outlets and stories: its coverage by outlet,
            # press country and story is read from the index alone.
            models.Index(
                fields=["summit", "published_at", "article"],
                include=["article_source", "article_cluster"],
                condition=Q(kind="summit", status__in=VISIBLE_STATUSES),
                name="mention_summit_pub_idx",
            ),
            # An article's tags with what they name: an entity's co-mentions (the other tags of
            # its latest 5,000 articles) are read from the index alone, whatever the planner
            # guesses of the table (a seq scan of 2M tags took seconds).
            models.Index(
                fields=["article"],
                include=["kind", "status", "country", "official", "policy", "summit"],
                name="mention_article_idx",
            ),
            # Meeting tags by their article's outlet: a country's press coverage of the talks.
            models.Index(
                fields=["article_source", "published_at", "article"],
                condition=Q(kind="summit", status__in=VISIBLE_STATUSES),
                name="mention_summit_press_idx",
            ),
            # Whether an article has a visible meeting tag, answered from the index alone: a
            # country's press coverage of the talks checks every article of its outlets.
            models.Index(
                fields=["article"],
                condition=Q(kind="summit", status__in=VISIBLE_STATUSES),
                name="mention_summit_article_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.entity}"

    @property
    def entity(self) -> Country | Official | Policy | Summit | None:
        return self.country or self.official or self.policy or self.summit


class MentionMonth(models.Model):
    """Visible tags of one entity in one month, as deltas: kept by the database (migration
    0036) on every write to tags, their status, entity or article's date, by any path; an
    entity's coverage per month and a meeting's number of articles are the sums of its rows.

    Writers only append rows (no row is locked, so two workers tagging articles of the same
    entity never wait on each other); readers fold an entity's rows into one per month
    (`articles.mention_months`). `month` is empty for tags of undated articles."""

    kind = models.CharField(max_length=10, choices=MentionKind.choices)
    entity_id = models.IntegerField()
    month = models.DateField(null=True, blank=True)
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "entity_id", "month"], include=["n"], name="mention_month_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.entity_id} {self.month}: {self.n:+d}"


class MentionReview(Mention):
    """The editors' review queue: uncertain auto-tags, newest first (admin only)."""

    class Meta:
        proxy = True
        verbose_name = "tag to review"
        verbose_name_plural = "tags to review"


class RetagStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RetagRun(models.Model):
    """Stored articles re-tagged in the background after an editor changed the knowledge base
    (an alias, an official, a policy), with what changed: the editor's receipt."""

    reason = models.CharField(max_length=500, help_text="What the editor changed.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    article_ids = models.JSONField(default=list, help_text="The articles to re-tag, in order.")
    status = models.CharField(
        max_length=10, choices=RetagStatus.choices, default=RetagStatus.QUEUED, db_index=True
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0, help_text="Articles re-tagged so far.")
    articles_changed = models.PositiveIntegerField(default=0)
    tags_added = models.PositiveIntegerField(default=0)
    tags_removed = models.PositiveIntegerField(default=0)
    examples = models.JSONField(
        default=list,
        blank=True,
        help_text="A few changed articles: id, title, tags added, removed.",
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "re-tagging run"

    def __str__(self) -> str:
        return f"Re-tagging {len(self.article_ids)} article(s): {self.reason}"


class CandidateKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    PERSON = "person", "Person"
    ALIAS = "alias", "Alias"


class CandidateStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Confirmed"
    MERGED = "merged", "Merged"
    DISMISSED = "dismissed", "Dismissed"


class DiscoveryCandidate(models.Model):
    """Something the news names that the knowledge base lacks: a meeting, a person, or another
    spelling of a known official. Only an editor's decision puts it in the knowledge base."""

    kind = models.CharField(max_length=10, choices=CandidateKind.choices, db_index=True)
    key = models.CharField(
        max_length=300, unique=True, help_text="What makes two findings the same candidate."
    )
    status = models.CharField(
        max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN, db_index=True
    )
    name = models.CharField(max_length=300, help_text="The proposed name or title.")
    title_seen = models.CharField(
        max_length=200, blank=True, help_text="People: the title the press gives them."
    )
    countries = models.JSONField(default=list, blank=True, help_text="ISO 3166-1 alpha-2 codes.")
    meeting_date = models.DateField(null=True, blank=True, help_text="Meetings: the likely day.")
    first_date = models.DateField(null=True, blank=True, help_text="The earliest article's day.")
    last_date = models.DateField(null=True, blank=True, help_text="The latest article's day.")
    article_count = models.PositiveIntegerField(default=0, db_index=True)
    articles = models.ManyToManyField(Article, related_name="discovery_candidates", blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="Sentences: article id, day, title, sentence."
    )
    official_ids = models.JSONField(
        default=list, blank=True, help_text="Meetings: the known officials seen meeting."
    )
    official = models.ForeignKey(
        Official,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="discovery_candidates",
        help_text="Aliases: the known official the name resembles; after a decision, the record.",
    )
    summit = models.ForeignKey(
        Summit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discovery_candidates",
        help_text="Meetings: the record an editor created from it.",
    )
    dismissed_article_ids = models.JSONField(
        default=list,
        blank=True,
        help_text="The evidence an editor dismissed: it is not proposed again for it.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-article_count", "-last_date", "pk"]
        verbose_name = "discovery candidate"
        indexes = [models.Index(fields=["kind", "status", "meeting_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class DiscoveryRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class DiscoveryRun(models.Model):
    """One pass of discovery over the articles tagged since the last one. At most one waits
    in the queue: feed runs that finish meanwhile join it (the debounce)."""

    status = models.CharField(
        max_length=10, choices=DiscoveryRunStatus.choices, default=DiscoveryRunStatus.QUEUED
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    scanned_until = models.DateTimeField(
        null=True, blank=True, help_text="Articles tagged up to this moment were read."
    )
    articles_read = models.PositiveIntegerField(default=0)
    candidates_new = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="queued"),
                name="discovery_run_one_queued",
            )
        ]

    def __str__(self) -> str:
        return f"Discovery {self.get_status_display().lower()} ({self.requested_at:%Y-%m-%d %H:%M})"
