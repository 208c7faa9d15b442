import pytest
from django.core.management import call_command
from django.db import IntegrityError

from academics.models import Role, StudentProfile, User
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
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
