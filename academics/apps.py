from django.apps import AppConfig


class AcademicsConfig(AppConfig):
    name = "academics"
    verbose_name = "Academics"

    def ready(self) -> None:
        from academics.navigation import register

        from . import receivers  # noqa: F401  (connects them)
        from .access import nav_links
        from .signin import two_factor  # noqa: F401  (its sign-in receiver)

        register(nav_links, position=900)
