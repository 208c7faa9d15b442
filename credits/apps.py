from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "credits"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (adds credits to the demo: attendance.demo_loaded)
