"""Total-sessions overrides: the rules and the three scenarios of
docs/design/total-sessions.md."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from academics.models import Membership, Role
from attendance.models import Status, TotalSessionsOverride
from attendance.selectors import attendance_percentage, with_attendance_totals
from attendance.services import (
    BulkTotalRejected,
    InvalidTotal,
    NotAMember,
    TotalBelowActual,
    bulk_set_total_sessions,
    clear_total_sessions,
    parse_total_sessions,
    set_total_sessions,
)
from attendance.services import total_sessions as total_sessions_service
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SubjectFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

pytestmark = pytest.mark.django_db

TERM_START = datetime.date(2026, 8, 17)


def school_days(count: int, start: datetime.date = TERM_START) -> list[datetime.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def attend(membership, statuses, start=TERM_START):
    """One period-1 record a school day for each status, from `start`."""
    for day, status in zip(school_days(len(statuses), start), statuses, strict=True):
        AttendanceRecordFactory(membership=membership, date=day, period_number=1, status=status)


def percentage(membership):
    row = with_attendance_totals(Membership.objects.filter(pk=membership.pk)).get()
    return attendance_percentage(row.present_count, row.denominator)


@pytest.fixture
def teacher():
    return UserFactory(role=Role.TEACHER)


@pytest.fixture
def member(teacher):
    return MembershipFactory(school_class=SchoolClassFactory(school=teacher.school))


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "total"), [(50, 50), ("50", 50), (" 7 ", 7), ("45.0", 45), (0, 0)])
def test_whole_numbers_are_accepted(raw, total):
    assert parse_total_sessions(raw) == total


@pytest.mark.parametrize(
    "raw",
    [
        -1,
        "-3",
        50.5,
        "50.5",
        "fifty",
        "",
        None,
        True,
        "1e3",
        "1E2",
        "1e3x",
        "NaN",
        "Infinity",
        [50],
    ],
)
def test_anything_else_must_be_a_valid_positive_number(raw):
    with pytest.raises(InvalidTotal, match="Must be a valid positive number"):
        parse_total_sessions(raw)


def test_a_huge_number_is_refused_with_the_limit():
    with pytest.raises(InvalidTotal, match="at most 10,000"):
        parse_total_sessions(10_001)


# --- the rules --------------------------------------------------------------------------


def test_the_override_becomes_the_denominator(member, teacher):
    attend(member, [Status.PRESENT] * 9 + [Status.ABSENT])
    assert percentage(member) == Decimal("90.0")

    set_total_sessions(
        student=member.student, school_class=member.school_class, total=20, actor=teacher
    )

    assert percentage(member) == Decimal("45.0")


def test_a_total_below_the_countable_records_is_refused_and_nothing_changes(member, teacher):
    attend(member, [Status.PRESENT] * 5 + [Status.ON_DUTY, Status.HOLIDAY])  # 5 countable

    with pytest.raises(TotalBelowActual, match="cannot be less than actual records") as refusal:
        set_total_sessions(
            student=member.student, school_class=member.school_class, total=4, actor=teacher
        )

    assert refusal.value.actual == 5
    assert not TotalSessionsOverride.objects.exists()
    set_total_sessions(
        student=member.student, school_class=member.school_class, total=5, actor=teacher
    )


def test_records_before_the_join_date_do_not_count_as_actual(teacher):
    member = MembershipFactory(
        school_class=SchoolClassFactory(school=teacher.school),
        joined_on=school_days(11)[-1],  # joins on the 11th school day
    )
    attend(member, [Status.PRESENT] * 15)  # 10 before joining, 5 after

    set_total_sessions(
        student=member.student, school_class=member.school_class, total=5, actor=teacher
    )
    assert percentage(member) == Decimal("100.0")


def test_a_student_outside_the_class_is_refused(member, teacher):
    elsewhere = SchoolClassFactory(school=member.school)
    with pytest.raises(NotAMember):
        set_total_sessions(student=member.student, school_class=elsewhere, total=5, actor=teacher)


def test_every_change_is_kept_with_who_and_old_and_new(member, teacher):
    other = UserFactory(school=teacher.school, role=Role.ADMIN)
    for total, actor in ((60, teacher), (50, other)):
        set_total_sessions(
            student=member.student, school_class=member.school_class, total=total, actor=actor
        )

    override = TotalSessionsOverride.objects.get()
    assert (override.created_by, override.updated_by) == (teacher, other)
    history = list(
        override.history.order_by("history_date").values_list("total_sessions", "history_user")
    )
    assert history == [(60, teacher.pk), (50, other.pk)]


def test_clearing_goes_back_to_the_actual_records_and_is_kept_in_history(member, teacher):
    attend(member, [Status.PRESENT, Status.ABSENT])
    set_total_sessions(
        student=member.student, school_class=member.school_class, total=10, actor=teacher
    )

    assert clear_total_sessions(
        student=member.student, school_class=member.school_class, actor=teacher
    )

    assert percentage(member) == Decimal("50.0")
    assert TotalSessionsOverride.history.filter(history_type="-", history_user=teacher).exists()
    assert not clear_total_sessions(
        student=member.student, school_class=member.school_class, actor=teacher
    )


def test_one_override_per_student_class_and_subject_even_without_a_subject(member, teacher):
    subject = SubjectFactory(school=member.school)
    kwargs = {
        "school": member.school,
        "student": member.student,
        "school_class": member.school_class,
    }
    TotalSessionsOverride.objects.create(**kwargs, total_sessions=5)
    TotalSessionsOverride.objects.create(**kwargs, subject=subject, total_sessions=5)
    with pytest.raises(IntegrityError):
        TotalSessionsOverride.objects.create(**kwargs, total_sessions=6)


def test_a_per_subject_override_is_kept_apart_from_the_class_one(member, teacher):
    subject = SubjectFactory(school=member.school)
    for subj, total in ((None, 30), (subject, 12)):
        set_total_sessions(
            student=member.student,
            school_class=member.school_class,
            subject=subj,
            total=total,
            actor=teacher,
        )
    assert sorted(TotalSessionsOverride.objects.values_list("total_sessions", flat=True)) == [
        12,
        30,
    ]


# --- the three scenarios of docs/design/total-sessions.md ------------------------------


def test_scenario_1_new_semester_setup_60_for_everyone(teacher):
    """docs/design/total-sessions.md, scenario 1: set 60 for every student; percentages reflect
    progress."""
    school_class = SchoolClassFactory(school=teacher.school)
    members = [MembershipFactory(school_class=school_class) for _ in range(3)]
    attend(members[0], [Status.PRESENT] * 12)
    attend(members[1], [Status.PRESENT] * 6 + [Status.ABSENT] * 6)

    bulk_set_total_sessions(
        students=[m.student for m in members], school_class=school_class, total=60, actor=teacher
    )

    assert [percentage(m) for m in members] == [Decimal("20.0"), Decimal("10.0"), Decimal("0.0")]


def test_scenario_2_a_mid_term_student_measured_against_50(teacher):
    """docs/design/total-sessions.md, scenario 2: joins after 10 sessions, total set to the
    remaining 50."""
    school_class = SchoolClassFactory(school=teacher.school)
    veteran = MembershipFactory(school_class=school_class)
    newcomer = MembershipFactory(school_class=school_class, joined_on=school_days(11)[-1])
    attend(veteran, [Status.PRESENT] * 20)
    attend(newcomer, [Status.PRESENT] * 20)  # the first 10 predate joining: not counted

    set_total_sessions(student=newcomer.student, school_class=school_class, total=50, actor=teacher)

    assert percentage(newcomer) == Decimal("20.0")  # 10 of 50


def test_scenario_3_a_schedule_change_50_to_45_in_bulk(teacher):
    """docs/design/total-sessions.md, scenario 3: planned 50 sessions, now 45: bulk update;
    percentages adjust."""
    school_class = SchoolClassFactory(school=teacher.school)
    members = [MembershipFactory(school_class=school_class) for _ in range(2)]
    attend(members[0], [Status.PRESENT] * 9)
    students = [m.student for m in members]
    bulk_set_total_sessions(students=students, school_class=school_class, total=50, actor=teacher)
    assert percentage(members[0]) == Decimal("18.0")

    bulk_set_total_sessions(students=students, school_class=school_class, total=45, actor=teacher)

    assert percentage(members[0]) == Decimal("20.0")
    assert set(TotalSessionsOverride.objects.values_list("total_sessions", flat=True)) == {45}
    assert TotalSessionsOverride.history.count() == 4  # two created, two changed


# --- bulk: all or nothing -----------------------------------------------------------------


def test_bulk_update_is_all_or_nothing_and_names_every_offender(teacher):
    school_class = SchoolClassFactory(school=teacher.school)
    fine, busy, busier = (MembershipFactory(school_class=school_class) for _ in range(3))
    attend(busy, [Status.PRESENT] * 8)
    attend(busier, [Status.ABSENT] * 9)
    outsider = MembershipFactory(school_class=SchoolClassFactory(school=teacher.school))
    students = [fine.student, busy.student, busier.student, outsider.student]

    with pytest.raises(BulkTotalRejected) as refusal:
        bulk_set_total_sessions(
            students=students, school_class=school_class, total=7, actor=teacher
        )

    assert [(o.student, o.reason) for o in refusal.value.offenders] == [
        (busy.student, "Total sessions cannot be less than actual records (8)"),
        (busier.student, "Total sessions cannot be less than actual records (9)"),
        (outsider.student, f"not in {school_class}"),
    ]
    assert not TotalSessionsOverride.objects.exists()


def test_bulk_update_takes_the_same_queries_for_any_class_size(teacher, django_assert_num_queries):
    for size in (2, 12):
        school_class = SchoolClassFactory(school=teacher.school)
        members = [MembershipFactory(school_class=school_class) for _ in range(size)]
        set_total_sessions(
            student=members[0].student, school_class=school_class, total=3, actor=teacher
        )
        # savepoint · members · actual counts · existing overrides (locked) · insert new ·
        # their history · update existing (one UPDATE … CASE) · its history · release
        with django_assert_num_queries(9):
            bulk_set_total_sessions(
                students=[m.student for m in members],
                school_class=school_class,
                total=40,
                actor=teacher,
            )
        assert TotalSessionsOverride.objects.filter(school_class=school_class).count() == size


# --- two editors at once (PostgreSQL, two real connections) -------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_first_saves_at_once_end_with_one_override_and_no_error(transactional_db, monkeypatch):
    """Both find no override yet; the second insert meets the first's unique row, waits for
    its commit, and becomes an update of it rather than an error."""
    teacher = UserFactory(role=Role.TEACHER)
    member = MembershipFactory(school_class=SchoolClassFactory(school=teacher.school))
    both_checked = threading.Barrier(2, timeout=10)
    real_count = total_sessions_service.countable_records_covered

    def count_then_wait(**kwargs):
        actual = real_count(**kwargs)
        both_checked.wait()  # each has looked for an override and found none
        return actual

    monkeypatch.setattr(total_sessions_service, "countable_records_covered", count_then_wait)
    results = {}

    def save(total):
        try:
            results[total] = set_total_sessions(
                student=member.student,
                school_class=member.school_class,
                total=total,
                actor=teacher,
            )
        except Exception as exc:  # reported by the assertions below
            results[total] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(total,)) for total in (40, 60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)

    assert all(isinstance(r, TotalSessionsOverride) for r in results.values()), results
    override = TotalSessionsOverride.objects.get()
    assert override.total_sessions in (40, 60)
    assert override.history.count() == 2  # one created, one changed: neither save was lost


def test_records_marked_after_the_override_never_push_the_percentage_past_100(member, teacher):
    attend(member, [Status.PRESENT] * 3)
    set_total_sessions(
        student=member.student, school_class=member.school_class, total=4, actor=teacher
    )
    assert percentage(member) == Decimal("75.0")

    attend(member, [Status.PRESENT] * 3, start=datetime.date(2026, 9, 7))  # 6 now, over 4

    assert percentage(member) == Decimal("100.0")  # 6 of the 6 actual, not 6 of 4
