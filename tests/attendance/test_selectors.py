import datetime
from decimal import Decimal

import pytest

from academics.models import Membership, Role
from attendance.models import Status
from attendance.selectors import (
    attendance_list_page,
    attendance_percentage,
    periods_for_day,
    roster,
    visible_classes,
    visible_memberships,
    with_attendance_totals,
)
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SubjectFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

pytestmark = pytest.mark.django_db


MONDAY = datetime.date(2026, 9, 7)


def totals_for(membership):
    return with_attendance_totals(Membership.objects.filter(pk=membership.pk)).get()


def percentage_for(membership):
    row = totals_for(membership)
    return attendance_percentage(row.present_count, row.denominator)


def record(membership, status, *, day=MONDAY, **kwargs):
    return AttendanceRecordFactory(membership=membership, status=status, date=day, **kwargs)


# --- attendance_percentage: the rounding, in one place ---------------------------------


@pytest.mark.parametrize(
    ("present", "denominator", "expected"),
    [
        (1, 1, Decimal("100.0")),
        (1, 2, Decimal("50.0")),
        (2, 3, Decimal("66.7")),
        (1, 3, Decimal("33.3")),
        (1, 16, Decimal("6.3")),  # 6.25: half up, not to even
        (3, 8, Decimal("37.5")),
        (0, 5, Decimal("0.0")),
    ],
)
def test_percentage_has_one_decimal_rounded_half_up(present, denominator, expected):
    assert attendance_percentage(present, denominator) == expected


@pytest.mark.parametrize("denominator", [0, None])
def test_no_percentage_without_a_denominator(denominator):
    assert attendance_percentage(0, denominator) is None


# --- the status table of docs/design/attendance.md, one status at a time
# -------------------------------------


@pytest.mark.parametrize(
    ("status", "present", "countable", "percentage"),
    [
        # Each student also has one Present record, so an excluded status leaves 1/1.
        (Status.PRESENT, 2, 2, Decimal("100.0")),
        (Status.ABSENT, 1, 2, Decimal("50.0")),
        (Status.INFORMED_LEAVE, 1, 2, Decimal("50.0")),  # counted, not present
        (Status.UNINFORMED_LEAVE, 1, 2, Decimal("50.0")),
        (Status.ON_DUTY, 1, 1, Decimal("100.0")),
        (Status.STAFF_ABSENT, 1, 1, Decimal("100.0")),  # unresolved SA is excluded
        (Status.SUSPENDED, 1, 1, Decimal("100.0")),
        (Status.NOT_MARKED, 1, 1, Decimal("100.0")),
        (Status.HOLIDAY, 1, 1, Decimal("100.0")),
    ],
)
def test_each_status_counts_as_seed_001_says(status, present, countable, percentage):
    membership = MembershipFactory()
    record(membership, Status.PRESENT, period_number=1)
    record(membership, status, period_number=2)

    row = totals_for(membership)

    assert (row.present_count, row.countable_count) == (present, countable)
    assert attendance_percentage(row.present_count, row.denominator) == percentage


@pytest.mark.parametrize("status", [Status.PRESENT, Status.ABSENT])
def test_an_orphaned_record_is_excluded(status):
    membership = MembershipFactory()
    record(membership, Status.PRESENT, period_number=1)
    record(membership, Status.ABSENT, period_number=2)
    record(membership, status, period_number=3, is_orphaned=True)

    row = totals_for(membership)

    assert (row.present_count, row.countable_count) == (1, 2)
    assert attendance_percentage(row.present_count, row.denominator) == Decimal("50.0")


def test_only_orphaned_records_give_no_percentage():
    membership = MembershipFactory()
    record(membership, Status.PRESENT, is_orphaned=True)

    assert percentage_for(membership) is None


@pytest.mark.parametrize(
    "statuses", [[], [Status.ON_DUTY, Status.HOLIDAY, Status.STAFF_ABSENT, Status.NOT_MARKED]]
)
def test_nothing_countable_gives_no_percentage(statuses):
    membership = MembershipFactory()
    for period, status in enumerate(statuses, start=1):
        record(membership, status, period_number=period)

    row = totals_for(membership)

    assert row.denominator == 0
    assert row.percentage_raw is None
    assert attendance_percentage(row.present_count, row.denominator) is None


# --- EC-ATT-01: only from the join date (and up to the leaving date) --------------------


def test_records_before_joining_and_after_leaving_are_not_counted():
    membership = MembershipFactory(
        joined_on=datetime.date(2026, 9, 7), left_on=datetime.date(2026, 9, 14)
    )
    record(membership, Status.ABSENT, day=datetime.date(2026, 9, 6))  # before joining
    record(membership, Status.PRESENT, day=datetime.date(2026, 9, 7))  # join day counts
    record(membership, Status.ABSENT, day=datetime.date(2026, 9, 10))
    record(membership, Status.PRESENT, day=datetime.date(2026, 9, 14))  # leave day counts
    record(membership, Status.ABSENT, day=datetime.date(2026, 9, 15))  # after leaving

    row = totals_for(membership)

    assert (row.present_count, row.countable_count) == (2, 3)
    assert attendance_percentage(row.present_count, row.denominator) == Decimal("66.7")


def test_records_of_another_class_do_not_count_in_this_one():
    membership = MembershipFactory()
    other = MembershipFactory(
        student=membership.student,
        school=membership.school,
        school_class=SchoolClassFactory(school=membership.school),
    )
    record(membership, Status.PRESENT)
    record(other, Status.ABSENT, period_number=5)
    record(other, Status.ABSENT, period_number=6)

    assert percentage_for(membership) == Decimal("100.0")
    assert percentage_for(other) == Decimal("0.0")


# --- docs/design/total-sessions.md: the override is the denominator
# -----------------------------------------


def test_an_override_replaces_the_countable_count_as_denominator():
    membership = MembershipFactory()
    record(membership, Status.PRESENT, period_number=1)
    record(membership, Status.ABSENT, period_number=2)
    TotalSessionsOverrideFactory(membership=membership, total_sessions=8)

    row = totals_for(membership)

    assert (row.countable_count, row.override_total, row.denominator) == (2, 8, 8)
    assert attendance_percentage(row.present_count, row.denominator) == Decimal("12.5")


def test_an_override_gives_a_percentage_before_anything_is_countable():
    membership = MembershipFactory()
    TotalSessionsOverrideFactory(membership=membership, total_sessions=40)

    assert percentage_for(membership) == Decimal("0.0")


def test_a_per_subject_override_or_another_students_override_is_not_the_class_denominator():
    membership = MembershipFactory()
    classmate = MembershipFactory(school_class=membership.school_class)
    record(membership, Status.PRESENT, period_number=1)
    record(membership, Status.ABSENT, period_number=2)
    TotalSessionsOverrideFactory(
        membership=membership, subject=SubjectFactory(school=membership.school), total_sessions=9
    )
    TotalSessionsOverrideFactory(membership=classmate, total_sessions=7)

    assert percentage_for(membership) == Decimal("50.0")


# --- scope -------------------------------------------------------------------------------


@pytest.fixture
def school_with_classes(db):
    school = SchoolFactory()
    taught, advised, other = (SchoolClassFactory(school=school) for _ in range(3))
    teacher = UserFactory(school=school, role=Role.TEACHER)
    TimetableSlotFactory(school_class=taught, teacher=teacher)
    advised.advisor = teacher
    advised.save()
    memberships = {k: MembershipFactory(school_class=k) for k in (taught, advised, other)}
    elsewhere = MembershipFactory()  # another school
    return school, teacher, memberships, elsewhere


def test_a_teacher_sees_the_classes_they_teach_or_advise(school_with_classes):
    school, teacher, memberships, elsewhere = school_with_classes
    taught, advised, other = memberships

    assert set(visible_classes(user=teacher)) == {taught, advised}
    assert set(visible_memberships(user=teacher)) == {memberships[taught], memberships[advised]}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.ACCOUNTANT])
def test_school_wide_roles_see_the_whole_school_and_nothing_else(school_with_classes, role):
    school, teacher, memberships, elsewhere = school_with_classes
    reader = UserFactory(school=school, role=role)

    assert set(visible_memberships(user=reader)) == set(memberships.values())
    assert elsewhere.school_class not in visible_classes(user=reader)


def test_a_student_sees_only_their_own_rows(school_with_classes):
    school, teacher, memberships, elsewhere = school_with_classes
    mine = list(memberships.values())[0]
    MembershipFactory(school_class=list(memberships)[1], student=mine.student)

    rows = visible_memberships(user=mine.student.user)

    assert {m.student for m in rows} == {mine.student}
    assert rows.count() == 2


def test_the_list_is_scoped_and_filtered_by_class(school_with_classes):
    school, teacher, memberships, elsewhere = school_with_classes
    taught = list(memberships)[0]
    admin = UserFactory(school=school, role=Role.ADMIN)

    def shown(**filters):
        return [row.membership for row in attendance_list_page(user=admin, **filters)]

    assert set(shown()) == set(memberships.values())
    assert shown(school_class=taught) == [memberships[taught]]


def test_lowest_first_puts_the_lowest_percentage_first_and_no_percentage_last(db):
    school_class = SchoolClassFactory()
    admin = UserFactory(school=school_class.school, role=Role.ADMIN)
    good, poor, empty = (MembershipFactory(school_class=school_class) for _ in range(3))
    record(good, Status.PRESENT)
    record(poor, Status.ABSENT)

    ordered = [row.membership for row in attendance_list_page(user=admin, lowest_first=True)]

    assert ordered == [poor, good, empty]


# --- marking reads -----------------------------------------------------------------------


def test_the_roster_is_the_members_active_that_day_by_last_name(db):
    slot = TimetableSlotFactory()
    school_class = slot.school_class

    def member(last_name, **dates):
        user = UserFactory(school=slot.school, role=Role.STUDENT, last_name=last_name)
        return MembershipFactory(school_class=school_class, student=user.student_profile, **dates)

    member("Young")
    member("Adams")
    member("Late", joined_on=MONDAY + datetime.timedelta(days=1))
    member("Gone", left_on=MONDAY - datetime.timedelta(days=1))
    member("Leaving", left_on=MONDAY)

    names = [m.student.user.last_name for m in roster(slot=slot, day=MONDAY)]

    assert names == ["Adams", "Leaving", "Young"]


def test_periods_for_day_are_the_teachers_slots_meeting_that_day(db):
    teacher = UserFactory(role=Role.TEACHER)
    school = teacher.school
    monday = TimetableSlotFactory(school_class__school=school, teacher=teacher, weekday=0)
    TimetableSlotFactory(school_class__school=school, teacher=teacher, weekday=1)
    TimetableSlotFactory(school_class__school=school, weekday=0)  # someone else's
    TimetableSlotFactory(
        school_class__school=school,
        teacher=teacher,
        weekday=0,
        valid_to=MONDAY - datetime.timedelta(days=1),
    )
    MembershipFactory(school_class=monday.school_class)
    marked = MembershipFactory(school_class=monday.school_class)
    AttendanceRecordFactory(
        membership=marked, subject=monday.subject, period_number=monday.period_number, date=MONDAY
    )

    slots = list(periods_for_day(user=teacher, day=MONDAY))

    assert slots == [monday]
    assert (slots[0].roster_size, slots[0].marked_count) == (2, 1)


def test_a_later_page_has_its_own_rows_with_their_own_totals(db):
    school_class = SchoolClassFactory()
    admin = UserFactory(school=school_class.school, role=Role.ADMIN)
    memberships = []
    for n in range(5):
        user = UserFactory(school=school_class.school, role=Role.STUDENT, last_name=f"S{n}")
        memberships.append(
            MembershipFactory(school_class=school_class, student=user.student_profile)
        )
    record(memberships[3], Status.ABSENT)

    page = attendance_list_page(user=admin, page_number=2, per_page=2)

    assert [row.membership for row in page] == memberships[2:4]
    assert [row.percentage for row in page] == [None, Decimal("0.0")]
    assert (page.paginator.count, page.paginator.num_pages) == (5, 3)
