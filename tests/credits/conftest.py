"""A small studio for the credit tests: two tutors, three students.

Tutor A (Amal Adel) teaches "Piano" to Sarah, Omar and Lina; Tutor B (Bassem Badr)
teaches "Violin" to Sarah only. An admin and a principal complete the staff.
"""

import datetime
from dataclasses import dataclass

import pytest

from academics.models import Role, SchoolClass, StudentProfile, User
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentProfileFactory,
    TimetableSlotFactory,
    UserFactory,
)


@dataclass
class Studio:
    school: object
    tutor_a: User
    tutor_b: User
    admin: User
    principal: User
    sarah: StudentProfile
    omar: StudentProfile
    lina: StudentProfile
    piano: SchoolClass
    violin: SchoolClass


def make_studio(name: str = "Harmony Studio") -> Studio:
    school = SchoolFactory(name=name)
    tag = school.pk

    def user(role, first, last):
        return UserFactory(
            school=school,
            role=role,
            first_name=first,
            last_name=last,
            username=f"{tag}-{first.lower()}",
        )

    tutor_a = user(Role.TEACHER, "Amal", "Adel")
    tutor_b = user(Role.TEACHER, "Bassem", "Badr")
    students = {
        first: StudentProfileFactory(school=school, user=user(Role.STUDENT, first, last))
        for first, last in [("Sarah", "Samir"), ("Omar", "Osman"), ("Lina", "Lotfy")]
    }
    piano = SchoolClassFactory(school=school, name="Piano")
    violin = SchoolClassFactory(school=school, name="Violin")
    TimetableSlotFactory(school_class=piano, subject=piano.subject, teacher=tutor_a)
    TimetableSlotFactory(school_class=violin, subject=violin.subject, teacher=tutor_b)
    joined = datetime.date(2026, 8, 17)
    for student in students.values():
        MembershipFactory(school_class=piano, student=student, joined_on=joined)
    MembershipFactory(school_class=violin, student=students["Sarah"], joined_on=joined)
    return Studio(
        school=school,
        tutor_a=tutor_a,
        tutor_b=tutor_b,
        admin=user(Role.ADMIN, "Adam", "Admin"),
        principal=user(Role.PRINCIPAL, "Paula", "Principal"),
        sarah=students["Sarah"],
        omar=students["Omar"],
        lina=students["Lina"],
        piano=piano,
        violin=violin,
    )


@pytest.fixture
def studio(db) -> Studio:
    return make_studio()
