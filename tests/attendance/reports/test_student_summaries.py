"""The report selectors for one student (docs/design/attendance.md, reports): every status
code in a summary, report periods, a student's report, who may be reported on.
"""

import datetime
from decimal import Decimal

import pytest

from academics.models import Role
from attendance.models import Status
from attendance.selectors import visible_classes
from attendance.selectors.reports import (
    PeriodKind,
    report_period,
    student_attendance_report,
    student_summary,
    visible_students,
)
from tests.academics.factories import (
    AcademicYearFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TermFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import TotalSessionsOverrideFactory

from .support import (
    DAY,
    MONDAY,
    SEED_001,
    WEEK,
    record,
)

pytestmark = pytest.mark.django_db


# --- student_summary: every status code ---------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_each_status_is_counted_and_measured_as_seed_001_says(status):
    membership = MembershipFactory()
    record(membership, Status.PRESENT, period_number=1)
    record(membership, status, period_number=2)

    summary = student_summary(student=membership.student, start=MONDAY, end=MONDAY)

    present, countable = SEED_001[status]
    expected_counts = dict.fromkeys(Status.values, 0)
    expected_counts[Status.PRESENT] += 1
    expected_counts[status] += 1
    assert summary.counts == expected_counts
    assert (summary.present, summary.countable) == (present, countable)
    assert summary.percentage == Decimal(present * 100) / countable


def test_informed_leave_is_counted_against_the_percentage_and_reported_on_its_own():
    membership = MembershipFactory()
    record(membership, Status.PRESENT, period_number=1)
    record(membership, Status.INFORMED_LEAVE, period_number=2)
    record(membership, Status.ABSENT, period_number=3)

    summary = student_summary(student=membership.student, start=MONDAY, end=MONDAY)

    assert summary.informed_leave == 1
    assert summary.counts[Status.ABSENT] == 1
    assert summary.percentage == Decimal("33.3")


def test_unresolved_staff_absence_is_excluded_and_reported_as_such():
    membership = MembershipFactory()
    record(membership, Status.ABSENT, period_number=1)
    record(membership, Status.STAFF_ABSENT, period_number=2)
    record(membership, Status.STAFF_ABSENT, period_number=3)

    summary = student_summary(student=membership.student, start=MONDAY, end=MONDAY)

    assert summary.unresolved_staff_absent == 2
    assert summary.countable == 1
    assert summary.excluded == 2
    assert summary.percentage == Decimal("0.0")


def test_orphaned_records_are_reported_apart_and_never_counted():
    membership = MembershipFactory()
    record(membership, Status.ABSENT, period_number=1)
    record(membership, Status.PRESENT, period_number=2, is_orphaned=True)
    record(membership, Status.ABSENT, period_number=3, is_orphaned=True)

    summary = student_summary(student=membership.student, start=MONDAY, end=MONDAY)

    assert summary.orphaned == 2
    assert summary.counts[Status.PRESENT] == 0
    assert (summary.present, summary.countable) == (0, 1)


def test_records_before_joining_or_after_leaving_are_not_counted():
    membership = MembershipFactory(joined_on=MONDAY, left_on=MONDAY + 2 * DAY)
    record(membership, Status.ABSENT, day=MONDAY - DAY)
    record(membership, Status.PRESENT, day=MONDAY)
    record(membership, Status.PRESENT, day=MONDAY + 2 * DAY)
    record(membership, Status.ABSENT, day=MONDAY + 3 * DAY)

    summary = student_summary(student=membership.student, start=MONDAY - WEEK, end=MONDAY + WEEK)

    assert (summary.present, summary.countable) == (2, 2)
    assert summary.outside_membership == 2
    assert summary.percentage == Decimal("100.0")


def test_nothing_countable_gives_no_percentage():
    membership = MembershipFactory()
    record(membership, Status.ON_DUTY)

    summary = student_summary(student=membership.student, start=MONDAY, end=MONDAY)

    assert summary.countable == 0
    assert summary.percentage is None


def test_a_summary_covers_only_its_dates_and_the_class_asked_for():
    membership = MembershipFactory()
    other = MembershipFactory(
        student=membership.student,
        school_class=SchoolClassFactory(school=membership.school),
    )
    record(membership, Status.PRESENT, day=MONDAY)
    record(membership, Status.ABSENT, day=MONDAY + WEEK)
    record(other, Status.ABSENT, day=MONDAY, period_number=5)

    week = student_summary(student=membership.student, start=MONDAY, end=MONDAY + 6 * DAY)
    one_class = student_summary(
        student=membership.student,
        start=MONDAY,
        end=MONDAY + 6 * DAY,
        school_class=membership.school_class,
    )

    assert (week.present, week.countable) == (1, 2)
    assert (one_class.present, one_class.countable) == (1, 1)


# --- report periods -----------------------------------------------------------------------


def test_a_week_runs_monday_to_sunday_and_steps_by_seven_days():
    school = SchoolFactory()
    wednesday = MONDAY + 2 * DAY

    period = report_period(school=school, kind=PeriodKind.WEEK, anchor=wednesday)

    assert (period.start, period.end) == (MONDAY, MONDAY + 6 * DAY)
    assert (period.previous_anchor, period.next_anchor) == (MONDAY - WEEK, MONDAY + WEEK)


def test_a_month_runs_from_its_first_to_its_last_day():
    school = SchoolFactory()

    period = report_period(school=school, kind=PeriodKind.MONTH, anchor=datetime.date(2026, 2, 14))

    assert (period.start, period.end) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert period.previous_anchor == datetime.date(2026, 1, 1)
    assert period.next_anchor == datetime.date(2026, 3, 1)


def test_a_day_is_one_date():
    period = report_period(school=SchoolFactory(), kind=PeriodKind.DAY, anchor=MONDAY)

    assert (period.start, period.end, period.days) == (MONDAY, MONDAY, 1)
    assert period.label == "Monday 7 September 2026"


def test_a_term_is_the_schools_term_containing_the_date():
    year = AcademicYearFactory()
    fall = TermFactory(
        academic_year=year,
        name="Fall",
        start_date=datetime.date(2026, 8, 17),
        end_date=datetime.date(2026, 12, 18),
    )
    TermFactory(academic_year=AcademicYearFactory(), name="Another school's term")

    period = report_period(school=year.school, kind=PeriodKind.TERM, anchor=MONDAY)

    assert (period.start, period.end) == (fall.start_date, fall.end_date)
    assert period.label.startswith("Fall")
    assert period.next_anchor == datetime.date(2026, 12, 19)
    assert not period.note


def test_without_a_term_the_academic_year_or_else_the_month_is_used():
    year = AcademicYearFactory()
    in_year = report_period(school=year.school, kind=PeriodKind.TERM, anchor=MONDAY)
    no_year = report_period(
        school=year.school, kind=PeriodKind.TERM, anchor=datetime.date(2030, 5, 5)
    )

    assert (in_year.start, in_year.end) == (year.start_date, year.end_date)
    assert "academic year" in in_year.note
    assert (no_year.start, no_year.end) == (datetime.date(2030, 5, 1), datetime.date(2030, 5, 31))
    assert "month" in no_year.note


# --- a student's report -----------------------------------------------------------------------


def test_the_report_has_a_row_per_class_and_a_total():
    maths = MembershipFactory(school_class__name="Maths")
    art = MembershipFactory(
        student=maths.student, school_class=SchoolClassFactory(school=maths.school, name="Art")
    )
    record(maths, Status.PRESENT, period_number=1)
    record(maths, Status.INFORMED_LEAVE, period_number=2)
    record(art, Status.ABSENT, period_number=3)
    record(art, Status.PRESENT, period_number=4, is_orphaned=True)
    period = report_period(school=maths.school, kind=PeriodKind.WEEK, anchor=MONDAY)

    report = student_attendance_report(
        student=maths.student,
        period=period,
        classes=visible_classes(user=UserFactory(school=maths.school, role=Role.ADMIN)),
        today=MONDAY + WEEK,
    )

    rows = {str(row.school_class): row.summary for row in report.rows}
    assert list(rows) == ["Art", "Maths"]
    assert (rows["Maths"].present, rows["Maths"].countable, rows["Maths"].informed_leave) == (
        1,
        2,
        1,
    )
    assert (rows["Art"].present, rows["Art"].countable, rows["Art"].orphaned) == (0, 1, 1)
    assert (report.total.present, report.total.countable) == (1, 3)
    assert report.total.percentage == Decimal("33.3")


def test_the_whole_course_percentage_uses_the_total_sessions_override():
    membership = MembershipFactory()
    record(membership, Status.PRESENT, period_number=1)
    record(membership, Status.PRESENT, day=MONDAY + WEEK)
    TotalSessionsOverrideFactory(membership=membership, total_sessions=8)
    period = report_period(school=membership.school, kind=PeriodKind.DAY, anchor=MONDAY)

    report = student_attendance_report(
        student=membership.student,
        period=period,
        classes=visible_classes(user=UserFactory(school=membership.school, role=Role.ADMIN)),
        today=MONDAY + WEEK,
    )

    (row,) = report.rows
    assert row.summary.percentage == Decimal("100.0")  # the day: 1 of 1
    assert (row.overall_present, row.overall_denominator) == (2, 8)
    assert row.overall_percentage == Decimal("25.0")


def test_a_teacher_sees_only_the_classes_they_teach_in_a_students_report():
    slot = TimetableSlotFactory(school_class__name="Maths")
    maths = MembershipFactory(school_class=slot.school_class)
    art = MembershipFactory(
        student=maths.student, school_class=SchoolClassFactory(school=slot.school, name="Art")
    )
    record(maths, Status.PRESENT, period_number=1)
    record(art, Status.ABSENT, period_number=2)
    period = report_period(school=slot.school, kind=PeriodKind.DAY, anchor=MONDAY)

    report = student_attendance_report(
        student=maths.student,
        period=period,
        classes=visible_classes(user=slot.teacher),
        today=MONDAY,
    )

    assert [str(row.school_class) for row in report.rows] == ["Maths"]
    assert report.total.countable == 1


def test_the_day_view_lists_each_period_with_its_status_and_unmarked_periods():
    slot = TimetableSlotFactory(period_number=4)
    membership = MembershipFactory(school_class=slot.school_class)
    record(membership, Status.PRESENT, period_number=1)
    record(membership, Status.STAFF_ABSENT, period_number=2)
    record(membership, Status.ABSENT, period_number=3, is_orphaned=True)
    period = report_period(school=slot.school, kind=PeriodKind.DAY, anchor=MONDAY)

    report = student_attendance_report(
        student=membership.student,
        period=period,
        classes=visible_classes(user=slot.teacher),
        today=MONDAY,
    )

    lines = [(line.period_number, line.status, line.label) for line in report.day_lines]
    assert lines == [
        (1, "P", "Present"),
        (2, "SA", "SA (unresolved)"),
        (3, "A", "Absent"),
        (4, None, "Not marked"),
    ]
    assert [line.is_counted for line in report.day_lines] == [True, False, False, False]
    assert report.day_lines[2].is_orphaned


# --- visible students -------------------------------------------------------------------------


def test_a_student_sees_only_themselves_and_a_teacher_only_their_classes_students():
    slot = TimetableSlotFactory()
    mine = MembershipFactory(school_class=slot.school_class)
    classmate = MembershipFactory(school_class=slot.school_class)
    elsewhere = MembershipFactory(school_class=SchoolClassFactory(school=slot.school))
    other_school = MembershipFactory()

    assert set(visible_students(user=mine.student.user)) == {mine.student}
    assert set(visible_students(user=slot.teacher)) == {mine.student, classmate.student}
    principal = UserFactory(school=slot.school, role=Role.PRINCIPAL)
    assert set(visible_students(user=principal)) == {
        mine.student,
        classmate.student,
        elsewhere.student,
    }
    assert other_school.student not in visible_students(user=principal)
