from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"

    def ready(self) -> None:
        from academics.navigation import register

        from . import receivers  # noqa: F401  (connects the timetable receivers)
        from .access import nav_links

        register(nav_links, position=100)
