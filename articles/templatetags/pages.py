"""Small helpers for page templates: links that keep the current filters, feed HTML, dates
in the outlet's time zone, excerpts and outbound links."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info, gettext, gettext_lazy

from articles.ingestion.canonical import url_canonicalize
from articles.ingestion.parsing import html_sanitize
from articles.models import Article, Mention, MentionStatus, Source
from articles.reading.languages import page_in
from articles.reading.rights import EXCERPT_CHARS, article_excerpt
from articles.tagging.review import mention_awaits_review
from articles.timezones import source_time_zone

register = template.Library()


@register.simple_tag
def query_with(base: dict[str, str], **changes: Any) -> str:
    """A URL query string from `base` with some parameters changed ("" removes one)."""
    params = dict(base)
    for key, value in changes.items():
        if value in ("", None):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return urlencode(params)


@register.simple_tag
def query_set(base: dict[str, str], key: str, value: Any) -> str:
    """A URL query string from `base` with `key` set to `value`, back on the first page."""
    params = {k: v for k, v in base.items() if k != "page"}
    params[key] = str(value)
    return urlencode(params)


@register.simple_tag
def export_url(kind: str, params: dict[str, str] | None = None, **extra: Any) -> str:
    """The "Download CSV" link for an export kind, carrying the page's filters (and `extra`
    output options such as bom=1)."""
    try:
        path = reverse("articles:export", kwargs={"kind": kind})
    except NoReverseMatch:
        # The exports' route lands separately; its path is agreed: /exports/<kind>.csv
        path = f"/exports/{kind}.csv"
    query = urlencode({**(params or {}), **{k: str(v) for k, v in extra.items()}})
    return f"{path}?{query}" if query else path


@register.filter
def feed_html(value: str) -> SafeString:
    """A stored feed summary shown as the HTML it is, through the same allow-list again:
    it was sanitised when read, and an editor may have changed it since."""
    return mark_safe(html_sanitize(value or ""))  # noqa: S308 - sanitised on this line


_STATUS_WORDS = {
    MentionStatus.APPROVED: gettext_lazy("Reviewed"),
    MentionStatus.EDITOR_ADDED: gettext_lazy("Added by an editor"),
    MentionStatus.REJECTED: gettext_lazy("Rejected"),
}


@register.filter
def tag_status(mention: Mention) -> str:
    """What a tag is, truthfully: 'Auto', 'Auto, awaiting review' (only while it is in the
    editors' queue), 'Reviewed' or 'Added by an editor'."""
    if mention.status != MentionStatus.AUTO:
        return str(_STATUS_WORDS[MentionStatus(mention.status)])
    return gettext("Auto, awaiting review") if mention_awaits_review(mention) else gettext("Auto")


@register.filter
def shown_count(page: Any) -> str:
    """A page's count as the lede shows it: "1,234", or "more than 10,000" when capped."""
    if page.count_is_capped:
        return gettext("more than %(count)s") % {"count": intcomma(page.cap)}
    return str(intcomma(page.count))


@register.filter
def language_name(code: str) -> str:
    """A language code as its name in the language of the page: "es" is "Spanish", "español"."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


_FACET_NAMES = {
    "source": gettext_lazy("Source"),
    "country": gettext_lazy("Country"),
    "official": gettext_lazy("Official"),
    "policy": gettext_lazy("Policy"),
    "summit": gettext_lazy("Summit"),
}


@register.filter
def facet_name(param: str) -> str:
    """The heading of a group of facets ("country" is "Country", "País")."""
    return str(_FACET_NAMES.get(param, param.capitalize()))


@register.simple_tag(takes_context=True)
def page_versions(context: template.Context) -> list[tuple[str, str]]:
    """(language, absolute address) of this page in each language, for hreflang links."""
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return []
    versions = []
    for code, _name in settings.LANGUAGES:
        address = page_in(code, request)
        if address is None:
            return []
        versions.append((code, request.build_absolute_uri(address)))
    return versions


def _zone_label(when: datetime) -> str:
    """The zone's abbreviation (CST, EDT, UTC), or its offset when it has none (UTC-03:00)."""
    name = when.tzname() or ""
    if name.isalpha():
        return name
    offset = when.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:5]}"


@register.simple_tag
def outlet_time(
    value: datetime | None, source: Source | None, fmt: str = "SHORT_DATETIME_FORMAT"
) -> str:
    """A <time> in the outlet's own time zone (see articles.timezones), with the zone named;
    `fmt` a format or the name of one ("DATETIME_FORMAT"), written the page's language's way."""
    if value is None:
        return ""
    local = value.astimezone(source_time_zone(source))
    return format_html(
        '<time datetime="{}">{} {}</time>',
        local.isoformat(),
        dateformat.format(local, get_format(fmt)),
        _zone_label(local),
    )


@register.filter
def excerpt(article: Article, limit: int = EXCERPT_CHARS) -> str:
    """What the public pages may quote of a publisher's article (see articles.reading.rights)."""
    return article_excerpt(body=article.body, summary=article.summary, limit=limit)


@register.filter
def link_out(article: Article) -> str:
    """The article's canonical address, without the tracking parameters links carry."""
    # A #fragment that names a story of its own on a shared page stays (see README).
    return url_canonicalize(article.canonical_url or article.url, keep_fragment=True)
