from django.apps import AppConfig


class GuardiansConfig(AppConfig):
    name = "guardians"
    verbose_name = "Guardians"

    def ready(self) -> None:
        from academics.navigation import register

        from .access import nav_links

        register(nav_links, position=50)  # a guardian's first link: their children
