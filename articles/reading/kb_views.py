"""The home timeline and the summit, official, country and policy pages."""

import secrets
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from articles.reading import kb_indexes as indexes
from articles.reading import kb_selectors as selectors
from articles.reading.coverage import coverage_by_press_country
from articles.reading.figures import (
    entity_html_cached,
    entity_reading,
    entity_text_cached,
    html_cached,
    kb_html_cached,
    kb_html_cached_each,
    outlets_html_cached,
)
from articles.reading.filters import (
    HOME_PARAMS,
    ArticleFilters,
    SummitFilters,
    accepts,
    lanes_option,
    not_found,
    page_number,
    shown,
)
from articles.reading.selectors import COUNT_CAP, article_list, article_rows, queryset_slice
from summits.models import Country, Official, Policy, Summit, SummitKind
from summits.slugs import slug_current

ARTICLES_PER_PAGE = 20


def _moved(request: HttpRequest, model: Any, slug: str, what: str) -> HttpResponse:
    """A permanent redirect when `slug` is a former slug; else the 404 for `what`."""
    current = slug_current(model=model, slug=slug)
    if current is None:
        raise Http404(not_found(what, slug))
    name = model._meta.model_name
    path = reverse(f"summits:{name}", args=[current])
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{path}?{query}" if query else path)


@accepts(*HOME_PARAMS)
def home(request: HttpRequest) -> HttpResponse:
    filters = SummitFilters.from_query(request.GET)
    lanes = lanes_option(request.GET)

    def meetings() -> str:
        years, largest = selectors.summit_timeline(filters=filters)
        shown = [summit for year in years for summit in year.summits]
        # Each meeting's card but its coverage comes from the knowledge base alone: kept
        # across batches of articles.
        cards = kb_html_cached_each(
            "meeting-card", shown, depends=lambda summit: (summit.pk,), render=_meeting_cards
        )
        for summit, html in zip(shown, cards, strict=True):
            summit.card = html  # type: ignore[attr-defined]
        context = {
            "years": years,
            "largest": largest,
            "press": coverage_by_press_country(
                date_from=filters.date_from, date_to=filters.date_to
            ),
            "filters": filters,
            "query": filters.as_query(),
            "lanes": lanes,
            "policy_lanes": indexes.timeline_lanes(summits=shown) if lanes == "policies" else None,
        }
        return render_to_string("summits/home_meetings.html", context, request)

    context = {
        # Every meeting with its people, policies and coverage: the costly part of the page,
        # kept until the data changes (policy lanes are drawn up to today).
        "meetings": html_cached(
            "home-meetings",
            (sorted(filters.as_query().items()), lanes, timezone.localdate()),
            meetings,
        ),
        "filters": filters,
        "query": filters.as_query(),
        # Every country, official and policy to choose from: kept across batches of articles.
        "filters_form": kb_html_cached_each(
            "home-filters",
            [filters],
            depends=lambda shown: (sorted(shown.as_query().items()), lanes),
            render=lambda forms: [_home_form(request, form, lanes) for form in forms],
        )[0],
    }
    return render(request, "summits/home.html", context)


def _home_form(request: HttpRequest, filters: SummitFilters, lanes: str) -> str:
    context = {
        "filters": filters,
        "query": filters.as_query(),
        "lanes": lanes,
        "countries": Country.objects.only("iso2", "name_en", "name_es", "name_fr", "is_core"),
        "officials": Official.objects.only("slug", "name"),
        "policies": Policy.objects.only("slug", "name", "name_es", "name_fr"),
        "kinds": SummitKind.choices,
    }
    return render_to_string("summits/home_filters.html", context, request)


def _meeting_cards(summits: list[Summit]) -> list[str]:
    prefetch_related_objects(summits, *selectors.summit_joins())
    card = get_template("summits/meeting_card.html")
    return [card.render({"summit": summit}) for summit in summits]


@accepts("page")
def summit_page(request: HttpRequest, slug: str) -> HttpResponse:
    summit = Summit.objects.select_related("country").filter(slug=slug).first()
    if summit is None:
        return _moved(request, Summit, slug, "summit")
    number = page_number(request.GET)
    filters = ArticleFilters(summit=summit)

    def stories(qs: QuerySet[Any]) -> int:
        # Its stories change with its tags and their articles' dates, outlets and stories,
        # not with their titles or text: kept across those edits. Counted from its tags (the
        # rows of `qs`, capped, are one per story).
        def count() -> str:
            return str(selectors.summit_story_count(summit=summit, cap=COUNT_CAP))

        return int(
            entity_text_cached(
                "summit-article-count",
                kind="summit",
                entity_id=summit.pk,
                depends=(),
                render=count,
                counts=True,
            )
        )

    def articles() -> str:
        page = queryset_slice(
            article_rows(article_list(filters=filters)),
            number=number,
            per_page=ARTICLES_PER_PAGE,
            counter=stories,
        )
        if number > 1 and not page.rows:
            raise Http404(
                gettext("There is no page %(number)s of articles for this summit.")
                % {"number": number}
            )
        context = {"articles": page, "query": filters.as_query()}
        return render_to_string("summits/summit_articles.html", context, request)

    def coverage() -> str:
        figures = {
            "summit": summit,
            "days": selectors.summit_coverage_by_day(summit=summit),
            "press": selectors.summit_coverage_by_press(summit=summit),
            "sources": selectors.summit_top_sources(summit=summit),
            "query": filters.as_query(),
        }
        return render_to_string("summits/summit_coverage.html", figures, request)

    def body() -> str:
        context = {
            "summit": selectors.summit_detail(slug=slug),
            "coverage": _COVERAGE_SLOT,
            "articles_section": _ARTICLES_SLOT,
        }
        return render_to_string("summits/summit_body.html", context, request)

    with entity_reading(kind="summit", entity_id=summit.pk):
        # The meeting's facts, from the knowledge base alone: kept across every article.
        body_html = kb_html_cached("summit-page", ("summit", summit.pk, slug), body)
        # Its coverage by day, by press country and by outlet: the same on every page of its
        # articles, and across edits of their titles or text.
        coverage_html = entity_html_cached(
            "summit-coverage",
            kind="summit",
            entity_id=summit.pk,
            depends=(),
            render=coverage,
            counts=True,
        )
        articles_html = entity_html_cached(
            "summit-articles",
            kind="summit",
            entity_id=summit.pk,
            depends=(number,),
            render=articles,
        )
    html = body_html.replace(_COVERAGE_SLOT, coverage_html, 1).replace(
        _ARTICLES_SLOT, articles_html, 1
    )
    context = {"summit": summit, "body": mark_safe(html)}  # noqa: S308 - all parts escaped
    return render(request, "summits/summit.html", context)


# Where a page's body, kept as long as the knowledge base (kb_html_cached), takes its coverage
# sections and its articles, kept as long as the entity's own tags and their articles.
_COVERAGE_SLOT = mark_safe(f"<!--coverage-{secrets.token_hex(16)}-->")  # noqa: S308 - ours
_ARTICLES_SLOT = mark_safe(f"<!--articles-{secrets.token_hex(16)}-->")  # noqa: S308 - ours


def _coverage(
    request: HttpRequest,
    kind: str,
    entity: Any,
    name: str,
    query: dict[str, str],
    press: Callable[[], list[Any]] | None = None,
    outlets: list[int] | None = None,
) -> str:
    """The coverage sections of an official's, country's or policy's page: its tags per month
    and the entities tagged with it, kept until its own tags or their dates, outlets or other
    tags change, and a country's `press` per month, kept until its `outlets`' articles or
    their tags change."""
    context = {kind: entity, "name": name, "query": query}

    def monthly() -> str:
        months = selectors.entity_coverage_by_month(kind=kind, entity=entity)
        return render_to_string("snippets/monthly.html", {**context, "months": months}, request)

    def co_mentioned() -> str:
        found = selectors.entity_co_mentions(kind=kind, entity=entity)
        figures = {**context, "co_mentions": found}
        return render_to_string("snippets/co_mentions.html", figures, request)

    parts: dict[str, Any] = {
        "monthly": entity_html_cached(
            f"{kind}-months",
            kind=kind,
            entity_id=entity.pk,
            depends=(),
            render=monthly,
            counts=True,
        ),
        "co_mentioned": entity_html_cached(
            f"{kind}-co-mentions",
            kind=kind,
            entity_id=entity.pk,
            depends=(),
            render=co_mentioned,
            counts=True,
        ),
    }
    if press is None:
        return render_to_string("snippets/entity_coverage.html", parts, request)
    read = press

    def press_part() -> str:
        figures = {**context, "press_months": read()}
        return render_to_string("summits/country_press.html", figures, request)

    parts["press"] = outlets_html_cached(
        f"{kind}-press", outlets=outlets or [], depends=(entity.pk,), render=press_part
    )
    return render_to_string("summits/country_coverage.html", parts, request)


def _page_body(
    request: HttpRequest,
    kind: str,
    entity: Any,
    context: Callable[[], dict[str, Any]],
    coverage: Callable[[], str],
) -> SafeString:
    """The body of an official's, country's or policy's page: what it shows from the
    knowledge base, kept until that changes (and drawn again each day: what is current is as
    of today), with its `coverage` sections in their place."""
    template = f"summits/{kind}_body.html"
    with entity_reading(kind=kind, entity_id=entity.pk):
        body = kb_html_cached(
            f"{kind}-page",
            (kind, entity.pk, timezone.localdate()),
            lambda: render_to_string(template, {**context(), "coverage": _COVERAGE_SLOT}, request),
        )
        sections = coverage()
    return mark_safe(body.replace(_COVERAGE_SLOT, sections, 1))  # noqa: S308 - both escaped


@accepts()
def official_page(request: HttpRequest, slug: str) -> HttpResponse:
    found = Official.objects.filter(slug=slug).first()
    if found is None:
        return _moved(request, Official, slug, "official")

    def body() -> dict[str, Any]:
        official = selectors.official_detail(slug=slug)
        if official is None:  # removed since the lookup above
            raise Http404(not_found("official", slug))
        participations = selectors.official_participations(official=official)
        return {
            "official": official,
            "participations": participations,
            "role_counts": selectors.role_counts(participations),
        }

    def coverage() -> str:
        query = ArticleFilters(official=found).as_query()
        return _coverage(request, "official", found, found.name, query)

    context = {"official": found, "body": _page_body(request, "official", found, body, coverage)}
    return render(request, "summits/official.html", context)


@accepts()
def country_page(request: HttpRequest, iso2: str) -> HttpResponse:
    country = Country.objects.filter(iso2=iso2.upper()).first()
    if country is None:
        raise Http404(
            gettext("There is no country with the code “%(value)s”.") % {"value": shown(iso2)}
        )

    def body() -> dict[str, Any]:
        return {
            "country": country,
            "summits": list(selectors.country_summits(country=country)),
            "officials": list(selectors.country_officials(country=country)),
        }

    def coverage() -> str:
        query = ArticleFilters(country=country).as_query()
        return _coverage(
            request,
            "country",
            country,
            country.local_name,
            query,
            press=lambda: selectors.country_press_by_month(country=country),
            outlets=selectors.country_outlets(country=country),
        )

    context = {"country": country, "body": _page_body(request, "country", country, body, coverage)}
    return render(request, "summits/country.html", context)


@accepts()
def policy_page(request: HttpRequest, slug: str) -> HttpResponse:
    found = Policy.objects.filter(slug=slug).first()
    if found is None:
        return _moved(request, Policy, slug, "policy")

    def body() -> dict[str, Any]:
        policy = selectors.policy_detail(slug=slug)
        if policy is None:  # removed since the lookup above
            raise Http404(not_found("policy", slug))
        links = indexes.policy_meetings(policy=policy)
        return {
            "policy": policy,
            "links": links,
            "lane": indexes.policy_page_lane(policy=policy, links=links),
        }

    def coverage() -> str:
        query = ArticleFilters(policy=found).as_query()
        return _coverage(request, "policy", found, found.local_name, query)

    context = {"policy": found, "body": _page_body(request, "policy", found, body, coverage)}
    return render(request, "summits/policy.html", context)


@accepts()
def officials_index(request: HttpRequest) -> HttpResponse:
    # Drawn from the knowledge base alone and today's date: kept across batches of articles.
    today = timezone.localdate()
    listing = kb_html_cached(
        "officials-index",
        (today.isoformat(),),
        lambda: render_to_string(
            "summits/officials_list.html",
            {"countries": indexes.officials_by_country(today=today)},
            request,
        ),
    )
    return render(request, "summits/officials.html", {"listing": listing})


@accepts()
def policies_index(request: HttpRequest) -> HttpResponse:
    context = {"groups": indexes.policies_by_status()}
    return render(request, "summits/policies.html", context)


@accepts()
def countries_index(request: HttpRequest) -> HttpResponse:
    context = {"rows": indexes.countries_index()}
    return render(request, "summits/countries.html", context)


@accepts()
def sources_index(request: HttpRequest) -> HttpResponse:
    context = {"groups": indexes.sources_by_press()}
    return render(request, "summits/sources.html", context)
