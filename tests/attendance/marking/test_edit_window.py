"""The edit window (docs/design/attendance.md): after `edit_window_days` only an hod of
the department or an admin may change a day's records.
"""

import datetime
import re

import pytest
from django.urls import reverse

from academics.models import Role
from attendance.models import AttendanceRecord, Status
from attendance.services import (
    MarkingNotAllowed,
    RecordsLocked,
    mark_attendance,
)
from tests.academics.factories import (
    SchoolClassFactory,
    TimetableSlotFactory,
    UserFactory,
)

from .support import (
    MONDAY,
    WINDOW,
    all_present,
    checked,
    mark_url,
    radios,
    row_html,
    staff,
)

pytestmark = pytest.mark.django_db


# --- the edit window -----------------------------------------------------------------------


CORRECTION = {"reason": "Register mix-up"}


def test_the_teacher_may_still_correct_on_the_last_day_of_the_window(client, marked_period, today):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=WINDOW))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), {**all_present(adams, young), **CORRECTION})

    assert "Locked:" not in html
    assert response.status_code == 302
    assert AttendanceRecord.objects.get(student=young.student).status == Status.PRESENT


def test_after_the_window_the_teacher_sees_the_period_locked_and_read_only(
    client, marked_period, today
):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=WINDOW + 1))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    assert (
        "Locked: records older than 7 days can be changed by a head of department or an admin"
        in html
    )
    assert "Save attendance" not in html and "Mark all present" not in html
    assert radios(html, young) and all(disabled for _, _, disabled in radios(html, young))
    assert checked(html, young) == ["A"]  # what was saved, shown


def test_after_the_window_the_teachers_save_is_403_and_writes_nothing(client, marked_period, today):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=WINDOW + 1))
    client.force_login(slot.teacher)

    response = client.post(mark_url(slot), {**all_present(adams, young), **CORRECTION})

    assert response.status_code == 403
    assert "Locked: records older than 7 days" in response.content.decode()
    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


def test_after_the_window_the_service_refuses_the_teacher(marked_period):
    slot, adams, young = marked_period

    with pytest.raises(RecordsLocked):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={young.student_id: Status.PRESENT},
            actor=slot.teacher,
            reason="late",
            today=MONDAY + datetime.timedelta(days=WINDOW + 1),
        )

    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


def test_a_period_never_marked_is_locked_too(client, period, today):
    slot, adams, young = period
    today.set(MONDAY + datetime.timedelta(days=30))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), all_present(adams, young))

    assert "Locked:" in html and "not marked" in row_html(html, adams)
    assert response.status_code == 403
    assert not AttendanceRecord.objects.exists()


def tally(html):
    """The counts above the roster: {code: count}."""
    return {
        code: int(count)
        for code, count in re.findall(
            r'<li data-status="(\w+)">.*?<strong>(\d+)</strong>', html, flags=re.S
        )
    }


def test_a_locked_period_counts_what_is_saved_and_chooses_nothing_for_the_unmarked(
    client, period, today
):
    slot, adams, young = period
    mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={adams.student_id: Status.ABSENT},
        actor=slot.teacher,
        today=MONDAY,
    )
    today.set(MONDAY + datetime.timedelta(days=30))
    client.force_login(slot.teacher)

    html = client.get(mark_url(slot)).content.decode()

    # Young was never marked: no status is shown as chosen, and none is counted.
    assert checked(html, young) == []
    assert "not marked" in row_html(html, young)
    assert tally(html) == {"P": 0, "A": 1, "IL": 0, "UL": 0, "OD": 0, "SU": 0}


@pytest.mark.parametrize("who", ["hod of the department", "admin"])
def test_after_the_window_an_hod_of_the_department_or_an_admin_corrects(
    client, marked_period, today, who
):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=90))
    user = (
        staff(slot.school, Role.HOD, "Mathematics")
        if who == "hod of the department"
        else UserFactory(school=slot.school, role=Role.ADMIN)
    )
    client.force_login(user)

    html = client.get(mark_url(slot)).content.decode()
    response = client.post(mark_url(slot), {**all_present(adams, young), **CORRECTION})

    assert "Locked:" not in html and "Save attendance" in html
    assert response.status_code == 302
    record = AttendanceRecord.objects.get(student=young.student)
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.PRESENT,
        user,
        "Register mix-up",
    )


def test_an_hod_still_needs_a_reason_to_correct(client, marked_period, today):
    slot, adams, young = marked_period
    today.set(MONDAY + datetime.timedelta(days=90))
    client.force_login(staff(slot.school, Role.HOD, "Mathematics"))

    response = client.post(mark_url(slot), all_present(adams, young))

    assert response.status_code == 200
    assert "give a reason for the correction" in response.content.decode()
    assert AttendanceRecord.objects.get(student=young.student).status == Status.ABSENT


@pytest.mark.parametrize(
    ("hod_department", "teacher_department"),
    [("Science", "Mathematics"), ("", "Mathematics"), ("", "")],
)
def test_an_hod_of_another_department_is_refused(
    client, period, today, hod_department, teacher_department
):
    slot, adams, young = period
    slot.teacher.staff_profile.department = teacher_department
    slot.teacher.staff_profile.save()
    client.force_login(staff(slot.school, Role.HOD, hod_department))

    assert client.get(mark_url(slot)).status_code == 403
    assert client.post(mark_url(slot), all_present(adams, young)).status_code == 403
    assert not AttendanceRecord.objects.exists()
    with pytest.raises(MarkingNotAllowed):
        mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={adams.student_id: Status.PRESENT},
            actor=UserFactory(school=slot.school, role=Role.HOD),
            today=MONDAY,
        )


def test_an_hods_periods_include_their_departments(client, period):
    slot, *_ = period
    TimetableSlotFactory(
        school_class=SchoolClassFactory(school=slot.school, name="Art 9A"),
        teacher=staff(slot.school, Role.TEACHER, "Arts"),
    )
    hod = staff(slot.school, Role.HOD, "Mathematics")
    client.force_login(hod)

    html = client.get(reverse("attendance:my_periods"), {"date": MONDAY}).content.decode()

    assert mark_url(slot) in html and "Ana Rivera" in html
    assert "Art 9A" not in html
