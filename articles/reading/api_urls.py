from django.urls import path, register_converter

from articles.reading import api


class FormatConverter:
    """The two forms a view comes in: .json and .atom."""

    regex = "json|atom"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "api"
urlpatterns = [
    path("api/", api.api_index, name="index"),
    path("api/timeline.<fmt:fmt>", api.timeline_view, name="timeline"),
    path("api/articles.<fmt:fmt>", api.article_view, name="articles"),
    path("api/summits/<slug:slug>.<fmt:fmt>", api.summit_view, name="summit"),
    path("api/officials/<slug:slug>.<fmt:fmt>", api.official_view, name="official"),
    path("api/countries/<str:iso2>.<fmt:fmt>", api.country_view, name="country"),
    path("api/policies/<slug:slug>.<fmt:fmt>", api.policy_view, name="policy"),
]
