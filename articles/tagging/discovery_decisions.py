"""Editors' decisions on discovery candidates: confirm, merge, dismiss.

Confirming writes a prefilled knowledge-base record marked for review (a meeting, an
official with the title the press gave them, or an alias); merging adds the name as an alias
of an official the editor picks; dismissing remembers the evidence so it is not proposed
again. The caller re-tags the candidate's articles afterwards.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import CandidateKind, CandidateStatus, DiscoveryCandidate
from articles.tagging.discovery import CORE
from summits.dates import DatePrecision
from summits.models import (
    Country,
    Official,
    OfficialAlias,
    Role,
    RoleTenure,
    Summit,
    SummitKind,
    SummitParticipant,
)

_OPEN = CandidateStatus.OPEN


def _slug(model: type[Summit | Official], text: str) -> str:
    base = slugify(text)[:100] or "record"
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _decided(candidate: DiscoveryCandidate, status: str, user: object) -> None:
    candidate.status = status
    candidate.decided_by_id = getattr(user, "pk", None)
    candidate.decided_at = timezone.now()


def _locked(candidate: DiscoveryCandidate) -> DiscoveryCandidate:
    """The candidate's row, locked; a decision already taken is an error in plain words."""
    row = DiscoveryCandidate.objects.select_for_update().get(pk=candidate.pk)
    if row.status != _OPEN:
        raise ValidationError(f"This candidate was already {row.get_status_display().lower()}.")
    return row


def _role_on(official: Official, on: date) -> RoleTenure | None:
    return (
        official.tenures.filter(start__lte=on)
        .exclude(end__lt=on)
        .order_by("-start")
        .select_related("country")
        .first()
    )


def _meeting_kind(candidate: DiscoveryCandidate, officials: list[Official], on: date) -> str:
    heads = [o for o in officials if (t := _role_on(o, on)) and t.role == Role.HEAD_OF_GOVERNMENT]
    remote = candidate.name.endswith(" call")
    if remote:
        return SummitKind.LEADERS_CALL if len(heads) >= 2 else SummitKind.VIRTUAL_MEETING
    if len(heads) >= 2:
        return (
            SummitKind.LEADERS_SUMMIT
            if len(candidate.countries) >= 3
            else (SummitKind.BILATERAL_VISIT)
        )
    return SummitKind.MINISTERIAL


def _review_note(candidate: DiscoveryCandidate) -> str:
    return (
        f"Proposed by discovery from {candidate.article_count} article(s) published "
        f"{candidate.first_date} to {candidate.last_date}. Check the date, kind, place and "
        "people against a primary source, and add its citation."
    )


def _meeting_create(candidate: DiscoveryCandidate) -> Summit:
    on = candidate.meeting_date or candidate.first_date or timezone.localdate()
    officials = list(Official.objects.filter(pk__in=candidate.official_ids).order_by("name"))
    summit = Summit(
        slug=_slug(Summit, f"{candidate.name} {on.isoformat()}"),
        title=candidate.name,
        kind=_meeting_kind(candidate, officials, on),
        start_date=on,
        end_date=on,
        date_precision=DatePrecision.DAY,
        needs_review=True,
        review_note=_review_note(candidate),
        curated=True,
    )
    summit.full_clean()
    summit.save()
    summit.countries.set(Country.objects.filter(iso2__in=candidate.countries))
    for official in officials:
        tenure = _role_on(official, on)
        SummitParticipant.objects.create(
            summit=summit, official=official, role=tenure.office if tenure else ""
        )
    return summit


_ROLES = {
    "canciller": Role.FOREIGN_MINISTER,
    "ambassador": Role.AMBASSADOR,
    "ambassadeur": Role.AMBASSADOR,
    "ambassadrice": Role.AMBASSADOR,
    "embajador": Role.AMBASSADOR,
    "embajadora": Role.AMBASSADOR,
    "envoy": Role.ADVISER,
    "enviado": Role.ADVISER,
    "enviada": Role.ADVISER,
    "adviser": Role.ADVISER,
    "advisor": Role.ADVISER,
    "asesor": Role.ADVISER,
    "asesora": Role.ADVISER,
    "conseiller": Role.ADVISER,
    "conseillere": Role.ADVISER,
    "undersecretary": Role.DEPUTY,
    "subsecretario": Role.DEPUTY,
    "subsecretaria": Role.DEPUTY,
}


def _person_create(candidate: DiscoveryCandidate, country: Country | None) -> Official:
    if country is None:
        wanted = [c for c in candidate.countries if c in CORE] or candidate.countries
        country = Country.objects.filter(iso2__in=wanted[:1]).first()
    if country is None:
        raise ValidationError(
            "No country was seen beside this name: pick the official's country, or add the "
            "official by hand."
        )
    official = Official(
        slug=_slug(Official, candidate.name),
        name=candidate.name,
        country=country,
        needs_review=True,
        review_note=_review_note(candidate) + f" The press calls them “{candidate.title_seen}”.",
        curated=True,
    )
    official.full_clean()
    official.save()
    if candidate.title_seen and candidate.first_date:
        RoleTenure.objects.create(
            official=official,
            office=candidate.title_seen.capitalize(),
            role=_ROLES.get(candidate.title_seen, Role.OTHER),
            country=country,
            start=candidate.first_date,
            start_precision=DatePrecision.APPROXIMATE,
            needs_review=True,
        )
    return official


def _alias_add(official: Official, name: str) -> None:
    alias = OfficialAlias(official=official, name=name[:200])
    if not OfficialAlias.objects.filter(official=official, name=alias.name).exists():
        alias.full_clean()
        alias.save()


@transaction.atomic
def candidate_confirm(
    *, candidate: DiscoveryCandidate, user: object, country: Country | None = None
) -> Summit | Official:
    """Put the candidate in the knowledge base as a prefilled record marked for review."""
    candidate = _locked(candidate)
    record: Summit | Official
    if candidate.kind == CandidateKind.MEETING:
        record = candidate.summit = _meeting_create(candidate)
    elif candidate.kind == CandidateKind.PERSON:
        record = candidate.official = _person_create(candidate, country)
    else:
        if candidate.official is None:
            raise ValidationError("This alias names no official: merge it into one instead.")
        _alias_add(candidate.official, candidate.name)
        record = candidate.official
    _decided(candidate, CandidateStatus.CONFIRMED, user)
    candidate.save()
    return record


@transaction.atomic
def candidate_merge(*, candidate: DiscoveryCandidate, official: Official, user: object) -> Official:
    """Add the candidate's name as an alias of an official already in the knowledge base."""
    candidate = _locked(candidate)
    if candidate.kind == CandidateKind.MEETING:
        raise ValidationError("A meeting cannot be merged into an official.")
    _alias_add(official, candidate.name)
    candidate.official = official
    _decided(candidate, CandidateStatus.MERGED, user)
    candidate.save()
    return official


@transaction.atomic
def candidate_dismiss(*, candidate: DiscoveryCandidate, user: object) -> None:
    """Not for the knowledge base: never proposed again for the same evidence."""
    candidate = _locked(candidate)
    candidate.dismissed_article_ids = sorted(candidate.articles.values_list("pk", flat=True))
    _decided(candidate, CandidateStatus.DISMISSED, user)
    candidate.save()
