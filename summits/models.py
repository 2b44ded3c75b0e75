"""The knowledge base: countries, officials and their roles over time, policies, summits.

Rows that come from the reference data carry `curated`: once an editor changes a row in
admin it is set, and `load_reference` leaves that row (and its aliases, tenures and
participants) alone from then on.
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from summits.citations import validate_deep_link
from summits.cues import cue_groups
from summits.dates import DatePrecision


def precision_field(what: str) -> models.CharField:
    return models.CharField(
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=f"How exactly {what} is known; a coarser date is a placeholder in its window.",
    )


class ReferenceRecord(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    needs_review = models.BooleanField(
        default=False,
        db_index=True,
        help_text="A fact here is uncertain (a date, a role); an editor should check it.",
    )
    review_note = models.TextField(blank=True, help_text="What is uncertain and why.")
    curated = models.BooleanField(
        default=False,
        help_text="Changed by an editor: load_reference no longer updates this record.",
    )

    class Meta:
        abstract = True


class Country(models.Model):
    iso2 = models.CharField("ISO 3166-1 alpha-2", max_length=2, unique=True)
    iso3 = models.CharField("ISO 3166-1 alpha-3", max_length=3, unique=True)
    name_en = models.CharField(max_length=100)
    name_es = models.CharField(max_length=100)
    name_fr = models.CharField(max_length=100)
    # Demonyms and adjectives in every gender and number the press uses them in.
    demonyms_en = models.JSONField(default=list, blank=True)
    demonyms_es = models.JSONField(default=list, blank=True)
    demonyms_fr = models.JSONField(default=list, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text='Other names: "U.S.", "EE.UU."')
    is_core = models.BooleanField(default=False, help_text="One of the US, Mexico and Canada.")
    curated = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_core", "name_en"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name_en

    @property
    def local_name(self) -> str:
        """The name in the language of the page."""
        return _in_language(self, "name", self.name_en)


def _in_language(record: models.Model, field: str, fallback: str) -> str:
    """A record's `field_es` or `field_fr` for a Spanish or French page, when it is filled in."""
    language = (get_language() or "en")[:2]
    if language in ("es", "fr"):
        return getattr(record, f"{field}_{language}", "") or fallback
    return fallback


class Official(ReferenceRecord):
    name = models.CharField(max_length=200, help_text="Canonical name, with its diacritics.")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="officials")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "name"])]

    def __str__(self) -> str:
        return self.name


class OfficialAlias(models.Model):
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text="A nickname, spelling or short form.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "official aliases"
        constraints = [
            models.UniqueConstraint(fields=["official", "name"], name="official_alias_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    HEAD_OF_GOVERNMENT = "head_of_government", _("Head of state or government")
    FOREIGN_MINISTER = "foreign_minister", _("Foreign minister")
    SECURITY_MINISTER = "security_minister", _("Homeland security / interior minister")
    IMMIGRATION_MINISTER = "immigration_minister", _("Immigration minister")
    PUBLIC_SAFETY_MINISTER = "public_safety_minister", _("Public safety / border minister")
    AMBASSADOR = "ambassador", _("Ambassador")
    ADVISER = "adviser", _("Adviser or envoy")
    DEPUTY = "deputy", _("Deputy minister or senior official")
    OTHER = "other", _("Other")


class RoleTenure(models.Model):
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="tenures")
    office = models.CharField(
        max_length=200, help_text='As styled: "Secretary of Homeland Security".'
    )
    office_es = models.CharField(
        "office in Spanish", max_length=300, blank=True, help_text="For the Spanish pages."
    )
    office_fr = models.CharField(
        "office in French", max_length=300, blank=True, help_text="For the French pages."
    )
    role = models.CharField(max_length=40, choices=Role.choices, db_index=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="tenures",
        help_text="The government the office belongs to.",
    )
    agency = models.CharField(max_length=200, blank=True)
    start = models.DateField()
    start_precision = precision_field("the first day")
    end = models.DateField(null=True, blank=True, help_text="Empty while in office.")
    end_precision = precision_field("the last day")
    needs_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["official", "office", "start"], name="tenure_unique_per_office_start"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="tenure_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["country", "role", "start"])]

    def __str__(self) -> str:
        end = self.end.isoformat() if self.end else "present"
        return f"{self.office} ({self.start.isoformat()} to {end})"

    @property
    def local_office(self) -> str:
        """The office as styled in the language of the page; in English where not known."""
        return _in_language(self, "office", self.office)


class Policy(ReferenceRecord):
    name = models.CharField(max_length=200)
    name_es = models.CharField(
        "name in Spanish",
        max_length=200,
        blank=True,
        help_text="Its official Spanish name, if any.",
    )
    name_fr = models.CharField(
        "name in French", max_length=200, blank=True, help_text="Its official French name, if any."
    )
    description = models.TextField(blank=True)
    countries = models.ManyToManyField(Country, related_name="policies", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the language of the page; the English name where it has none."""
        return _in_language(self, "name", self.name)


class PolicyAlias(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text='Abbreviation or everyday name: "MPP".')

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "policy aliases"
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="policy_alias_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PolicyStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed or announced")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPANDED = "expanded", _("Expanded")
    AMENDED = "amended", _("Amended")
    SUSPENDED = "suspended", _("Suspended")
    BLOCKED = "blocked", _("Blocked by a court")
    REINSTATED = "reinstated", _("Reinstated")
    ENDED = "ended", _("Ended")


class PolicyEvent(models.Model):
    """A dated change in a policy's status: its key dates."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    date_precision = precision_field("the date")
    status = models.CharField(max_length=20, choices=PolicyStatus.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "date", "status"], name="policy_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_status_display()}"


class SummitKind(models.TextChoices):
    LEADERS_SUMMIT = "leaders_summit", _("Leaders' summit")
    MINISTERIAL = "ministerial", _("Ministerial meeting")
    BILATERAL_VISIT = "bilateral_visit", _("Bilateral visit")
    HIGH_LEVEL_DIALOGUE = "high_level_dialogue", _("High-level dialogue")
    MULTILATERAL = "multilateral", _("Multilateral meeting")
    LEADERS_CALL = "leaders_call", _("Leaders' phone call")
    VIRTUAL_MEETING = "virtual_meeting", _("Virtual meeting")


class SummitStatus(models.TextChoices):
    HELD = "held", _("Held")
    PLANNED = "planned", _("Planned")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class Summit(ReferenceRecord):
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=30, choices=SummitKind.choices, db_index=True)
    status = models.CharField(
        max_length=12,
        choices=SummitStatus.choices,
        default=SummitStatus.HELD,
        db_index=True,
        help_text="Planned, postponed and cancelled meetings keep their intended dates.",
    )
    start_date = models.DateField(db_index=True)
    end_date = models.DateField()
    date_precision = precision_field("the meeting's dates are")
    city = models.CharField(max_length=120, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="hosted_summits", null=True, blank=True
    )
    countries = models.ManyToManyField(Country, related_name="summits", blank=True)
    policies = models.ManyToManyField(
        Policy, related_name="summits", blank=True, through="SummitPolicy"
    )
    outcome = models.TextField("outcome summary", blank=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text='Nicknames in the press: "Three Amigos summit".'
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="summit_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date.isoformat()})"


class SummitParticipant(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="participants")
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=200, help_text="The official's role on the summit's date.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "official"], name="participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.official} — {self.role}"


class PolicyEffect(models.TextChoices):
    DISCUSSED = "discussed", _("Discussed")
    ANNOUNCED = "announced", _("Announced")
    CHANGED = "changed", _("Changed")
    EXTENDED = "extended", _("Extended")
    ENDED = "ended", _("Ended")


class SummitPolicy(models.Model):
    """A policy on a meeting's table, and what the meeting did to it."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="policy_links")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="summit_links")
    effect = models.CharField(
        max_length=12,
        choices=PolicyEffect.choices,
        default=PolicyEffect.DISCUSSED,
        help_text="What the meeting's outcome did to the policy: announced, changed, extended "
        "or ended it, or only discussed it.",
    )

    class Meta:
        # The table Django made for the plain many-to-many relation, kept with its rows.
        db_table = "summits_summit_policies"
        unique_together = [("summit", "policy")]
        ordering = ["pk"]
        verbose_name = "policy on the table"
        verbose_name_plural = "policies on the table"

    def __str__(self) -> str:
        return f"{self.policy} — {self.get_effect_display()}"


class CitationKind(models.TextChoices):
    PRIMARY = "primary", _("Primary document")
    NEWS = "news", _("News article")
    SECONDARY = "secondary", _("Secondary source")


class Citation(models.Model):
    """A source a researcher can cite: a deep link with its title, publisher and date."""

    url = models.URLField(max_length=500, validators=[validate_deep_link])
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    date = models.DateField(null=True, blank=True, help_text="Publication date.")
    kind = models.CharField(
        max_length=10,
        choices=CitationKind.choices,
        help_text="Primary: readout, joint statement, release, official gazette. "
        "News: a specific article. Secondary: an encyclopedia or overview.",
    )

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}"


class OfficialCitation(Citation):
    parent_field: ClassVar[str] = "official"
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["official", "url"], name="official_citation_unique")
        ]


class PolicyCitation(Citation):
    parent_field: ClassVar[str] = "policy"
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["policy", "url"], name="policy_citation_unique")
        ]


class SummitCitation(Citation):
    parent_field: ClassVar[str] = "summit"
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["summit", "url"], name="summit_citation_unique")
        ]


class Recogniser(models.Model):
    """Words that refer to a policy or a meeting without naming it, when they meet in a sentence.

    `cues` holds one group of words per line, the words separated by commas: a sentence
    refers to the policy or meeting when it contains a word of every group (for example
    'visa, visas, visado' / 'Mexican, mexicano, mexicain' / 'Canada, Ottawa'). Plural and
    feminine forms in English, Spanish and French are added to each word; a word ending in
    '*' matches any ending ('deport*'). Matching ignores case and accents.
    """

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, null=True, blank=True, related_name="recognisers"
    )
    summit = models.ForeignKey(
        Summit, on_delete=models.CASCADE, null=True, blank=True, related_name="recognisers"
    )
    cues = models.TextField(
        help_text="One group per line, words separated by commas. A sentence must contain a "
        "word of every group. Plurals and feminine forms (en/es/fr) are added; end a word "
        "with * to match any ending."
    )
    confidence = models.FloatField(
        default=0.8,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="The confidence of a tag it makes; below the review threshold it is reviewed.",
    )
    valid_from = models.DateField(
        null=True, blank=True, help_text="Only for articles published on or after this day."
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="Only for articles published on or before this day."
    )
    note = models.CharField(max_length=300, blank=True, help_text="What it catches, an example.")
    curated = models.BooleanField(
        default=False,
        help_text="Changed by an editor: load_reference no longer updates this recogniser.",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(policy__isnull=False, summit__isnull=True))
                | Q(policy__isnull=True, summit__isnull=False),
                name="recogniser_one_target",
            ),
        ]

    def __str__(self) -> str:
        return " + ".join(line.split(",")[0].strip() for line in self.cues.splitlines() if line)

    def clean(self) -> None:
        if (self.policy_id is None) == (self.summit_id is None):
            raise ValidationError("A recogniser refers to one policy or one summit.")
        try:
            cue_groups(self.cues)
        except ValueError as exc:
            raise ValidationError({"cues": str(exc)}) from exc
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "The window ends before it starts."})


class FormerSlug(models.Model):
    """A slug a summit, official or policy had before an editor changed it: old links to it
    are redirected (summits.slugs)."""

    kind = models.CharField(
        max_length=10,
        choices=[("summit", "Summit"), ("official", "Official"), ("policy", "Policy")],
    )
    slug = models.SlugField(max_length=120)
    object_id = models.PositiveBigIntegerField(
        help_text="The id of the summit, official or policy."
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "former slug"
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="former_slug_unique")]

    def __str__(self) -> str:
        return f"{self.kind} “{self.slug}”"
