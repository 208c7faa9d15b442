"""The staff-absent (SA) lifecycle end to end (docs/design/attendance.md): an hod marks a
teacher absent, the advisor or substitute resolves the periods, expiry turns what is
left into NM.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from academics.models import Holiday
from attendance.models import AttendanceRecord, StaffAbsence, Status
from attendance.services import (
    StaffAbsenceError,
    mark_teacher_absent,
)
from tests.attendance.factories import AttendanceRecordFactory

from .support import (
    DAY,
    mark_url,
    to_resolve_rows,
)

pytestmark = pytest.mark.django_db


# --- the lifecycle end to end --------------------------------------------------------------


def test_the_staff_absent_lifecycle_from_marking_absent_to_expiry(client, setting):
    s = setting
    client.force_login(s.hod)

    response = client.post(reverse("attendance:staff_absence"), s.absence_form())

    assert response.status_code == 302
    absence = StaffAbsence.objects.get()
    assert (absence.teacher, absence.date, absence.periods) == (s.teacher, s.day, [2, 3])
    assert absence.created_by == s.hod
    # The roster of periods 2 and 3 only: not period 4, not the students who left or
    # joined later.
    sa = s.sa_records(date=s.day)
    assert sorted((r.period_number, r.student.user.last_name) for r in sa) == [
        (2, "Adams"),
        (2, "Young"),
        (3, "Brown"),
    ]
    assert all(r.slot_id in (s.p2.pk, s.p3.pk) and r.marked_by == s.hod for r in sa)
    assert {r.history.get().history_user for r in sa} == {s.hod}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "3 records set to Staff absent" in messages[0]

    # The hod's list shows the absence with nothing resolved yet.
    page = client.get(reverse("attendance:staff_absence")).content.decode()
    assert "resolved 0 of 3" in page

    # The advisor of 9A sees period 2 (their class) and nothing of 9B.
    client.force_login(s.advisor)
    page = client.get(reverse("attendance:to_resolve")).content.decode()
    assert to_resolve_rows(page) == [("2", "Maths 9A")]
    assert mark_url(s.p2, s.day) in page
    assert "2 to resolve" in page

    # …and resolves it on the marking screen: no reason needed to resolve SA.
    response = client.post(
        mark_url(s.p2, s.day),
        {f"status_{s.adams.student_id}": "P", f"status_{s.young.student_id}": "A"},
    )
    assert response.status_code == 302
    resolved = {r.student_id: r.status for r in AttendanceRecord.objects.filter(slot=s.p2)}
    assert resolved == {s.adams.student_id: Status.PRESENT, s.young.student_id: Status.ABSENT}
    page = client.get(reverse("attendance:to_resolve")).content.decode()
    assert to_resolve_rows(page) == []
    assert "Nothing to resolve" in page

    # The window closes: the day after the deadline, Brown's period 3 becomes NM.
    deadline = s.day + s.school.staff_absent_resolution_days * DAY
    out = StringIO()
    call_command("expire_staff_absent", f"--today={deadline + DAY}", stdout=out)
    assert "Hill School: turned 1 SA record" in out.getvalue()
    expired = AttendanceRecord.objects.get(slot=s.p3)
    assert expired.status == Status.NOT_MARKED
    assert expired.modification_reason == "Not resolved within 3 days"
    latest = expired.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        Status.NOT_MARKED,
        None,
        "Not resolved within 3 days",
    )
    # The resolved records are not touched.
    assert AttendanceRecord.objects.get(slot=s.p2, student=s.adams.student).status == "P"

    again = StringIO()
    call_command("expire_staff_absent", f"--today={deadline + DAY}", stdout=again)
    assert "Hill School: turned 0 SA records" in again.getvalue()

    client.force_login(s.hod)
    page = client.get(reverse("attendance:staff_absence")).content.decode()
    assert "resolved 2 of 3" in page
    assert "1 not resolved in time (NM)" in page


def test_a_failure_while_writing_leaves_nothing_behind(client, setting, monkeypatch):
    from attendance.services import staff_absence as service

    real = service.create_records

    def write_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # the absence and the SA records are in the database now…
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "create_records", write_then_fail)
    client.force_login(setting.hod)

    with pytest.raises(RuntimeError):
        client.post(reverse("attendance:staff_absence"), setting.absence_form())

    # …and the one transaction took them all back.
    assert not StaffAbsence.objects.exists()
    assert not AttendanceRecord.objects.exists()
    assert not AttendanceRecord.history.exists()


def test_the_whole_day_when_no_period_is_ticked(client, setting):
    client.force_login(setting.hod)

    client.post(reverse("attendance:staff_absence"), setting.absence_form(periods=[]))

    assert StaffAbsence.objects.get().periods == []
    assert sorted(setting.sa_records().values_list("period_number", flat=True)) == [2, 2, 3, 4, 4]


def test_records_already_saved_are_left_as_they_are_and_reported(client, setting):
    s = setting
    # Ms Rivera marked period 2 herself before going home ill.
    AttendanceRecordFactory(
        membership=s.adams, slot=s.p2, subject=s.p2.subject, date=s.day, period_number=2
    )
    client.force_login(s.hod)

    response = client.post(reverse("attendance:staff_absence"), s.absence_form(), follow=True)

    assert AttendanceRecord.objects.get(student=s.adams.student, period_number=2).status == "P"
    assert sorted(s.sa_records().values_list("student__user__last_name", flat=True)) == [
        "Brown",
        "Young",
    ]
    page = response.content.decode()
    assert "2 records set to Staff absent" in page
    assert "1 record already saved was left as it was: Ali Adams (P2: Present" in page


def test_a_second_absence_the_same_day_extends_the_first(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)

    result = mark_teacher_absent(
        teacher=s.teacher, day=s.day, periods=[4], substitute=s.substitute, actor=s.hod
    )

    assert result.extended and result.created == 2
    absence = StaffAbsence.objects.get()
    assert (absence.periods, absence.substitute) == ([2, 4], s.substitute)
    assert sorted(s.sa_records().values_list("period_number", flat=True)) == [2, 2, 4, 4]
    with pytest.raises(StaffAbsenceError, match="already marked absent .* for periods 2, 4"):
        mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 4], actor=s.hod)
    assert s.sa_records().count() == 4


def beyond_a_month_ahead(s, data):
    data.update(date=(s.today + 40 * DAY).isoformat(), periods=[])


def before_the_resolution_window(s, data):
    window = s.school.staff_absent_resolution_days
    data.update(date=(s.today - (window + 1) * DAY).isoformat(), periods=[])


def a_day_without_periods(s, data):
    data.update(date=(s.day + DAY).isoformat(), periods=[])


def a_holiday(s, data):
    Holiday.objects.create(school=s.school, name="Snow day", start_date=s.day, end_date=s.day)


def a_period_not_taught(s, data):
    data.update(periods=[5])


def the_teacher_as_substitute(s, data):
    data.update(substitute=s.teacher.pk)


def a_student_as_substitute(s, data):
    data.update(substitute=s.adams.student.user_id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (beyond_a_month_ahead, "outside the dates an absence can be recorded"),
        (before_the_resolution_window, "outside the dates an absence can be recorded"),
        (a_day_without_periods, "has no periods on"),
        (a_holiday, "is a holiday (Snow day)"),
        (a_period_not_taught, "Period 5 is not one of this teacher"),
        (the_teacher_as_substitute, "cannot be their own substitute"),
        (a_student_as_substitute, "Select a valid choice"),
    ],
    ids=lambda value: value.__name__ if callable(value) else "",
)
def test_an_absence_that_cannot_be_is_refused_and_nothing_is_written(
    client, setting, change, message
):
    data = setting.absence_form()
    change(setting, data)
    client.force_login(setting.hod)

    response = client.post(reverse("attendance:staff_absence"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffAbsence.objects.exists()
    assert not AttendanceRecord.objects.exists()


def test_an_absence_may_be_entered_ahead_of_time(setting):
    s = setting
    next_week = s.day + 7 * DAY

    result = mark_teacher_absent(teacher=s.teacher, day=next_week, periods=[3], actor=s.hod)

    assert result.created == 1
    assert s.sa_records(date=next_week).count() == 1
