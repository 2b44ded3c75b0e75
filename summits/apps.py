from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"
    default_auto_field = "django.db.models.BigAutoField"
