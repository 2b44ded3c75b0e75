"""Request parameters, parsed in one place for the pages, the CSV exports and the admin.

Every list page and its "Download CSV" link take the same GET parameters, parsed here once.
A bad value raises FilterError with a sentence the user can act on (shown with status 400).
The same rules hold everywhere:

- Text the database cannot take (NUL, half of a surrogate pair) is refused, in a parameter
  or in the address itself (`request_problem`, run for every request by the middleware).
- A parameter given twice is refused: one value per parameter, never "the last one wins".
- A parameter a page or export does not take is refused, naming the ones it takes
  (`accepts`); the link-tracking parameters that sites add to shared links are ignored.
- Numbers are ASCII digits within bounds; dates are YYYY-MM-DD within FIRST_DAY..LAST_DAY.
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.admin import SimpleListFilter
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BinaryField, DateTimeField, Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext, gettext_lazy, pgettext

from articles.models import VISIBLE_STATUSES, Article, Mention, ReviewStatus, Source
from articles.reading.search import search_filter
from summits.models import Country, Official, Policy, Summit, SummitKind

MAX_QUERY_LENGTH = 200
# Deeper than this, a list is better narrowed by its filters or read as a CSV export.
MAX_PAGE = 10_000
# Ids are 64-bit; a longer number cannot be one.
MAX_ID_DIGITS = 18
# Added by other sites to the links they share; pages and exports ignore them.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga"})
ARTICLE_PARAMS = (
    "q",
    "source",
    "country",
    "official",
    "policy",
    "summit",
    "from",
    "to",
    "language",
    "status",
    "per",
)
SUMMIT_PARAMS = ("country", "official", "policy", "kind", "from", "to")
# The home timeline also takes `lanes`: what to draw under the meetings.
HOME_PARAMS = (*SUMMIT_PARAMS, "lanes")
LANE_KINDS = ("policies",)
# The admin's pop-up parameter naming the field it returns.
ADMIN_TO_FIELD = "_to_field"
# PostgreSQL refuses NUL in text; a lone surrogate cannot be encoded as UTF-8.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


class FilterError(ValueError):
    """A filter parameter the user gave cannot be understood."""


def shown(value: str, limit: int = 40) -> str:
    """A value quoted back to the user: invisible characters made visible, long ones cut."""
    visible = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode()
        for ch in value[:limit]
    )
    return visible + ("…" if len(value) > limit else "")


def text_problem(text: str, what: str) -> str | None:
    """Why the database cannot take this text (NUL, a lone surrogate), or None."""
    found = _NOT_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return gettext(
            "%(what)s contains a NUL character (\\x00), which is not text: remove it."
        ) % {"what": what}
    return gettext("%(what)s contains half of a character (U+%(code)s): remove it.") % {
        "what": what,
        "code": f"{ord(found.group()):04X}",
    }


def _tracking(name: str) -> bool:
    return name in TRACKING_PARAMS or name.startswith("utm_")


def request_problem(*, path: str, params: QueryDict) -> str | None:
    """What makes a request unreadable for any view (page, export or admin), or None."""
    problem = text_problem(path, gettext("The address"))
    if problem:
        return problem
    for name, given in params.lists():
        what = gettext("The parameter “%(name)s”") % {"name": shown(name)}
        problem = text_problem(name, gettext("A parameter name")) or next(
            filter(None, (text_problem(value, what) for value in given)), None
        )
        if problem:
            return problem
        if len(given) > 1 and not _tracking(name):
            values = ", ".join(f"“{shown(value, 20)}”" for value in given[:5])
            return gettext(
                "%(what)s is given %(times)s times (%(values)s): give it once. "
                "A filter takes one value."
            ) % {"what": what, "times": len(given), "values": values}
    return None


def _field(model: type[Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _value_problem(field: Any, value: str) -> str | None:
    """Why `value` cannot be a value of the model field, or None."""
    if field.is_relation and field.related_model is not None:
        target = field.related_model._meta.pk
        # The admin splits a many-to-many value on commas.
        for item in value.split(",") if field.many_to_many else [value]:
            try:
                target.run_validators(target.get_prep_value(target.to_python(item)))
            except (ValidationError, ValueError, TypeError, OverflowError):
                verbose = field.related_model._meta.verbose_name
                return f"“{shown(item)}” is not the id of a {verbose}."
        return None
    try:
        field.to_python(value)
    # Third-party fields raise what they like on text they cannot read (a time zone field,
    # KeyError); any of it means the value is not one of theirs.
    except Exception:
        return f"“{shown(value)}” is not a valid {field.verbose_name}."
    return None


def admin_problem(model_admin: Any, params: QueryDict, *, view: str) -> str | None:
    """What an admin page (`view`: changelist_view, add_view…) of a ModelAdmin cannot take.

    Django's admin fails, instead of refusing, on a pop-up's `_to_field` that names a
    relation, on a list lookup its field cannot read (`?body_gz=` on bytes), and on an add
    form's initial value its field cannot draw (`?countries=:`, any `?published_at=`).
    """
    model = model_admin.model
    # A list filter's own parameter (a typed name, say) is read by the filter, not the field.
    own = {
        spec.parameter_name
        for spec in model_admin.list_filter
        if isinstance(spec, type) and issubclass(spec, SimpleListFilter)
    }
    to_field = params.get(ADMIN_TO_FIELD)
    if to_field is not None:
        field = _field(model, to_field)
        if field is None or not field.concrete:
            return f"“{shown(to_field)}” is not a field that a pop-up can return."
    if view not in ("changelist_view", "add_view"):
        return None
    for name in params:
        value = params.get(name, "")
        lookup = name.removesuffix("__exact") if view == "changelist_view" else name
        field = _field(model, lookup) if "__" not in lookup else None
        if field is None or not field.concrete or (view == "changelist_view" and name in own):
            continue
        if view == "changelist_view" and isinstance(field, BinaryField):
            return f"Lists cannot be filtered by {name}."
        if view == "add_view" and isinstance(field, DateTimeField):
            # Its two-box widget cannot draw text given as an initial value.
            return f"The add form does not take {name} from the address: enter it in the form."
        problem = _value_problem(field, value)
        if problem:
            return problem
    return None


def params_accept(params: QueryDict, accepted: Iterable[str], where: str, note: str = "") -> None:
    """FilterError unless every parameter is readable, given once and one `where` takes."""
    problem = request_problem(path="", params=params)
    if problem:
        raise FilterError(problem)
    names = tuple(accepted)
    unknown = sorted(name for name in params if name not in names and not _tracking(name))
    if unknown:
        listed = ", ".join(names) if names else pgettext("no parameters", "none")
        raise FilterError(
            gettext(
                "%(where)s does not take the parameter “%(name)s”; it takes: %(listed)s%(note)s."
            )
            % {"where": where, "name": shown(unknown[0]), "listed": listed, "note": note}
        )


View = Callable[..., Any]


def accepts(*names: str) -> Callable[[View], View]:
    """A view that takes these GET parameters and refuses others (FilterError, a 400)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: Any, *args: Any, **kwargs: Any) -> Any:
            params_accept(request.GET, names, gettext("This page"))
            return view(request, *args, **kwargs)

        checked.accepted_params = names  # type: ignore[attr-defined]
        return checked

    return decorate


def client_address(request: HttpRequest) -> str:
    """The client's IP address: from the trusted proxy header when one is configured.

    With TRACKER_CLIENT_IP_HEADER set, the address TRACKER_TRUSTED_PROXY_COUNT places from
    the right of that header is the one the outermost trusted proxy saw; entries further left
    were written by the client and are never trusted. A header that is missing, too short or
    not an address leaves the connection's address (the proxy's), never one the client chose.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.TRACKER_CLIENT_IP_HEADER
    if not header:
        return remote
    raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    hops = [part.strip() for part in raw.split(",") if part.strip()]
    count = settings.TRACKER_TRUSTED_PROXY_COUNT
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def whole_number(raw: str) -> int | None:
    """A non-negative whole number written in ASCII digits, small enough to be an id; else None."""
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        return int(raw)
    return None


def page_number(params: QueryDict) -> int:
    """The `page` parameter: 1 when absent, else a whole number from 1 to MAX_PAGE."""
    raw = params.get("page", "").strip() or "1"
    number = whole_number(raw)
    digits = raw.isascii() and raw.isdigit()
    if not digits or number == 0:
        raise FilterError(
            gettext("“%(value)s” is not a page number: use 1, 2, 3…") % {"value": shown(raw)}
        )
    if number is None or number > MAX_PAGE:
        raise FilterError(
            gettext(
                "Pages go up to %(last)s: narrow the filters, or download the CSV for everything."
            )
            % {"last": f"{MAX_PAGE:,}"}
        )
    return number


# The dates a filter may name: generous around the news the tracker holds, and far enough from
# the calendar's ends that date arithmetic (the day after `to`) can never overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _date(params: QueryDict, name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise FilterError(
            gettext("“%(value)s” is not a date: use YYYY-MM-DD for %(name)s.")
            % {"value": shown(raw), "name": name}
        ) from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FilterError(
            gettext(
                "“%(value)s” is outside the dates the tracker covers: use a date from "
                "%(first)s to %(last)s for %(name)s, or leave it out."
            )
            % {
                "value": shown(raw),
                "first": FIRST_DAY.isoformat(),
                "last": LAST_DAY.isoformat(),
                "name": name,
            }
        )
    return day


# Whole sentences per kind, so that each language can say them its own way.
_NOT_FOUND = {
    "source": gettext_lazy("There is no source “%(value)s”."),
    "country": gettext_lazy("There is no country “%(value)s”."),
    "official": gettext_lazy("There is no official “%(value)s”."),
    "policy": gettext_lazy("There is no policy “%(value)s”."),
    "summit": gettext_lazy("There is no summit “%(value)s”."),
}
_NOT_A_CHOICE = {
    "review status": gettext_lazy("“%(value)s” is not a review status; use one of: %(allowed)s."),
    "kind of meeting": gettext_lazy(
        "“%(value)s” is not a kind of meeting; use one of: %(allowed)s."
    ),
}


def not_found(label: str, value: str) -> str:
    """'There is no country “ZZ”.' in the language of the page (a 400's or a 404's words)."""
    message = _NOT_FOUND.get(label, f"There is no {label} “%(value)s”.")
    return str(message) % {"value": shown(value)}


def _one(model: Any, field: str, raw: str, label: str) -> Any:
    if not raw:
        return None
    obj = model.objects.filter(**{field: raw}).first()
    if obj is None:
        raise FilterError(not_found(label, raw))
    return obj


# A domain as Source.domain keeps it: lower-case host name, no scheme, path or spaces.
_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")


def source_find(raw: str) -> Source | None:
    """The `source` parameter: a source's domain (elpais.com), or, as older links have it,
    its number; None when absent."""
    raw = raw.strip()
    if not raw:
        return None
    number = whole_number(raw)
    if number is not None:
        found = Source.objects.filter(pk=number).first()
    elif raw.isascii() and raw.isdigit():
        raise FilterError(f"“{shown(raw)}” is not a source id: give the source's domain instead.")
    elif _DOMAIN.fullmatch(raw.lower().removeprefix("www.")):
        found = Source.objects.filter(domain=raw.lower().removeprefix("www.")).first()
    else:
        raise FilterError(f"“{shown(raw)}” is not a source: give its domain, such as elpais.com.")
    if found is None:
        raise FilterError(
            f"There is no source “{shown(raw)}”: give its domain, such as elpais.com."
        )
    return found


def _choice(raw: str, choices: Any, label: str) -> str:
    if raw and raw not in choices.values:
        message = _NOT_A_CHOICE.get(
            label, f"“%(value)s” is not a {label}; use one of: %(allowed)s."
        )
        raise FilterError(
            str(message) % {"value": shown(raw), "allowed": ", ".join(choices.values)}
        )
    return raw


def lanes_option(params: QueryDict) -> str:
    """The home timeline's `lanes` parameter: "" (none) or one of LANE_KINDS."""
    raw = params.get("lanes", "").strip()
    if raw and raw not in LANE_KINDS:
        raise FilterError(
            f"“{shown(raw)}” is not a kind of lane; use one of: {', '.join(LANE_KINDS)}."
        )
    return raw


def _date_range(params: QueryDict) -> tuple[date | None, date | None]:
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if date_from and date_to and date_from > date_to:
        raise FilterError(gettext("The start date is after the end date."))
    return date_from, date_to


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The first moment after the day."""
    return start_of(day + timedelta(days=1))


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
        per = params.get("per", "story").strip() or "story"
        if per not in ("story", "copy"):
            raise FilterError("per must be “story” (one row per story) or “copy” (every copy).")
        language = params.get("language", "").strip().lower()
        if language and (len(language) > 10 or not language.replace("-", "").isalpha()):
            raise FilterError(f"“{shown(language)}” is not a language code such as en, es or fr.")
        date_from, date_to = _date_range(params)
        return cls(
            q=q,
            source=source_find(params.get("source", "")),
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

    def apply(
        self, queryset: QuerySet[Article], *, per_row: bool = False, walk: bool = False
    ) -> QuerySet[Article]:
        """Narrow a queryset of articles to these filters (search ranking is left to callers).

        `per_row`, `walk`: the filters are a check made article by article (see search_filter).
        """
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
            qs = qs.filter(published_at__gte=start_of(self.date_from))
        upper = end_of(self.date_to) if self.date_to else None
        if upper:
            qs = qs.filter(published_at__lt=upper)
        if self.language:
            qs = qs.filter(language=self.language)
        if self.status:
            qs = qs.filter(review_status=self.status)
        if self.q:
            qs = search_filter(qs, self.q, per_row=per_row, walk=walk)
        return qs

    def as_query(self, **overrides: Any) -> dict[str, str]:
        """The GET parameters that reproduce these filters (for links and CSV downloads)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        out = {
            "q": values["q"],
            "source": values["source"].domain if values["source"] else "",
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
