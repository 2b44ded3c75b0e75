from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark tooling: the synthetic corpus of `generate_data`."""

    name = "bench"
