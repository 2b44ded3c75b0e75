"""Writes to the knowledge base: loading the curated reference data."""

import json
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from summits.dates import DatePrecision
from summits.models import (
    CitationKind,
    Country,
    Official,
    OfficialAlias,
    OfficialCitation,
    Policy,
    PolicyAlias,
    PolicyCitation,
    PolicyEffect,
    PolicyEvent,
    Recogniser,
    RoleTenure,
    Summit,
    SummitCitation,
    SummitParticipant,
    SummitPolicy,
    SummitStatus,
)

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


class ReferenceError(ValueError):
    """The reference data is malformed or refers to something that does not exist."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept_editor_changes: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = ["country", "official", "policy", "summit"]
        parts = []
        for kind in kinds:
            parts.append(
                f"{kind}: {self.created.get(kind, 0)} new, {self.updated.get(kind, 0)} updated, "
                f"{self.unchanged.get(kind, 0)} unchanged, "
                f"{self.kept_editor_changes.get(kind, 0)} kept as edited"
            )
        return "; ".join(parts)


def _read(directory: Path, name: str) -> list[dict[str, Any]]:
    path = directory / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReferenceError(f"{path.name} is missing from {directory}") from exc
    except json.JSONDecodeError as exc:
        raise ReferenceError(f"{path.name} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ReferenceError(f"{path.name} must hold a list of records")
    return data


def _date(value: str | None, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ReferenceError(f"{where}: {value!r} is not a YYYY-MM-DD date") from exc


def _choice(value: str | None, choices: Any, default: str, where: str) -> str:
    if value in (None, ""):
        return default
    if value not in choices.values:
        raise ReferenceError(f"{where}: {value!r} is not one of {', '.join(choices.values)}")
    return str(value)


def _precision(record: dict[str, Any], key: str, where: str) -> str:
    return _choice(record.get(key), DatePrecision, DatePrecision.DAY, f"{where}, {key}")


def _citations(record: dict[str, Any], model: Any, where: str) -> list[dict[str, Any]]:
    """The record's citations, each checked as an editor's would be in admin."""
    wanted = []
    for number, cite in enumerate(record.get("citations", []), start=1):
        here = f"{where}, citation {number}"
        if not isinstance(cite, dict) or not cite.get("url"):
            raise ReferenceError(f"{here}: a citation is an object with a url")
        values = {
            "url": cite["url"],
            "title": cite.get("title", ""),
            "publisher": cite.get("publisher", ""),
            "date": _date(cite.get("date"), here),
            "kind": _choice(cite.get("kind"), CitationKind, "", here + ", kind"),
        }
        try:
            model(**values).clean_fields(exclude=[model.parent_field])
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise ReferenceError(f"{here}: {problems}") from exc
        wanted.append(values)
    return wanted


def _sync_citations(parent: Any, model: Any, wanted: list[dict[str, Any]]) -> bool:
    return _sync_children(
        parent.citations.all(),
        ("url",),
        wanted,
        partial(model.objects.create, **{model.parent_field: parent}),
    )


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set fields that differ; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, str]:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean(validate_constraints=False)
        obj.save()
        return obj, "created"
    if obj.curated:
        return obj, "kept"
    if _apply(obj, values):
        obj.full_clean(validate_constraints=False)
        obj.save()
        return obj, "updated"
    return obj, "unchanged"


def _sync_children(
    queryset: Any, key_fields: tuple[str, ...], wanted: list[dict[str, Any]], create: Any
) -> bool:
    """Make a parent's child rows match `wanted`, keyed by `key_fields`; return if changed."""
    existing = {tuple(getattr(row, f) for f in key_fields): row for row in queryset}
    changed = False
    seen = set()
    for values in wanted:
        key = tuple(values[f] for f in key_fields)
        seen.add(key)
        row = existing.get(key)
        if row is None:
            create(**values)
            changed = True
        elif _apply(row, values):
            row.save()
            changed = True
    for key, row in existing.items():
        if key not in seen:
            row.delete()
            changed = True
    return changed


def _sync_m2m(manager: Any, wanted: list[Any]) -> bool:
    current = {obj.pk for obj in manager.all()}
    target = {obj.pk for obj in wanted}
    if current == target:
        return False
    manager.set(wanted)
    return True


def _sync_summit_policies(
    summit: Summit, entries: list[Any], policies: dict[str, Policy], where: str
) -> bool:
    """A summit's policies: a slug alone was discussed; {"policy", "effect"} says more."""
    wanted: dict[int, str] = {}
    for entry in entries:
        slug, effect = (
            (entry, None) if isinstance(entry, str) else (entry["policy"], entry.get("effect"))
        )
        policy = _lookup(policies, slug, "policy", where)
        wanted[policy.pk] = _choice(effect, PolicyEffect, PolicyEffect.DISCUSSED, where)
    current = {link.policy_id: link for link in summit.policy_links.all()}
    changed = False
    for policy_id, link in current.items():
        if policy_id not in wanted:
            link.delete()
            changed = True
        elif link.effect != wanted[policy_id]:
            link.effect = wanted[policy_id]
            link.save(update_fields=["effect"])
            changed = True
    for policy_id, effect in wanted.items():
        if policy_id not in current:
            SummitPolicy.objects.create(summit=summit, policy_id=policy_id, effect=effect)
            changed = True
    return changed


def _record(report: LoadReport, kind: str, outcome: str, children_changed: bool = False) -> None:
    if outcome == "created":
        report.count(report.created, kind)
    elif outcome == "kept":
        report.count(report.kept_editor_changes, kind)
    elif outcome == "updated" or children_changed:
        report.count(report.updated, kind)
    else:
        report.count(report.unchanged, kind)


def _common(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "needs_review": bool(record.get("needs_review", False)),
        "review_note": record.get("review_note", ""),
    }


@transaction.atomic
def reference_load(*, directory: Path = REFERENCE_DIR) -> LoadReport:
    """Load countries, officials, policies and summits; records an editor changed are kept."""
    report = LoadReport()
    countries = _load_countries(_read(directory, "countries.json"), report)
    officials = _load_officials(_read(directory, "officials.json"), countries, report)
    policies = _load_policies(_read(directory, "policies.json"), countries, report)
    _load_summits(_read(directory, "summits.json"), countries, officials, policies, report)
    _load_recognisers(directory, report)
    return report


def _lookup(table: dict[str, Any], key: str, what: str, where: str) -> Any:
    try:
        return table[key]
    except KeyError as exc:
        raise ReferenceError(f"{where}: unknown {what} {key!r}") from exc


def _load_countries(records: list[dict[str, Any]], report: LoadReport) -> dict[str, Country]:
    countries = {}
    for rec in records:
        values = {
            key: rec.get(key, default)
            for key, default in [
                ("iso3", ""),
                ("name_en", ""),
                ("name_es", ""),
                ("name_fr", ""),
                ("demonyms_en", []),
                ("demonyms_es", []),
                ("demonyms_fr", []),
                ("aliases", []),
                ("is_core", False),
            ]
        }
        country, outcome = _upsert(Country, {"iso2": rec["iso2"]}, values)
        _record(report, "country", outcome)
        countries[country.iso2] = country
    for country in Country.objects.exclude(iso2__in=countries):
        countries[country.iso2] = country
    return countries


def _load_officials(
    records: list[dict[str, Any]], countries: dict[str, Country], report: LoadReport
) -> dict[str, Official]:
    officials = {}
    for rec in records:
        where = f"official {rec.get('slug')!r}"
        values = {
            "name": rec["name"],
            "country": _lookup(countries, rec["country"], "country", where),
            **_common(rec),
        }
        citations = _citations(rec, OfficialCitation, where)
        official, outcome = _upsert(Official, {"slug": rec["slug"]}, values)
        officials[official.slug] = official
        if outcome == "kept":
            _record(report, "official", outcome)
            continue
        aliases = [{"name": name} for name in dict.fromkeys(rec.get("aliases", []))]
        changed = _sync_children(
            official.aliases.all(),
            ("name",),
            aliases,
            partial(OfficialAlias.objects.create, official=official),
        )
        tenures = []
        for t in rec.get("tenures", []):
            tenures.append(
                {
                    "office": t["office"],
                    "office_es": t.get("office_es", ""),
                    "office_fr": t.get("office_fr", ""),
                    "start": _date(t["start"], where),
                    "start_precision": _precision(t, "start_precision", where),
                    "end": _date(t.get("end"), where),
                    "end_precision": _precision(t, "end_precision", where),
                    "role": t["role"],
                    "country": _lookup(
                        countries, t.get("country", rec["country"]), "country", where
                    ),
                    "agency": t.get("agency", ""),
                    "needs_review": bool(t.get("needs_review", False)),
                }
            )
        changed |= _sync_children(
            official.tenures.all(),
            ("office", "start"),
            tenures,
            partial(RoleTenure.objects.create, official=official),
        )
        changed |= _sync_citations(official, OfficialCitation, citations)
        _record(report, "official", outcome, changed)
    for official in Official.objects.exclude(slug__in=officials):
        officials[official.slug] = official
    return officials


def _load_policies(
    records: list[dict[str, Any]], countries: dict[str, Country], report: LoadReport
) -> dict[str, Policy]:
    policies = {}
    for rec in records:
        where = f"policy {rec.get('slug')!r}"
        values = {
            "name": rec["name"],
            "name_es": rec.get("name_es", ""),
            "name_fr": rec.get("name_fr", ""),
            "description": rec.get("description", ""),
            **_common(rec),
        }
        citations = _citations(rec, PolicyCitation, where)
        policy, outcome = _upsert(Policy, {"slug": rec["slug"]}, values)
        policies[policy.slug] = policy
        if outcome == "kept":
            _record(report, "policy", outcome)
            continue
        changed = _sync_m2m(
            policy.countries,
            [_lookup(countries, iso, "country", where) for iso in rec.get("countries", [])],
        )
        aliases = [{"name": name} for name in dict.fromkeys(rec.get("aliases", []))]
        changed |= _sync_children(
            policy.aliases.all(),
            ("name",),
            aliases,
            partial(PolicyAlias.objects.create, policy=policy),
        )
        events = [
            {
                "date": _date(e["date"], where),
                "date_precision": _precision(e, "date_precision", where),
                "status": e["status"],
                "note": e.get("note", ""),
            }
            for e in rec.get("events", [])
        ]
        changed |= _sync_children(
            policy.events.all(),
            ("date", "status"),
            events,
            partial(PolicyEvent.objects.create, policy=policy),
        )
        changed |= _sync_citations(policy, PolicyCitation, citations)
        _record(report, "policy", outcome, changed)
    for policy in Policy.objects.exclude(slug__in=policies):
        policies[policy.slug] = policy
    return policies


def _load_summits(
    records: list[dict[str, Any]],
    countries: dict[str, Country],
    officials: dict[str, Official],
    policies: dict[str, Policy],
    report: LoadReport,
) -> None:
    for rec in records:
        where = f"summit {rec.get('slug')!r}"
        values = {
            "title": rec["title"],
            "kind": rec["kind"],
            "status": _choice(rec.get("status"), SummitStatus, SummitStatus.HELD, where),
            "start_date": _date(rec["start_date"], where),
            "end_date": _date(rec.get("end_date") or rec["start_date"], where),
            "date_precision": _precision(rec, "date_precision", where),
            "city": rec.get("city", ""),
            "country": _lookup(countries, rec["country"], "country", where)
            if rec.get("country")
            else None,
            "outcome": rec.get("outcome", ""),
            "aliases": list(rec.get("aliases", [])),
            **_common(rec),
        }
        citations = _citations(rec, SummitCitation, where)
        summit, outcome = _upsert(Summit, {"slug": rec["slug"]}, values)
        if outcome == "kept":
            _record(report, "summit", outcome)
            continue
        changed = _sync_m2m(
            summit.countries,
            [_lookup(countries, iso, "country", where) for iso in rec.get("countries", [])],
        )
        changed |= _sync_summit_policies(summit, rec.get("policies", []), policies, where)
        participants = [
            {"official": _lookup(officials, p["official"], "official", where), "role": p["role"]}
            for p in rec.get("participants", [])
        ]
        changed |= _sync_children(
            summit.participants.all(),
            ("official",),
            participants,
            partial(SummitParticipant.objects.create, summit=summit),
        )
        changed |= _sync_citations(summit, SummitCitation, citations)
        _record(report, "summit", outcome, changed)


def _load_recognisers(directory: Path, report: LoadReport) -> None:
    """recognisers.json, when the directory has one: cue groups per policy or summit slug.

    A recogniser an editor changed, or one of a policy or summit an editor changed, is kept.
    """
    if not (directory / "recognisers.json").exists():
        return
    wanted: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for rec in _read(directory, "recognisers.json"):
        kind = "policy" if rec.get("policy") else "summit"
        where = f"recogniser for {kind} {rec.get(kind)!r}"
        model = Policy if kind == "policy" else Summit
        parent = model.objects.filter(slug=rec.get(kind)).first()
        if parent is None:
            raise ReferenceError(f"{where}: unknown {kind}")
        cues = "\n".join(", ".join(group) for group in rec["cues"])
        row = Recogniser(
            cues=cues,
            confidence=rec.get("confidence", 0.8),
            valid_from=_date(rec.get("valid_from"), where),
            valid_until=_date(rec.get("valid_until"), where),
            note=rec.get("note", ""),
        )
        setattr(row, kind, parent)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ReferenceError(f"{where}: {'; '.join(exc.messages)}") from exc
        values = {
            "cues": cues,
            "confidence": row.confidence,
            "valid_from": row.valid_from,
            "valid_until": row.valid_until,
            "note": row.note,
        }
        wanted.setdefault((kind, parent.pk), []).append(values)
    for (kind, parent_pk), rows in wanted.items():
        parent = (Policy if kind == "policy" else Summit).objects.get(pk=parent_pk)
        if parent.curated:
            continue
        changed = _sync_children(
            Recogniser.objects.filter(**{kind: parent}, curated=False),
            ("cues",),
            rows,
            partial(Recogniser.objects.create, **{kind: parent}),
        )
        _record(report, "recogniser", "updated" if changed else "unchanged")
