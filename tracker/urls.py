from django.contrib import admin
from django.urls import include, path

# /healthz and /readyz are answered by tracker.health before URL routing.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.reading.urls")),
    path("", include("articles.reading.kb_urls")),
    path("", include("articles.reading.api_urls")),
]
