import datetime

from django.urls import path, register_converter

from . import views

app_name = "attendance"


class IsoDateConverter:
    """A school-local date in a URL as YYYY-MM-DD; anything else is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)  # ValueError → no match → 404

    def to_url(self, value: datetime.date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("periods/", views.my_periods, name="my_periods"),
    path("periods/<int:slot_id>/<isodate:day>/", views.mark_period, name="mark"),
    path("list/", views.attendance_list, name="list"),
]
