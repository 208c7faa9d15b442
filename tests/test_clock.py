"""The date-sensitive paths, run with the clock set to days that break naive date code:
a Saturday, 31 December, 1 August, 29 February and the day after a term ends.

Each test moves the wall clock (time-machine) to 10:00 in the school's time zone on that
day and lets the code read "today" itself, as it does in production: the school's today,
the marking and edit windows, the staff-absent window and its expiry, the default billing
period, the next academic year. (The demo and the benchmark builds are covered the same
way in tests/devtools/test_clock.py.) The rules: docs/design/attendance.md,
docs/design/billing.md, docs/design/promotion.md.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from academics.models import AcademicYear, Role
from academics.services.promotion import create_academic_year, next_year_defaults
from attendance.models import AttendanceRecord, Status
from attendance.services.marking import FutureDate, RecordsLocked, mark_attendance
from attendance.services.staff_absence import (
    DayOutsideWindow,
    expire_staff_absent,
    mark_teacher_absent,
    plan_teacher_absence,
)

from .academics.factories import (
    AcademicYearFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TermFactory,
    TimetableSlotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ZONE = "Africa/Cairo"
DAYS = [
    pytest.param(datetime.date(2027, 1, 2), id="a-saturday"),
    pytest.param(datetime.date(2026, 12, 31), id="31-december"),
    pytest.param(datetime.date(2027, 8, 1), id="1-august"),
    pytest.param(datetime.date(2028, 2, 29), id="29-february"),
    pytest.param(datetime.date(2027, 7, 1), id="the-day-after-a-term-ends"),
]
WEEK = datetime.timedelta(days=7)


def _move_clock(time_machine, day: datetime.date, hour: int = 10, zone: str = ZONE) -> None:
    moment = datetime.datetime.combine(day, datetime.time(hour), zoneinfo.ZoneInfo(zone))
    time_machine.move_to(moment, tick=False)


@pytest.fixture
def school_on():
    """A school whose year runs around `day`, a term that ended the day before and one that
    starts on it, a class with one student and a slot meeting on `day`'s weekday."""

    def build(day: datetime.date):
        school = SchoolFactory(timezone=ZONE)
        year = AcademicYearFactory(
            school=school,
            name=f"{day.year - 1}-{day.year}",
            start_date=day - datetime.timedelta(days=300),
            end_date=day + datetime.timedelta(days=60),
        )
        TermFactory(academic_year=year, end_date=day - datetime.timedelta(days=1))
        TermFactory(academic_year=year, start_date=day)
        school_class = SchoolClassFactory(school=school)
        slot = TimetableSlotFactory(
            school_class=school_class,
            weekday=day.weekday(),
            period_number=1,
            valid_from=year.start_date,
        )
        member = MembershipFactory(school_class=school_class, joined_on=year.start_date)
        return school, year, slot, member.student

    return build


@pytest.mark.parametrize("day", DAYS)
def test_the_schools_today_is_its_own_local_date(time_machine, day):
    # 23:30 in Cairo is 21:30 UTC, still `day`; 00:30 the next morning in Cairo is the
    # evening of `day` in UTC, but already the next day at the school.
    school = SchoolFactory(timezone=ZONE)
    _move_clock(time_machine, day, hour=23)
    assert school.today() == day
    time_machine.move_to(
        datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(0, 30), zoneinfo.ZoneInfo(ZONE)
        ),
        tick=False,
    )
    assert school.today() == day + datetime.timedelta(days=1)


@pytest.mark.parametrize("day", DAYS)
def test_a_teacher_marks_today_but_not_next_week_nor_past_the_edit_window(
    time_machine, school_on, day
):
    school, _, slot, student = school_on(day)
    _move_clock(time_machine, day)

    result = mark_attendance(
        slot=slot, day=day, statuses={student.pk: Status.PRESENT}, actor=slot.teacher
    )
    assert result.saved == 1
    assert AttendanceRecord.objects.get(student=student, date=day).status == Status.PRESENT

    with pytest.raises(FutureDate):
        mark_attendance(
            slot=slot, day=day + WEEK, statuses={student.pk: Status.PRESENT}, actor=slot.teacher
        )

    # Two weeks back is past the default 7-day window: the teacher is locked out, an
    # admin is not.
    old_day = day - 2 * WEEK
    assert school.edit_window_days == 7
    with pytest.raises(RecordsLocked):
        mark_attendance(
            slot=slot, day=old_day, statuses={student.pk: Status.ABSENT}, actor=slot.teacher
        )
    admin = UserFactory(school=school, role=Role.ADMIN)
    assert (
        mark_attendance(
            slot=slot, day=old_day, statuses={student.pk: Status.ABSENT}, actor=admin
        ).saved
        == 1
    )
    # One week back is the boundary day, still open to the teacher.
    assert (
        mark_attendance(
            slot=slot, day=day - WEEK, statuses={student.pk: Status.ABSENT}, actor=slot.teacher
        ).saved
        == 1
    )


@pytest.mark.parametrize("day", DAYS)
def test_staff_absence_opens_for_the_window_and_expires_after_it(time_machine, school_on, day):
    school, _, slot, student = school_on(day)
    hod = UserFactory(school=school, role=Role.HOD)
    _move_clock(time_machine, day)

    too_old = day - datetime.timedelta(days=school.staff_absent_resolution_days + 1)
    with pytest.raises(DayOutsideWindow):
        plan_teacher_absence(teacher=slot.teacher, day=too_old, actor=hod)

    mark_teacher_absent(teacher=slot.teacher, day=day, actor=hod)
    record = AttendanceRecord.objects.get(student=student, date=day)
    assert record.status == Status.STAFF_ABSENT

    # Still inside the window on its last day: nothing expires.
    _move_clock(time_machine, day + datetime.timedelta(days=school.staff_absent_resolution_days))
    assert [r.expired for r in expire_staff_absent(schools=[school])] == [0]
    record.refresh_from_db()
    assert record.status == Status.STAFF_ABSENT

    # The day after, the unresolved period becomes NM.
    _move_clock(
        time_machine, day + datetime.timedelta(days=school.staff_absent_resolution_days + 1)
    )
    assert [r.expired for r in expire_staff_absent(schools=[school])] == [1]
    record.refresh_from_db()
    assert record.status == Status.NOT_MARKED


@pytest.mark.parametrize("day", DAYS)
def test_the_billing_period_defaults_to_the_last_month_that_has_ended(
    time_machine, client, school_on, day
):
    school, _, slot, _ = school_on(day)
    group = slot.school_class
    group.price_per_session = 10
    group.save()
    _move_clock(time_machine, day)  # before signing in: a session lasts two weeks
    client.force_login(UserFactory(school=school, role=Role.ACCOUNTANT))

    html = client.get(reverse("billing:group", args=[group.pk])).text

    # Worked out by hand: the month before `day`'s month (31 December is not over yet).
    expected = {
        datetime.date(2027, 1, 2): "2026-12",
        datetime.date(2026, 12, 31): "2026-11",
        datetime.date(2027, 8, 1): "2027-07",
        datetime.date(2028, 2, 29): "2028-01",
        datetime.date(2027, 7, 1): "2027-06",
    }[day]
    assert f'value="{expected}"' in html


@pytest.mark.parametrize("day", DAYS)
def test_the_next_academic_year_is_created_from_the_current_one(time_machine, school_on, day):
    school, year, _, _ = school_on(day)
    _move_clock(time_machine, day)

    defaults = next_year_defaults(year)
    admin = UserFactory(school=school, role=Role.ADMIN)
    new_year = create_academic_year(school=school, copy_classes_from=year, actor=admin, **defaults)

    assert new_year.name == f"{day.year}-{day.year + 1}"
    for new, old in ((new_year.start_date, year.start_date), (new_year.end_date, year.end_date)):
        assert (new.year, new.month, new.day) == (old.year + 1, old.month, old.day)
    assert AcademicYear.objects.filter(school=school).count() == 2
    assert not new_year.is_current


def test_a_year_ending_on_29_february_is_followed_by_one_ending_on_28_february():
    year = AcademicYearFactory(
        name="2027-2028", start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2028, 2, 29)
    )
    defaults = next_year_defaults(year)
    assert defaults == {
        "name": "2028-2029",
        "start_date": datetime.date(2028, 3, 1),
        "end_date": datetime.date(2029, 2, 28),
    }
