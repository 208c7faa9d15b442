import datetime

from django.urls import path, register_converter

from .views import (
    audit,
    lists,
    marking,
    reports,
    staff_absence,
    total_sessions,
)

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
    path("corrections/", audit.corrections_page, name="corrections"),
    path("records/<int:record_id>/history/", audit.record_history_page, name="record_history"),
    # staff-absent lifecycle (views/staff_absence.py)
    path("staff-absence/", staff_absence.staff_absence, name="staff_absence"),
    path(
        "staff-absence/periods/", staff_absence.staff_absence_periods, name="staff_absence_periods"
    ),
    path(
        "staff-absence/<int:absence_id>/substitute/",
        staff_absence.absence_substitute,
        name="staff_absence_substitute",
    ),
    path("to-resolve/", staff_absence.to_resolve, name="to_resolve"),
    path("leave/", staff_absence.student_leave, name="student_leave"),
    path("leave/<int:leave_id>/decide/", staff_absence.decide_leave, name="decide_leave"),
    # reports (views/reports.py)
    path("reports/me/", reports.my_report, name="my_report"),
    path("reports/students/<int:student_id>/", reports.student_report, name="student_report"),
    path("reports/register/", reports.register, name="register"),
    path("reports/not-taken/", reports.not_taken, name="not_taken"),
    # total sessions (views/total_sessions.py)
    path(
        "update-total-sessions/",
        total_sessions.update_total_sessions,
        name="update_total_sessions",
    ),
    path(
        "total-sessions/<int:membership_id>/",
        total_sessions.total_sessions_row,
        name="total_sessions_row",
    ),
    path(
        "total-sessions/<int:membership_id>/edit/",
        total_sessions.edit_total_sessions,
        name="edit_total_sessions",
    ),
    path(
        "total-sessions/<int:membership_id>/clear/",
        total_sessions.clear_total_sessions_view,
        name="clear_total_sessions",
    ),
    path("total-sessions/bulk/", total_sessions.bulk_total_sessions, name="bulk_total_sessions"),
]
