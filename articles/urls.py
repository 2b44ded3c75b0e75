from django.urls import path

from articles import views

app_name = "articles"
urlpatterns = [
    path("articles/", views.article_list, name="list"),
    path("articles/<int:article_id>/", views.article_page, name="article"),
]
