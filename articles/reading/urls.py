from django.urls import path

from articles.reading import views

app_name = "articles"
urlpatterns = [
    path("articles/", views.article_list, name="list"),
    path("articles/<int:article_id>/", views.article_page, name="article"),
]

# Research exports (CSV) and their data dictionary.
from articles.reading import views_export  # noqa: E402

urlpatterns += [
    path("exports/", views_export.data_dictionary, name="data_dictionary"),
    path("exports/<str:kind>.csv", views_export.export_csv, name="export"),
]
