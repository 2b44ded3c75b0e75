"""Filter parameters shared by the pages and the CSV exports.

Every list page and its "Download CSV" link take the same GET parameters, parsed here once.
A bad value raises FilterError with a sentence the user can act on (shown with status 400).
"""

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from articles.models import VISIBLE_STATUSES, Article, Mention, ReviewStatus, Source
from summits.models import Country, Official, Policy, Summit, SummitKind

MAX_QUERY_LENGTH = 200


class FilterError(ValueError):
    """A filter parameter the user gave cannot be understood."""


def _date(params: QueryDict, name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise FilterError(f"“{raw}” is not a date: use YYYY-MM-DD for {name}.") from exc


def _one(model: Any, field: str, raw: str, label: str) -> Any:
    if not raw:
        return None
    obj = model.objects.filter(**{field: raw}).first()
    if obj is None:
        raise FilterError(f"There is no {label} “{raw}”.")
    return obj


def _choice(raw: str, choices: Any, label: str) -> str:
    if raw and raw not in choices.values:
        allowed = ", ".join(choices.values)
        raise FilterError(f"“{raw}” is not a {label}; use one of: {allowed}.")
    return raw


def _date_range(params: QueryDict) -> tuple[date | None, date | None]:
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if date_from and date_to and date_from > date_to:
        raise FilterError("The start date is after the end date.")
    return date_from, date_to


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def visible_mentions(**lookup: Any) -> QuerySet[Mention]:
    return Mention.objects.filter(status__in=VISIBLE_STATUSES, **lookup)


@dataclass
class ArticleFilters:
    q: str = ""
    source: Source | None = None
    country: Country | None = None
    official: Official | None = None
    policy: Policy | None = None
    summit: Summit | None = None
    date_from: date | None = None
    date_to: date | None = None
    language: str = ""
    status: str = ""
    per: str = "story"  # "story": one row per story cluster; "copy": every copy

    @classmethod
    def from_query(cls, params: QueryDict) -> "ArticleFilters":
        q = params.get("q", "").strip()
        if len(q) > MAX_QUERY_LENGTH:
            raise FilterError(f"The search is too long: at most {MAX_QUERY_LENGTH} characters.")
        source_raw = params.get("source", "").strip()
        if source_raw and not source_raw.isdigit():
            raise FilterError(f"“{source_raw}” is not a source id.")
        per = params.get("per", "story").strip() or "story"
        if per not in ("story", "copy"):
            raise FilterError("per must be “story” (one row per story) or “copy” (every copy).")
        language = params.get("language", "").strip().lower()
        if language and (len(language) > 10 or not language.replace("-", "").isalpha()):
            raise FilterError(f"“{language}” is not a language code such as en, es or fr.")
        date_from, date_to = _date_range(params)
        return cls(
            q=q,
            source=_one(Source, "pk", source_raw, "source"),
            country=_one(Country, "iso2", params.get("country", "").strip().upper(), "country"),
            official=_one(Official, "slug", params.get("official", "").strip(), "official"),
            policy=_one(Policy, "slug", params.get("policy", "").strip(), "policy"),
            summit=_one(Summit, "slug", params.get("summit", "").strip(), "summit"),
            date_from=date_from,
            date_to=date_to,
            language=language,
            status=_choice(params.get("status", "").strip(), ReviewStatus, "review status"),
            per=per,
        )

    def apply(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        """Narrow a queryset of articles to these filters (search ranking is left to callers)."""
        qs = queryset
        if self.source:
            qs = qs.filter(Q(source=self.source) | Q(original_source=self.source))
        # Naming the kind lets PostgreSQL use the entity's partial tag index. A tag carries its
        # article's date (kept by triggers), so with a date bound (the date is then not null)
        # the check is one probe of that index and never reads the tag rows.
        dated = self.date_from is not None or self.date_to is not None
        for field in ("country", "official", "policy", "summit"):
            entity = getattr(self, field)
            if entity is not None:
                tag: dict[str, Any] = {"article": OuterRef("pk"), "kind": field, field: entity}
                if dated:
                    tag["published_at"] = OuterRef("published_at")
                qs = qs.filter(Exists(visible_mentions(**tag)))
        if self.date_from:
            qs = qs.filter(published_at__gte=_start_of(self.date_from))
        if self.date_to:
            qs = qs.filter(published_at__lt=_start_of(self.date_to + timedelta(days=1)))
        if self.language:
            qs = qs.filter(language=self.language)
        if self.status:
            qs = qs.filter(review_status=self.status)
        if self.q:
            from articles.reading.search import search_filter

            qs = search_filter(qs, self.q)
        return qs

    def as_query(self, **overrides: Any) -> dict[str, str]:
        """The GET parameters that reproduce these filters (for links and CSV downloads)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        out = {
            "q": values["q"],
            "source": str(values["source"].pk) if values["source"] else "",
            "country": values["country"].iso2 if values["country"] else "",
            "official": values["official"].slug if values["official"] else "",
            "policy": values["policy"].slug if values["policy"] else "",
            "summit": values["summit"].slug if values["summit"] else "",
            "from": values["date_from"].isoformat() if values["date_from"] else "",
            "to": values["date_to"].isoformat() if values["date_to"] else "",
            "language": values["language"],
            "status": values["status"],
            "per": "" if values["per"] == "story" else values["per"],
        }
        return {key: value for key, value in out.items() if value}

    @property
    def active(self) -> bool:
        return bool({k for k in self.as_query() if k != "per"})


@dataclass
class SummitFilters:
    country: Country | None = None
    official: Official | None = None
    policy: Policy | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_query(cls, params: QueryDict) -> "SummitFilters":
        date_from, date_to = _date_range(params)
        return cls(
            country=_one(Country, "iso2", params.get("country", "").strip().upper(), "country"),
            official=_one(Official, "slug", params.get("official", "").strip(), "official"),
            policy=_one(Policy, "slug", params.get("policy", "").strip(), "policy"),
            kind=_choice(params.get("kind", "").strip(), SummitKind, "kind of meeting"),
            date_from=date_from,
            date_to=date_to,
        )

    def apply(self, queryset: QuerySet[Summit]) -> QuerySet[Summit]:
        qs = queryset
        if self.country:
            qs = qs.filter(Q(countries=self.country) | Q(country=self.country))
        if self.official:
            qs = qs.filter(participants__official=self.official)
        if self.policy:
            qs = qs.filter(policies=self.policy)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.date_from:
            qs = qs.filter(end_date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(start_date__lte=self.date_to)
        return qs.distinct()

    def as_query(self) -> dict[str, str]:
        out = {
            "country": self.country.iso2 if self.country else "",
            "official": self.official.slug if self.official else "",
            "policy": self.policy.slug if self.policy else "",
            "kind": self.kind,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in out.items() if value}
