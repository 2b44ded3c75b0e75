from django.urls import path

from articles.reading import kb_views as views

app_name = "summits"
urlpatterns = [
    path("", views.home, name="home"),
    path("summits/<slug:slug>/", views.summit_page, name="summit"),
    path("officials/", views.officials_index, name="officials"),
    path("policies/", views.policies_index, name="policies"),
    path("countries/", views.countries_index, name="countries"),
    path("sources/", views.sources_index, name="sources"),
    path("officials/<slug:slug>/", views.official_page, name="official"),
    path("countries/<str:iso2>/", views.country_page, name="country"),
    path("policies/<slug:slug>/", views.policy_page, name="policy"),
]
