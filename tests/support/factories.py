"""Small helpers that build knowledge-base rows, sources, articles, clusters and mentions.

Each takes keyword overrides; unique fields get a counter so tests can call them freely.
"""

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from articles.ingestion.canonical import url_hash as _url_hash
from articles.models import Article, Mention, Source, StoryCluster
from summits.models import (
    Country,
    Official,
    Policy,
    RoleTenure,
    Summit,
    SummitKind,
    SummitParticipant,
)

_n = count(1)


def country(iso2: str = "MX", **kw: Any) -> Country:
    names = {"US": "United States", "MX": "Mexico", "CA": "Canada"}
    iso3 = {"US": "USA", "MX": "MEX", "CA": "CAN"}
    defaults = {
        "iso3": iso3.get(iso2, iso2 + "X"),
        "name_en": names.get(iso2, f"Country {iso2}"),
        "name_es": names.get(iso2, iso2),
        "name_fr": names.get(iso2, iso2),
        "is_core": iso2 in names,
    }
    obj, _ = Country.objects.get_or_create(iso2=iso2, defaults=defaults | kw)
    return obj


def official(**kw: Any) -> Official:
    n = next(_n)
    kw.setdefault("name", f"Official {n}")
    kw.setdefault("slug", f"official-{n}")
    kw.setdefault("country", kw.get("country") or country())
    return Official.objects.create(**kw)


def tenure(*, official: Official, **kw: Any) -> RoleTenure:
    kw.setdefault("office", "Secretary of Foreign Affairs")
    kw.setdefault("role", "foreign_minister")
    kw.setdefault("country", official.country)
    kw.setdefault("start", date(2018, 12, 1))
    return RoleTenure.objects.create(official=official, **kw)


def policy(**kw: Any) -> Policy:
    n = next(_n)
    kw.setdefault("name", f"Policy {n}")
    kw.setdefault("slug", f"policy-{n}")
    return Policy.objects.create(**kw)


def summit(**kw: Any) -> Summit:
    n = next(_n)
    countries = kw.pop("countries", None)
    policies = kw.pop("policies", [])
    participants = kw.pop("participants", [])
    kw.setdefault("title", f"Summit {n}")
    kw.setdefault("slug", f"summit-{n}")
    kw.setdefault("kind", SummitKind.LEADERS_SUMMIT)
    kw.setdefault("start_date", date(2021, 11, 18))
    kw.setdefault("end_date", kw["start_date"])
    kw.setdefault("city", "Washington")
    obj = Summit.objects.create(**kw)
    obj.countries.set(countries if countries is not None else [country("US"), country("MX")])
    obj.policies.set(policies)
    for person, role in participants:
        SummitParticipant.objects.create(summit=obj, official=person, role=role)
    return obj


def source(**kw: Any) -> Source:
    n = next(_n)
    kw.setdefault("name", f"Outlet {n}")
    kw.setdefault("domain", f"outlet{n}.example")
    kw.setdefault("language", "en")
    return Source.objects.create(**kw)


def cluster(**kw: Any) -> StoryCluster:
    return StoryCluster.objects.create(**kw)


def article(**kw: Any) -> Article:
    n = next(_n)
    kw.setdefault("source", kw.get("source") or source())
    kw.setdefault("title", f"Article {n}")
    kw.setdefault("url", f"https://{kw['source'].domain}/news/{n}")
    kw.setdefault("canonical_url", kw["url"])
    kw.setdefault("url_hash", _url_hash(kw["canonical_url"]))
    kw.setdefault("language", "en")
    kw.setdefault("published_at", datetime(2021, 11, 18, 12, tzinfo=UTC))
    return Article.objects.create(**kw)


def mention(
    *, article: Article, entity: Country | Official | Policy | Summit, **kw: Any
) -> Mention:
    kind = type(entity).__name__.lower()
    kw.setdefault("confidence", 0.9)
    kw.setdefault("evidence", f"… {entity} …")
    return Mention.objects.create(article=article, kind=kind, **{kind: entity}, **kw)
