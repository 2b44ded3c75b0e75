from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def cache_table_create(using: str = "default", **kwargs: Any) -> None:
    """The database cache's table, made by every `migrate` (safe to run again)."""
    call_command("createcachetable", database=using, verbosity=0)


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(cache_table_create, sender=self)
