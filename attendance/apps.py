from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the timetable receivers)
