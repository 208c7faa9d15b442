"""Periods to resolve, expiry into NM, what SA does to percentages, and students' leave
(docs/design/attendance.md, the staff-absent lifecycle).
"""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from academics.models import Role
from attendance.models import AttendanceRecord, Status, StudentLeave
from attendance.selectors import (
    approved_leave_student_ids,
    periods_to_resolve,
)
from attendance.services import (
    expire_staff_absent,
    mark_teacher_absent,
)
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    StaffProfileFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

from .support import (
    DAY,
    student_in,
    to_resolve_rows,
)

pytestmark = pytest.mark.django_db


# --- periods to resolve ---------------------------------------------------------------------


def test_periods_to_resolve_oldest_first_with_deadline(client, setting):
    s = setting
    earlier = s.day - 7 * DAY
    # An earlier absence within the window of a bigger school setting.
    s.school.staff_absent_resolution_days = 10
    s.school.save()
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)
    mark_teacher_absent(teacher=s.teacher, day=earlier, periods=[4, 2], actor=s.hod)
    client.force_login(s.advisor)

    page = client.get(reverse("attendance:to_resolve")).content.decode()

    assert to_resolve_rows(page) == [("2", "Maths 9A"), ("4", "Maths 9A"), ("2", "Maths 9A")]
    assert page.index(earlier.strftime("%a %-d %b")) < page.index(s.day.strftime("%a %-d %b"))
    deadline = earlier + 10 * DAY
    assert f"by {deadline.strftime('%a %-d %b')}" in page


def test_admin_and_hod_see_every_period_to_resolve(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, actor=s.hod)

    for user in (s.admin, s.hod):
        rows = periods_to_resolve(user=user)
        assert [(r.slot.period_number, r.unresolved) for r in rows] == [(2, 2), (3, 1), (4, 2)]
    assert all(r.can_open for r in periods_to_resolve(user=s.admin))
    # An hod outside Rivera's department oversees but does not resolve.
    assert not any(r.can_open for r in periods_to_resolve(user=s.hod))
    assert periods_to_resolve(user=s.substitute) == []


def test_an_hod_of_the_department_may_open_its_periods_to_resolve(setting):
    s = setting
    StaffProfileFactory(school=s.school, user=s.teacher, department="Maths")
    StaffProfileFactory(school=s.school, user=s.hod, department="Maths")
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)

    (row,) = periods_to_resolve(user=s.hod)

    assert row.can_open


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ACCOUNTANT])
def test_periods_to_resolve_is_for_staff_who_mark(client, setting, role):
    client.force_login(UserFactory(school=setting.school, role=role))

    assert client.get(reverse("attendance:to_resolve")).status_code == 403


def test_periods_to_resolve_page_queries(client, setting, django_assert_num_queries):
    s = setting
    s.school.staff_absent_resolution_days = 20
    s.school.save()
    mark_teacher_absent(teacher=s.teacher, day=s.day, actor=s.hod)
    mark_teacher_absent(teacher=s.teacher, day=s.day - 7 * DAY, actor=s.hod)
    client.force_login(s.admin)

    # session, user, (school for today), SA counts per slot and date, their slots,
    # their absences
    with django_assert_num_queries(6):
        response = client.get(reverse("attendance:to_resolve"))

    assert len(to_resolve_rows(response.content.decode())) == 6


def test_staff_absence_page_queries(client, setting, django_assert_num_queries):
    s = setting
    s.school.staff_absent_resolution_days = 20
    s.school.save()
    for back in (0, 7, 14):
        mark_teacher_absent(teacher=s.teacher, day=s.day - back * DAY, actor=s.admin)
    client.force_login(s.hod)

    # session, user, school (today), teachers for the select, substitutes for the
    # select, absences, their progress
    with django_assert_num_queries(7):
        response = client.get(reverse("attendance:staff_absence"))

    # Mr Gone was still in 9A a week and two weeks ago.
    assert re.findall(r"resolved 0 of \d+", response.content.decode()) == [
        "resolved 0 of 5",
        "resolved 0 of 7",
        "resolved 0 of 7",
    ]


# --- expiry ------------------------------------------------------------------------------


def test_expiry_uses_each_schools_window_and_today(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[3], actor=s.hod)
    strict = SchoolFactory(name="Strict School", staff_absent_resolution_days=1)
    strict_slot = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=strict), weekday=s.day.weekday(),
        valid_from=s.day - 60 * DAY,
    )  # fmt: skip
    student_in(strict_slot.school_class, "Stone")
    mark_teacher_absent(
        teacher=strict_slot.teacher, day=s.day, actor=UserFactory(school=strict, role=Role.HOD)
    )

    # Two days after: Strict School's window (1 day) has closed, Hill School's (3) not.
    results = {r.school.name: r.expired for r in expire_staff_absent(today=s.day + 2 * DAY)}
    assert results == {"Hill School": 0, "Strict School": 1}
    # On the deadline itself Hill School's record still waits; the day after it expires.
    deadline = s.day + 3 * DAY
    assert expire_staff_absent(today=deadline, schools=[s.school])[0].expired == 0
    assert expire_staff_absent(today=deadline + DAY, schools=[s.school])[0].expired == 1


def test_expiry_dry_run_changes_nothing(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)
    out = StringIO()

    call_command(
        "expire_staff_absent", "--dry-run", f"--today={(s.day + 10 * DAY).isoformat()}", stdout=out
    )

    assert "Hill School: would turn 2 SA records" in out.getvalue()
    assert s.sa_records().count() == 2


def test_expiry_leaves_orphaned_records_frozen(setting):
    s = setting
    AttendanceRecordFactory(
        membership=s.adams, slot=None, date=s.day - 30 * DAY, status=Status.STAFF_ABSENT,
        is_orphaned=True,
    )  # fmt: skip

    assert expire_staff_absent(today=s.today, schools=[s.school])[0].expired == 0
    assert AttendanceRecord.objects.get().status == Status.STAFF_ABSENT


def test_expiry_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("expire_staff_absent", "--today=21/11/2026")


# --- percentages ---------------------------------------------------------------------------


def test_unresolved_sa_is_not_counted_in_the_attendance_list(client, setting):
    s = setting
    # Present once and absent once in period 2 on earlier days: 50 %.
    for back, status in ((14, Status.PRESENT), (7, Status.ABSENT)):
        AttendanceRecordFactory(
            membership=s.adams, slot=s.p2, subject=s.p2.subject, date=s.day - back * DAY,
            period_number=2, status=status,
        )  # fmt: skip
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 4], actor=s.hod)
    client.force_login(s.admin)

    page = client.get(reverse("attendance:list"), {"school_class": s.maths_a.pk})
    row = re.search(r"Ali Adams.*?</tr>", page.content.decode(), re.S).group(0)

    # Two SA periods, and still 1 present of 2 sessions: SA counts as NM (excluded).
    assert re.findall(r'class="num">(?:<a[^>]*>)?(\d+)', row)[:2] == ["1", "2"]
    assert "50.0%" in row


# --- student leave ---------------------------------------------------------------------------


def test_approved_leave_covering_the_day(setting):
    s = setting
    StudentLeave.objects.create(
        school=s.school, student=s.adams.student, start_date=s.day - DAY, end_date=s.day,
        status=StudentLeave.Status.APPROVED,
    )  # fmt: skip
    StudentLeave.objects.create(
        school=s.school, student=s.young.student, start_date=s.day, end_date=s.day,
        status=StudentLeave.Status.PENDING,
    )  # fmt: skip

    assert approved_leave_student_ids(school_id=s.school.pk, day=s.day) == {s.adams.student_id}
    assert approved_leave_student_ids(school_id=s.school.pk, day=s.day + DAY) == set()


def test_an_hod_records_and_approves_leave(client, setting):
    s = setting
    client.force_login(s.hod)

    client.post(
        reverse("attendance:student_leave"),
        {
            "student": s.young.student_id,
            "start_date": s.day.isoformat(),
            "end_date": s.day.isoformat(),
            "reason": "Dentist",
        },
    )
    leave = StudentLeave.objects.get()
    assert (leave.status, leave.decided_by) == (StudentLeave.Status.PENDING, None)
    client.post(reverse("attendance:decide_leave", args=[leave.pk]), {"decision": "approve"})

    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (StudentLeave.Status.APPROVED, s.hod)
    assert approved_leave_student_ids(school_id=s.school.pk, day=s.day) == {s.young.student_id}
    client.force_login(s.advisor)
    assert client.get(reverse("attendance:student_leave")).status_code == 403


def test_leave_that_ends_before_it_starts_is_refused(client, setting):
    client.force_login(setting.hod)

    response = client.post(
        reverse("attendance:student_leave"),
        {
            "student": setting.young.student_id,
            "start_date": setting.day.isoformat(),
            "end_date": (setting.day - DAY).isoformat(),
        },
    )

    assert "The leave cannot end before it starts." in response.content.decode()
    assert not StudentLeave.objects.exists()
