import datetime

from django.urls import path, register_converter

from .views import lists, marking

app_name = "attendance"


class IsoDateConverter:
    """A school-local date in a URL as YYYY-MM-DD; anything else is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)  # ValueError → no match → 404

    def to_url(self, value: datetime.date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

# One block per area, in the order of its views module.
urlpatterns = [
    # marking (views/marking.py)
    path("periods/", marking.my_periods, name="my_periods"),
    path("periods/<int:slot_id>/<isodate:day>/", marking.mark_period, name="mark"),
    # the attendance list (views/lists.py)
    path("list/", lists.attendance_list, name="list"),
    # corrections and audit (views/audit.py)
    # staff-absent lifecycle (views/staff_absence.py)
    # reports (views/reports.py)
]
