"""Helpers for the tagging tests."""

from articles.models import Article, Mention, MentionStatus
from articles.tagging.tagger import article_mentions_write


def tagged(article: Article) -> list[Mention]:
    """Tag an article as ingestion does, then read back the mentions that are not rejected."""
    article_mentions_write(article=article)
    return list(
        article.mentions.exclude(status=MentionStatus.REJECTED).select_related(
            "country", "official", "policy", "summit"
        )
    )
