import datetime

import factory
from factory.django import DjangoModelFactory

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    GuardianProfile,
    Guardianship,
    Membership,
    Role,
    School,
    SchoolClass,
    Section,
    StaffProfile,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)

PASSWORD = "correct-horse-battery"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n}")
    currency = "EGP"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.TEACHER
    password = factory.django.Password(PASSWORD)


class StudentProfileFactory(DjangoModelFactory):
    """A student user and the profile the save signal gives it."""

    class Meta:
        model = StudentProfile

    school = factory.SubFactory(SchoolFactory)

    @classmethod
    def _create(cls, model_class, *args, school, user=None, **kwargs):
        if user is None:
            user = UserFactory(school=school, role=Role.STUDENT)
        profile = user.student_profile
        for key, value in kwargs.items():
            setattr(profile, key, value)
        if kwargs:
            profile.save()
        return profile


class GuardianProfileFactory(DjangoModelFactory):
    """A guardian user and the profile the save signal gives it."""

    class Meta:
        model = GuardianProfile

    school = factory.SubFactory(SchoolFactory)

    @classmethod
    def _create(cls, model_class, *args, school, user=None, **kwargs):
        if user is None:
            user = UserFactory(school=school, role=Role.GUARDIAN)
        profile = user.guardian_profile
        for key, value in kwargs.items():
            setattr(profile, key, value)
        if kwargs:
            profile.save()
        return profile


class GuardianshipFactory(DjangoModelFactory):
    """`guardian` follows `student` (both of `student`'s school)."""

    class Meta:
        model = Guardianship

    student = factory.SubFactory(StudentProfileFactory)
    school = factory.SelfAttribute("student.school")
    guardian = factory.SubFactory(GuardianProfileFactory, school=factory.SelfAttribute("..school"))
    relationship = "Mother"


class StaffProfileFactory(DjangoModelFactory):
    class Meta:
        model = StaffProfile

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))


class AcademicYearFactory(DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"{2020 + n}-{2021 + n}")
    start_date = datetime.date(2026, 8, 17)
    end_date = datetime.date(2027, 6, 30)
    is_current = True


class TermFactory(DjangoModelFactory):
    class Meta:
        model = Term

    academic_year = factory.SubFactory(AcademicYearFactory)
    school = factory.SelfAttribute("academic_year.school")
    name = factory.Sequence(lambda n: f"Term {n}")
    start_date = factory.SelfAttribute("academic_year.start_date")
    end_date = factory.SelfAttribute("academic_year.end_date")


class GradeFactory(DjangoModelFactory):
    class Meta:
        model = Grade

    school = factory.SubFactory(SchoolFactory)
    level = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda g: "Kindergarten" if g.level == 0 else f"Grade {g.level}")


class SubjectFactory(DjangoModelFactory):
    class Meta:
        model = Subject

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Subject {n}")


class SchoolClassFactory(DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..school"))
    kind = SchoolClass.Kind.TEACHING


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    name = factory.Sequence(lambda n: f"S{n}")


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    student = factory.SubFactory(StudentProfileFactory)
    school = factory.SelfAttribute("student.school")
    academic_year = factory.SubFactory(
        AcademicYearFactory, school=factory.SelfAttribute("..school")
    )
    grade = factory.SubFactory(GradeFactory, school=factory.SelfAttribute("..school"))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    student = factory.SubFactory(StudentProfileFactory, school=factory.SelfAttribute("..school"))
    joined_on = datetime.date(2026, 8, 17)


class TimetableSlotFactory(DjangoModelFactory):
    class Meta:
        model = TimetableSlot

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.SelfAttribute("school_class.school")
    subject = factory.LazyAttribute(
        lambda s: s.school_class.subject or SubjectFactory(school=s.school)
    )
    teacher = factory.SubFactory(
        UserFactory, school=factory.SelfAttribute("..school"), role=Role.TEACHER
    )
    weekday = 0
    period_number = factory.Sequence(lambda n: n % 8 + 1)
    valid_from = datetime.date(2026, 8, 17)


def consecutive_years(school, *, current: bool = True) -> tuple[AcademicYear, AcademicYear]:
    """The years a promotion goes between: 2025-2026 (17 Aug – 30 Jun, current unless
    `current` is False) and 2026-2027 after it."""
    return (
        AcademicYearFactory(
            school=school,
            name="2025-2026",
            start_date=datetime.date(2025, 8, 17),
            end_date=datetime.date(2026, 6, 30),
            is_current=current,
        ),
        AcademicYearFactory(
            school=school,
            name="2026-2027",
            start_date=datetime.date(2026, 8, 17),
            end_date=datetime.date(2027, 6, 30),
            is_current=False,
        ),
    )
