"""Django's admin looks for `articles.admin`; the editors' admin lives in the reading part."""

from articles.reading import (  # noqa: F401
    admin,
    admin_discovery,
    admin_kb,
    admin_recognisers,
    admin_review,
)
