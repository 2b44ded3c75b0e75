"""Former slugs of summits, officials and policies, so that old links keep working.

An editor may correct a slug in admin; the old one is recorded (`slug_change_record`) and
the pages, feeds and JSON answer it with a permanent redirect to the current one.
"""

from typing import Any

from django.db import transaction

from summits.models import FormerSlug

KINDS = ("summit", "official", "policy")


def _kind(model: Any) -> str:
    kind = model._meta.model_name
    if kind not in KINDS:
        raise ValueError(f"{model.__name__} has no slug history.")
    return str(kind)


def slug_change_record(*, entity: Any, old_slug: str) -> None:
    """Remember that `entity` was known as `old_slug` (safe to call twice)."""
    if not old_slug or old_slug == entity.slug:
        return
    kind = _kind(type(entity))
    with transaction.atomic():
        FormerSlug.objects.update_or_create(
            kind=kind, slug=old_slug, defaults={"object_id": entity.pk}
        )
        # The current slug is live again: it no longer stands for whatever it once named.
        FormerSlug.objects.filter(kind=kind, slug=entity.slug).delete()


def slug_current(*, model: Any, slug: str) -> str | None:
    """The current slug of the entity once known as `slug`, or None."""
    former = FormerSlug.objects.filter(kind=_kind(model), slug=slug).first()
    if former is None:
        return None
    current = model.objects.filter(pk=former.object_id).values_list("slug", flat=True).first()
    return str(current) if current else None
