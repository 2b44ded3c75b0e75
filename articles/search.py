"""Full-text search over articles: PostgreSQL full-text search, or a portable fallback."""

from django.db.models import Q, QuerySet

from articles.models import Article


def search_filter(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """Articles matching every word of `q` in title, summary or body (portable fallback)."""
    for word in q.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return queryset
