"""Generated hostile GETs on every URL pattern: never a 5xx, a refusal is a plain-words 400.

The URL patterns come from the project's URL resolver, and the query parameters from what
each view declares it reads (pages and exports: `accepted_params`, set by the filters module;
admin lists: the changelist's own filters, search, ordering, paging and date drill-down, plus
the add form's fields, which the admin reads as initial values). Values are any Unicode,
NUL and lone surrogates included (sent as the UTF-8 bytes a client would send), raw bytes
that are not UTF-8, huge and negative numbers, digits from other scripts, far dates, real
ids, and repeats. Requests run as a logged-in editor on the test database with a little data.

The budget per URL pattern comes from the Hypothesis profile chosen in tests/conftest.py:
a few thousand requests in all by default, many more with `make fuzz`.
"""

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    TO_FIELD_VAR,
)
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles.models import ArticleFeed, Feed, MentionStatus, RawDocument, ReviewStatus
from tests.conftest import OUTPUT, WEB_FUZZ_PROFILE
from tests.support import factories as f
from tests.support.admin import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


# URL patterns, from the resolver ----------------------------------------------------------


class Route:
    def __init__(self, regex: str, name: str | None, callback: Any, model_admin: Any) -> None:
        self.regex = regex
        self.name = name
        self.callback = callback
        self.model_admin = model_admin  # the ModelAdmin a pattern belongs to, if any

    def __repr__(self) -> str:
        return self.name or self.regex


def _strip(rx: str) -> str:
    rx = rx.removeprefix("^")
    for end in ("\\Z", "$"):
        rx = rx.removesuffix(end)
    return rx


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        rx = prefix + _strip(entry.pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, rx)
        elif isinstance(entry, URLPattern):
            # ModelAdmin.get_urls() marks each of its views with the ModelAdmin.
            owner = getattr(entry.callback, "model_admin", None)
            yield Route(rx, entry.name, entry.callback, owner)


def routes() -> list[Route]:
    return list(_walk(get_resolver()))


ROUTES = routes()


# Values ------------------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, exclude_categories=())  # surrogates and NUL included
OTHER_DIGITS = st.characters(categories=["Nd", "No", "Nl"])
REAL = [
    "US",
    "MX",
    "ca",
    "nals-2021",
    "official-a",
    "policy-a",
    "articles",
    "mentions",
    "summits",
    "countries",
    "1",
    "2",
    "0",
    "on",
    "story",
    "copy",
    "article",
    "reviewed",
    "auto",
    "leaders_summit",
    "foreign_minister",
    "en",
    "2021-11-18",
    "9999-12-31",
    "0001-01-01",
    "-published_at",
    "1.2",
]


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


values = st.one_of(
    st.text(ANY_CHAR, max_size=12).map(_encode),
    st.binary(max_size=8),
    st.integers().map(lambda n: str(n).encode()),
    st.integers(min_value=-(2**80), max_value=2**80).map(lambda n: str(n).encode()),
    st.text(OTHER_DIGITS, min_size=1, max_size=6).map(_encode),
    st.dates().map(lambda d: d.isoformat().encode()),
    st.sampled_from(REAL).map(str.encode),
    st.sampled_from(REAL).map(str.encode),
    st.just(b""),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "99999999999999999999", "²", "١٢", "-1"]).map(
        _encode
    ),
)


def _quote(raw: bytes) -> str:
    return quote_from_bytes(raw, safe="")


def _admin_params(route: Route, user: Any) -> list[str]:
    """What an admin view reads: list filters, search, order, page, drill-down, form fields."""
    model_admin = route.model_admin
    names = [PAGE_VAR, ORDER_VAR, SEARCH_VAR, ERROR_FLAG, IS_POPUP_VAR, TO_FIELD_VAR]
    names += [ALL_VAR, IS_FACETS_VAR, "_changelist_filters", "term", "app_label"]
    names += ["model_name", "field_name", "next"]
    if not isinstance(model_admin, admin.ModelAdmin):
        return names
    request = RequestFactory().get("/")
    request.user = user
    for spec in model_admin.get_list_filter(request):
        if isinstance(spec, str):
            names += [f"{spec}__exact", f"{spec}__isnull", f"{spec}__in", spec]
        elif isinstance(spec, tuple):
            names += [f"{spec[0]}__exact", f"{spec[0]}__in"]
        else:
            names.append(spec.parameter_name)
    hierarchy = model_admin.date_hierarchy
    if hierarchy:
        names += [f"{hierarchy}__{part}" for part in ("year", "month", "day")]
    for field in model_admin.model._meta.get_fields():
        names.append(field.name)
    return names


def params_of(route: Route, user: Any) -> list[str]:
    declared = getattr(route.callback, "accepted_params", None)
    if declared is not None:
        return list(declared)
    if route.regex.startswith("admin/"):
        return _admin_params(route, user)
    return []


# Paths -------------------------------------------------------------------------------------

_GROUP = re.compile(r"\(\?P<(\w+)>")


def paths(route: Route, ids: dict[str, list[str]]) -> st.SearchStrategy[str]:
    """Paths that match the route: generated by its regex, or with real ids put in."""
    hostile = st.from_regex(re.compile(route.regex), fullmatch=True, alphabet=ANY_CHAR).map(
        lambda p: "/" + _quote(_encode(p)).replace("%2F", "/")
    )
    names = _GROUP.findall(route.regex)
    if not names:
        return hostile
    real = st.fixed_dictionaries({n: st.sampled_from(ids.get(n, ids["any"])) for n in names})

    def fill(kwargs: dict[str, str]) -> str | None:
        path = route.regex
        for name, value in kwargs.items():
            path = re.sub(rf"\(\?P<{name}>(?:[^()]|\([^()]*\))*\)", lambda _m, v=value: v, path)
        path = path.replace("\\.", ".")
        return "/" + path if re.fullmatch(route.regex, path) else None

    filled = real.map(fill).filter(lambda p: p is not None)
    return st.one_of(hostile, filled)  # type: ignore[arg-type]


# Data --------------------------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> dict[str, list[str]]:
    us, mx, ca = f.country("US"), f.country("MX"), f.country("CA")
    person = f.official(name="Official A", slug="official-a", country=mx)
    f.tenure(official=person)
    plan = f.policy(name="Policy A", slug="policy-a")
    meeting = f.summit(
        slug="nals-2021", policies=[plan], participants=[(person, "head_of_government")]
    )
    outlet = f.source(name="Wire", domain="wire.example")
    feed = Feed.objects.create(url="https://wire.example/feed.xml", source=outlet)
    story = f.cluster(size=2, first_published_at=datetime(2021, 11, 18, tzinfo=UTC))
    articles = [
        f.article(source=outlet, cluster=story, title="Leaders meet in Washington"),
        f.article(source=outlet, cluster=story, language="es", title="Los líderes se reúnen"),
        f.article(published_at=datetime(1999, 1, 1, tzinfo=UTC), title="Old news"),
        f.article(review_status=ReviewStatus.REVIEWED, title="A reviewed article"),
    ]
    mentions = []
    for item in articles:
        ArticleFeed.objects.create(article=item, feed=feed)
        mentions += [
            f.mention(article=item, entity=meeting, confidence=0.5),
            f.mention(article=item, entity=mx),
            f.mention(article=item, entity=person, status=MentionStatus.APPROVED),
            f.mention(article=item, entity=plan, confidence=0.3),
        ]
    f.mention(article=articles[0], entity=us, status=MentionStatus.REJECTED)
    raw = RawDocument.objects.create(
        url="https://wire.example/feed.xml",
        kind="feed",
        feed=feed,
        fetched_at=datetime(2021, 11, 18, tzinfo=UTC),
        sha256="0" * 64,
        body_gz=b"",
        size=0,
    )
    ids = [str(x.pk) for x in (*articles, *mentions, person, plan, meeting, outlet, feed, raw)]
    return {
        "slug": ["nals-2021", "official-a", "policy-a", "no-such-slug"],
        "iso2": ["US", "mx", ca.iso2, "ZZ"],
        "article_id": [str(a.pk) for a in articles] + ["99999999999999999999"],
        "kind": ["articles", "mentions", "summits", "officials", "policies", "countries"],
        "object_id": ids,
        "content_type_id": ["1", "7", "12"],
        "app_label": ["articles", "summits", "auth"],
        "pk": [str(m.pk) for m in mentions],
        "status": ["approved", "rejected", "x"],
        "any": ids,
        "dates": [date(2021, 11, 18).isoformat()],
    }


# The property ------------------------------------------------------------------------------


def _is_plain_refusal(response: Any) -> bool:
    text = response.content.decode("utf-8", "replace")
    if response["Content-Type"].startswith("text/html"):
        found = re.search(r'class="notice error"[^>]*>(.*?)</p>', text, re.S)
        text = found.group(1) if found else ""
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 3 and "Traceback" not in text


# Requests sent and answers by status class, over the module; written to test-output/.
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "fuzz-web.json").write_text(
        json.dumps({"profile": WEB_FUZZ_PROFILE, "routes": len(ROUTES), **TALLY}, indent=2)
    )


def _fetch(client: Client, url: str) -> tuple[int, Any]:
    TALLY["requests"] += 1
    with transaction.atomic():
        response = client.get(url, secure=True)
        if response.streaming:
            # A failure after the first byte must show as one: the stream raises.
            try:
                b"".join(response.streaming_content)
            except Exception as exc:  # any failure mid-stream is a finding
                transaction.set_rollback(True)
                return 599, exc
        # Reads only; rolling back also keeps a failed query from poisoning the next example.
        transaction.set_rollback(True)
    return response.status_code, response


@pytest.mark.parametrize("route", ROUTES, ids=[r.name or r.regex for r in ROUTES])
def test_no_hostile_get_is_a_server_error(
    route: Route, world: dict[str, list[str]], settings: Any
) -> None:
    settings.TRACKER_EXPORT_RATE_LIMIT = 0
    editor = staff_user("Editor")
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    names = params_of(route, editor)
    # Mostly the names the view reads, so that the values reach its queries; some others.
    known = st.sampled_from(names).map(str.encode) if names else st.nothing()
    name_strategy = st.one_of(known, known, known, st.text(ANY_CHAR, max_size=6).map(_encode))
    # Two thirds: the view's own parameters once each, so that values reach the queries;
    # one third: anything, repeats and unknown names included.
    once = (
        st.lists(st.tuples(known, values), max_size=4, unique_by=lambda pair: pair[0])
        if names
        else st.just([])
    )
    query = st.one_of(once, once, st.lists(st.tuples(name_strategy, values), max_size=5))

    @hypothesis_settings(
        hypothesis_settings.get_profile(WEB_FUZZ_PROFILE),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(path=paths(route, world), pairs=query)
    def check(path: str, pairs: list[tuple[bytes, bytes]]) -> None:
        qs = "&".join(f"{_quote(n)}={_quote(v)}" for n, v in pairs)
        url = f"{path}?{qs}" if qs else path
        status, response = _fetch(client, url)
        TALLY[f"{status // 100}xx"] += 1
        assert status < 500, f"GET {url} answered {status}: {response!r}"
        if status == 400:
            assert _is_plain_refusal(response), f"GET {url}: 400 without a plain message"

    check()
