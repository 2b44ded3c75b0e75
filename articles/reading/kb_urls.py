from django.urls import path

from articles.reading import kb_views as views

app_name = "summits"
urlpatterns = [
    path("", views.home, name="home"),
    path("summits/<slug:slug>/", views.summit_page, name="summit"),
    path("officials/<slug:slug>/", views.official_page, name="official"),
    path("countries/<str:iso2>/", views.country_page, name="country"),
    path("policies/<slug:slug>/", views.policy_page, name="policy"),
]
