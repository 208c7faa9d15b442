"""The report selectors for a class and a school (docs/design/attendance.md, reports): the
monthly register, the weekly trend, registers not taken.
"""

import datetime
from decimal import Decimal

import pytest

from academics.models import Holiday, Role
from attendance.models import AttendanceRecord, Status
from attendance.selectors.reports import (
    class_register,
    registers_not_taken,
    weekly_trend,
)
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SubjectFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

from .support import (
    DAY,
    MONDAY,
    SEPTEMBER,
    WEEK,
    record,
    student_in,
)

pytestmark = pytest.mark.django_db


# --- the class register -----------------------------------------------------------------------


@pytest.fixture
def maths():
    """Maths 9A meets on Mondays in period 3; Young, Adams and a late joiner, Zed."""
    school_class = SchoolClassFactory(name="Maths 9A")
    slot = TimetableSlotFactory(school_class=school_class, period_number=3)
    return slot, student_in(school_class, "Young"), student_in(school_class, "Adams")


def test_the_register_has_a_column_per_session_and_a_row_per_student_by_last_name(maths):
    slot, young, adams = maths
    record(young, Status.PRESENT, period_number=3, subject=slot.subject)
    record(adams, Status.ABSENT, period_number=3, subject=slot.subject)
    record(adams, Status.ON_DUTY, day=MONDAY + DAY, period_number=6, subject=slot.subject)

    register = class_register(
        school_class=slot.school_class, month=MONDAY, today=datetime.date(2026, 10, 15)
    )

    # Mondays 7, 14, 21, 28 September (slot meetings) and Tuesday the 8th (a record).
    assert [(s.date.day, s.period_number) for s in register.sessions] == [
        (7, 3),
        (8, 6),
        (14, 3),
        (21, 3),
        (28, 3),
    ]
    assert [str(row.student.user.last_name) for row in register.rows] == ["Adams", "Young"]
    adams_row, young_row = register.rows
    assert adams_row.cells == ["A", "OD", None, None, None]
    assert young_row.cells == ["P", None, None, None, None]
    assert (adams_row.present, adams_row.countable, adams_row.percentage) == (
        0,
        1,
        Decimal("0.0"),
    )
    assert young_row.percentage == Decimal("100.0")


def test_the_register_shows_every_status_and_counts_as_seed_001_says(maths):
    slot, young, adams = maths
    for period_number, status in enumerate(Status, start=1):
        record(young, status, period_number=period_number)

    register = class_register(school_class=slot.school_class, month=MONDAY, today=MONDAY)

    young_row = next(row for row in register.rows if row.student == young.student)
    assert [c for c in young_row.cells if c] == list(Status.values)
    assert (young_row.present, young_row.countable) == (1, 4)
    assert young_row.percentage == Decimal("25.0")


def test_orphaned_records_show_in_the_register_greyed_and_are_not_counted(maths):
    slot, young, adams = maths
    record(young, Status.PRESENT, period_number=1)
    record(young, Status.ABSENT, period_number=2, is_orphaned=True)

    register = class_register(school_class=slot.school_class, month=MONDAY, today=MONDAY)

    young_row = next(row for row in register.rows if row.student == young.student)
    orphaned = [mark for mark in young_row.marks if mark and mark.is_orphaned]
    assert [mark.status for mark in orphaned] == ["A"]
    assert "Orphaned — Period Removed" in orphaned[0].label
    assert (young_row.present, young_row.countable) == (1, 1)


def test_records_before_the_join_date_are_shown_but_not_counted_in_the_register(maths):
    slot, young, adams = maths
    late = student_in(slot.school_class, "Late", joined_on=MONDAY + WEEK)
    record(late, Status.ABSENT, day=MONDAY, period_number=3, subject=slot.subject)
    record(late, Status.PRESENT, day=MONDAY + WEEK, period_number=3, subject=slot.subject)

    register = class_register(school_class=slot.school_class, month=MONDAY, today=MONDAY + WEEK)

    late_row = next(row for row in register.rows if row.student == late.student)
    assert late_row.cells[:2] == ["A", "P"]
    assert (late_row.present, late_row.countable) == (1, 1)


def test_students_below_the_schools_threshold_are_flagged(maths):
    slot, young, adams = maths
    school = slot.school
    school.low_attendance_threshold = Decimal("60")
    school.save()
    for period_number, status in enumerate(["P", "P", "A"], start=1):  # 66.7%
        record(young, status, period_number=period_number)
    for period_number, status in enumerate(["P", "A", "A"], start=1):  # 33.3%
        record(adams, status, period_number=period_number)

    register = class_register(school_class=slot.school_class, month=MONDAY, today=MONDAY)

    flagged = {row.student.user.last_name: row.below_threshold for row in register.rows}
    assert flagged == {"Adams": True, "Young": False}


def test_a_holiday_or_a_day_after_today_is_no_column_unless_it_has_records(maths):
    slot, young, adams = maths
    Holiday.objects.create(
        school=slot.school, name="Closure", start_date=MONDAY + WEEK, end_date=MONDAY + WEEK
    )
    record(young, Status.HOLIDAY, day=MONDAY + 2 * WEEK, period_number=3, subject=slot.subject)

    register = class_register(school_class=slot.school_class, month=MONDAY, today=MONDAY + 2 * WEEK)

    # 7th: slot meeting; 14th: holiday (dropped); 21st: today, with a record; 28th: future.
    assert [s.date.day for s in register.sessions] == [7, 21]


def test_the_register_lists_only_students_who_were_members_that_month(maths):
    slot, young, adams = maths
    student_in(
        slot.school_class, "Gone", joined_on=datetime.date(2026, 8, 17), left_on=SEPTEMBER[0] - DAY
    )
    student_in(slot.school_class, "Future", joined_on=datetime.date(2026, 10, 5))

    register = class_register(school_class=slot.school_class, month=MONDAY, today=MONDAY)

    assert [row.student.user.last_name for row in register.rows] == ["Adams", "Young"]


# --- the weekly trend ---------------------------------------------------------------------------


def test_the_trend_gives_the_percentage_of_each_week_and_nothing_for_empty_weeks():
    membership = MembershipFactory()
    record(membership, Status.PRESENT, day=MONDAY, period_number=1)
    record(membership, Status.ABSENT, day=MONDAY + DAY, period_number=1)
    record(membership, Status.ON_DUTY, day=MONDAY + DAY, period_number=2)
    record(membership, Status.PRESENT, day=MONDAY + 2 * WEEK, period_number=1)
    record(membership, Status.ABSENT, day=MONDAY + 2 * WEEK, period_number=2, is_orphaned=True)

    weeks = weekly_trend(
        records=AttendanceRecord.objects.filter(student=membership.student),
        last_day=MONDAY + 2 * WEEK + 3 * DAY,
        weeks=4,
    )

    assert [w.start for w in weeks] == [MONDAY - WEEK + n * WEEK for n in range(4)]
    assert [w.percentage for w in weeks] == [None, Decimal("50.0"), None, Decimal("100.0")]
    assert [(w.present, w.countable) for w in weeks] == [(0, 0), (1, 2), (0, 0), (1, 1)]


def test_the_trend_leaves_out_records_before_joining_and_after_the_last_day():
    membership = MembershipFactory(joined_on=MONDAY + DAY)
    record(membership, Status.ABSENT, day=MONDAY)
    record(membership, Status.PRESENT, day=MONDAY + DAY)
    record(membership, Status.ABSENT, day=MONDAY + 3 * DAY)

    (week,) = weekly_trend(
        records=AttendanceRecord.objects.filter(student=membership.student),
        last_day=MONDAY + 2 * DAY,
        weeks=1,
    )

    assert (week.present, week.countable) == (1, 1)


# --- registers not taken --------------------------------------------------------------------------


@pytest.fixture
def timetable():
    """Two teachers' Monday periods in one school, each class with one student."""
    school = SchoolFactory()
    rivera = UserFactory(school=school, role=Role.TEACHER, last_name="Rivera")
    chen = UserFactory(school=school, role=Role.TEACHER, last_name="Chen")
    maths = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=school, name="Maths"),
        teacher=rivera,
        period_number=1,
    )
    art = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=school, name="Art"), teacher=chen, period_number=2
    )
    for slot in (maths, art):
        student_in(slot.school_class, "Pupil")
    return school, maths, art


def not_taken_keys(missing):
    return [(m.date, m.slot.school_class.name) for m in missing]


def test_unmarked_periods_before_today_are_listed_and_marked_ones_are_not(timetable):
    school, maths, art = timetable
    AttendanceRecordFactory(
        membership=maths.school_class.memberships.get(),
        subject=maths.subject,
        period_number=maths.period_number,
        date=MONDAY,
    )
    admin = UserFactory(school=school, role=Role.ADMIN)

    missing = registers_not_taken(user=admin, start=MONDAY, end=MONDAY + WEEK, today=MONDAY + WEEK)

    # Maths on the 7th was marked; the 14th is today, whose registers may still be taken.
    assert not_taken_keys(missing) == [(MONDAY, "Art")]
    assert missing[0].teacher.last_name == "Chen"


def test_a_record_of_another_period_does_not_count_as_taking_the_register(timetable):
    school, maths, art = timetable
    AttendanceRecordFactory(
        membership=maths.school_class.memberships.get(),
        subject=maths.subject,
        period_number=maths.period_number + 1,
        date=MONDAY,
    )

    missing = registers_not_taken(user=maths.teacher, start=MONDAY, end=MONDAY, today=MONDAY + DAY)

    assert not_taken_keys(missing) == [(MONDAY, "Maths")]


def test_holidays_are_skipped(timetable):
    school, maths, art = timetable
    Holiday.objects.create(school=school, name="Closure", start_date=MONDAY, end_date=MONDAY + DAY)
    admin = UserFactory(school=school, role=Role.ADMIN)

    missing = registers_not_taken(
        user=admin, start=MONDAY, end=MONDAY + WEEK, today=MONDAY + WEEK + DAY
    )

    assert {day for day, _ in not_taken_keys(missing)} == {MONDAY + WEEK}


def test_days_outside_a_slots_validity_or_with_an_empty_roll_are_skipped(timetable):
    school, maths, art = timetable
    maths.valid_from = MONDAY + WEEK
    maths.save()
    art.school_class.memberships.update(joined_on=MONDAY + WEEK)
    admin = UserFactory(school=school, role=Role.ADMIN)

    missing = registers_not_taken(
        user=admin, start=MONDAY, end=MONDAY + WEEK, today=MONDAY + 2 * WEEK
    )

    assert sorted(not_taken_keys(missing)) == [(MONDAY + WEEK, "Art"), (MONDAY + WEEK, "Maths")]


def test_a_teacher_sees_only_their_own_missing_registers(timetable):
    school, maths, art = timetable

    missing = registers_not_taken(user=maths.teacher, start=MONDAY, end=MONDAY, today=MONDAY + DAY)
    # Asking for another teacher changes nothing for a teacher.
    also = registers_not_taken(
        user=maths.teacher, start=MONDAY, end=MONDAY, today=MONDAY + DAY, teacher=art.teacher
    )

    assert not_taken_keys(missing) == not_taken_keys(also) == [(MONDAY, "Maths")]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRINCIPAL, Role.HOD])
def test_school_wide_readers_see_every_teacher_by_name_and_may_filter_one(timetable, role):
    school, maths, art = timetable
    reader = UserFactory(school=school, role=role)

    everyone = registers_not_taken(user=reader, start=MONDAY, end=MONDAY, today=MONDAY + DAY)
    only_chen = registers_not_taken(
        user=reader, start=MONDAY, end=MONDAY, today=MONDAY + DAY, teacher=art.teacher
    )

    assert [m.teacher.last_name for m in everyone] == ["Chen", "Rivera"]
    assert not_taken_keys(only_chen) == [(MONDAY, "Art")]


def test_another_schools_slots_are_never_listed(timetable):
    school, maths, art = timetable
    outsider = UserFactory(role=Role.ADMIN)

    assert registers_not_taken(user=outsider, start=MONDAY, end=MONDAY, today=MONDAY + DAY) == []


def test_a_subject_taught_to_two_classes_is_taken_per_class(timetable):
    school, maths, art = timetable
    subject = SubjectFactory(school=school)
    teacher = maths.teacher
    first = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=school, name="Bio A"),
        subject=subject,
        teacher=teacher,
        period_number=5,
    )
    second = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=school, name="Bio B"),
        subject=subject,
        teacher=teacher,
        period_number=5,
    )
    AttendanceRecordFactory(
        membership=student_in(first.school_class, "One"),
        subject=subject,
        period_number=5,
        date=MONDAY,
    )
    student_in(second.school_class, "Two")

    missing = registers_not_taken(user=teacher, start=MONDAY, end=MONDAY, today=MONDAY + DAY)

    assert sorted(not_taken_keys(missing)) == [(MONDAY, "Bio B"), (MONDAY, "Maths")]
