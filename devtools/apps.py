from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The demo, the benchmarks and the load-test commands (no models, no URLs)."""

    name = "devtools"
    verbose_name = "Developer tools"
