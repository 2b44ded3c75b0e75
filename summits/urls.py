from django.urls import path

app_name = "summits"
urlpatterns: list = []
