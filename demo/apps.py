from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The offline demo: fictional sample outlets served locally and ingested by `load_demo`."""

    name = "demo"
