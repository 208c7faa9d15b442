import datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from academics.models import GuardianProfile, Holiday, Membership, Role, StudentProfile, User
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_saving_a_student_user_creates_their_profile():
    user = UserFactory(role=Role.STUDENT)
    assert StudentProfile.objects.get(user=user).school == user.school


def test_staff_users_get_no_student_profile():
    user = UserFactory(role=Role.TEACHER)
    assert not StudentProfile.objects.filter(user=user).exists()


def test_a_school_has_at_most_one_current_year():
    school = SchoolFactory()
    AcademicYearFactory(school=school, is_current=True)
    with pytest.raises(IntegrityError):
        AcademicYearFactory(school=school, is_current=True)


def test_two_schools_each_have_a_current_year():
    AcademicYearFactory(is_current=True)
    AcademicYearFactory(is_current=True)


def test_one_enrollment_per_student_per_year():
    enrollment = EnrollmentFactory()
    with pytest.raises(IntegrityError):
        EnrollmentFactory(
            student=enrollment.student,
            academic_year=enrollment.academic_year,
            grade=enrollment.grade,
        )


def test_roll_number_is_unique_in_a_class_and_year():
    first = EnrollmentFactory(roll_number=1)
    klass = SchoolClassFactory(school=first.school)
    first.school_class = klass
    first.save()
    with pytest.raises(IntegrityError):
        EnrollmentFactory(
            school=first.school,
            student__school=first.school,
            academic_year=first.academic_year,
            grade=first.grade,
            school_class=klass,
            roll_number=1,
        )


def test_fix_student_profiles_repairs_users_made_before_the_signal(capsys):
    user = UserFactory(role=Role.STUDENT)
    StudentProfile.objects.filter(user=user).delete()
    call_command("fix_student_profiles", "--dry-run")
    assert "Would create 1" in capsys.readouterr().out
    assert not StudentProfile.objects.filter(user=user).exists()

    call_command("fix_student_profiles")
    assert "Created 1" in capsys.readouterr().out
    assert StudentProfile.objects.filter(user=user).exists()

    call_command("fix_student_profiles")
    assert "Created 0" in capsys.readouterr().out
    assert StudentProfile.objects.filter(user=user).count() == 1


def test_fix_student_profiles_reports_students_without_a_school(capsys):
    User.objects.create_user(username="orphan", role=Role.STUDENT)
    call_command("fix_student_profiles")
    assert "orphan" in capsys.readouterr().out


def test_an_admin_user_can_enter_the_django_admin():
    admin = User.objects.create_user(username="office", role=Role.ADMIN, school=SchoolFactory())
    assert admin.is_staff


def test_promoting_a_teacher_to_admin_gives_admin_access():
    user = UserFactory(role=Role.TEACHER)
    assert not user.is_staff
    user.role = Role.ADMIN
    user.save(update_fields=["role"])
    user.refresh_from_db()
    assert user.is_staff


# --- membership windows: Membership.objects.active_on / overlapping ------------------------

SEP_1, SEP_15, SEP_30 = (datetime.date(2026, 9, d) for d in (1, 15, 30))


@pytest.fixture
def windows():
    """One class: Ada sat in it 1–30 September 2026 (both days included), Ben from
    15 September on with no leaving date."""
    school_class = SchoolClassFactory()

    def student(name):
        return UserFactory(
            school=school_class.school, role=Role.STUDENT, first_name=name
        ).student_profile

    closed = MembershipFactory(
        school_class=school_class, student=student("Ada"), joined_on=SEP_1, left_on=SEP_30
    )
    open_ended = MembershipFactory(
        school_class=school_class, student=student("Ben"), joined_on=SEP_15
    )
    return SimpleNamespace(school_class=school_class, closed=closed, open_ended=open_ended)


def names(memberships) -> list[str]:
    return sorted(m.student.user.first_name for m in memberships)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 8, 31), []),  # the day before Ada joins
        (SEP_1, ["Ada"]),  # the join day counts
        (datetime.date(2026, 9, 14), ["Ada"]),  # the day before Ben joins
        (SEP_15, ["Ada", "Ben"]),
        (SEP_30, ["Ada", "Ben"]),  # the leaving day counts
        (datetime.date(2026, 10, 1), ["Ben"]),  # the day after Ada left
        (datetime.date(2099, 1, 1), ["Ben"]),  # no leaving date: open-ended
    ],
    ids=str,
)
def test_active_on_includes_the_join_and_leaving_days(windows, day, expected):
    assert names(Membership.objects.active_on(day)) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime.date(2026, 8, 1), datetime.date(2026, 8, 31), []),  # ends before Ada joins
        (datetime.date(2026, 8, 1), SEP_1, ["Ada"]),  # ends on Ada's join day
        (datetime.date(2026, 9, 5), datetime.date(2026, 9, 10), ["Ada"]),  # inside Ada's
        (SEP_30, datetime.date(2026, 10, 10), ["Ada", "Ben"]),  # starts on Ada's leaving day
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31), ["Ben"]),  # after Ada left
        (datetime.date(2026, 8, 1), datetime.date(2027, 6, 30), ["Ada", "Ben"]),  # covers both
        (datetime.date(2099, 1, 1), datetime.date(2099, 1, 1), ["Ben"]),  # open-ended
    ],
)
def test_overlapping_shares_at_least_one_day_with_the_span(windows, start, end, expected):
    assert names(Membership.objects.overlapping(start, end)) == expected


def test_active_on_and_overlapping_take_an_outer_reference_in_a_subquery(windows):
    """Per holiday: how many of the class sit in it on its first day, and whether anyone
    does at some day of it — each one query, the dates read from the outer row."""
    school = windows.school_class.school
    for name, start, end in [
        ("before", datetime.date(2026, 8, 20), datetime.date(2026, 8, 31)),
        ("into Ada's first day", datetime.date(2026, 8, 25), SEP_1),
        ("Ada's last day", SEP_30, SEP_30),
        ("after Ada", datetime.date(2026, 10, 1), datetime.date(2026, 10, 2)),
    ]:
        Holiday.objects.create(school=school, name=name, start_date=start, end_date=end)
    in_class = Membership.objects.filter(school_class=windows.school_class).order_by()
    sitting = (
        in_class.active_on(OuterRef("start_date"))
        .values("school_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    holidays = Holiday.objects.filter(school=school).annotate(
        sitting=Coalesce(Subquery(sitting), 0),
        anyone=Exists(in_class.overlapping(OuterRef("start_date"), OuterRef("end_date"))),
    )

    assert {h.name: (h.sitting, h.anyone) for h in holidays} == {
        "before": (0, False),
        "into Ada's first day": (0, True),  # nobody on 25 August, Ada on 1 September
        "Ada's last day": (2, True),
        "after Ada": (1, True),
    }


def test_saving_a_guardian_user_creates_their_profile_once():
    school = SchoolFactory()
    user = UserFactory(school=school, role=Role.GUARDIAN)
    profile = user.guardian_profile
    assert profile.school == school
    user.first_name = "Renamed"
    user.save()
    assert GuardianProfile.objects.filter(user=user).count() == 1
    assert not hasattr(UserFactory(school=school, role=Role.TEACHER), "guardian_profile")
