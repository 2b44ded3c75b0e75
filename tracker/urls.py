from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

# /healthz and /readyz are answered by tracker.health before URL routing. The admin stays
# in English at /admin/; the public pages are English at their plain paths and Spanish and
# French under /es/ and /fr/ (CSV files too, the same files: only the pages are translated).
urlpatterns = [
    path("admin/", admin.site.urls),
    *i18n_patterns(
        # Under the page's own prefix, so that the page it returns to is read in its language.
        path("language/", set_language, name="set_language"),
        path("", include("articles.reading.urls")),
        path("", include("articles.reading.kb_urls")),
        path("", include("articles.reading.api_urls")),
        prefix_default_language=False,
    ),
]
