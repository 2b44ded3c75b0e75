"""The article list (facets and search) and the article page."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext

from articles.models import ReviewStatus
from articles.reading import selectors
from articles.reading.figures import html_cached
from articles.reading.filters import (
    ARTICLE_PARAMS,
    ArticleFilters,
    accepts,
    page_number,
    whole_number,
)

PER_PAGE = 25


@accepts(*ARTICLE_PARAMS, "page")
def article_list(request: HttpRequest) -> HttpResponse:
    filters = ArticleFilters.from_query(request.GET)
    if filters.source is not None and whole_number(request.GET["source"].strip()) is not None:
        # Older links name a source by its number; its address now uses the domain.
        params = request.GET.copy()
        params["source"] = filters.source.domain
        return HttpResponsePermanentRedirect(f"{request.path}?{params.urlencode()}")
    number = page_number(request.GET)

    def results() -> str:
        return _results(request, filters, number)

    context = {
        "filters": filters,
        "query": filters.as_query(),
        # The count, facets, filter form and a page of rows, kept until the data changes.
        "results_section": html_cached(
            "article-results", (sorted(filters.as_query().items()), number), results
        ),
    }
    return render(request, "articles/list.html", context)


def _results(request: HttpRequest, filters: ArticleFilters, number: int) -> str:
    results = selectors.queryset_slice(
        selectors.article_rows(selectors.article_list(filters=filters)),
        number=number,
        per_page=PER_PAGE,
        counted=selectors.article_count_queryset(filters=filters),
    )
    if number > 1 and not results.rows:
        raise Http404(gettext("There is no page %(number)s of these results.") % {"number": number})
    context = {
        "filters": filters,
        "query": filters.as_query(),
        "results": results,
        # The CSV holds what the page shows: one row per story unless every copy is asked for
        # (the export's own default is every copy, so `per` is always written out).
        "export_query": {**filters.as_query(), "per": filters.per},
        "facets": selectors.article_facets(filters=filters, matching=results.count)
        if filters.active and results.count
        else selectors.Facets(counted=False),
        "facet_limit": selectors.FACET_LIMIT,
        # Every source, country, official, policy and meeting to choose from: kept as HTML
        # until the data changes.
        "filters_form": html_cached(
            "article-filters",
            (sorted(filters.as_query().items()),),
            lambda: _form(request, filters),
        ),
    }
    return render_to_string("articles/list_results.html", context, request)


def _form(request: HttpRequest, filters: ArticleFilters) -> str:
    context = {
        "filters": filters,
        "choices": selectors.facet_choices(),
        "statuses": ReviewStatus.choices,
    }
    return render_to_string("articles/list_filters.html", context, request)


@accepts()
def article_page(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.article_detail(article_id=article_id)
    if article is None:
        raise Http404(gettext("There is no article number %(number)s.") % {"number": article_id})
    context = {"article": article, "copies": selectors.article_copies(article=article)}
    return render(request, "articles/article.html", context)
