from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from academics.navigation import register

        from . import signals  # noqa: F401  (the promotion-undo receiver)
        from .access import nav_links

        register(nav_links, position=200)
