"""Django's admin looks for `articles.admin`; the editors' admin lives in the reading part."""

from articles.reading import admin, admin_kb, admin_recognisers, admin_review  # noqa: F401
