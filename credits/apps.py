from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "credits"

    def ready(self) -> None:
        from academics.navigation import register

        from .access import nav_links

        register(nav_links, position=300)
