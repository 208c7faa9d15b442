"""Fixtures shared by the promotion tests (docs/design/promotion.md): a small school ready
to be promoted."""

from types import SimpleNamespace

import pytest

from academics.models import Enrollment, Membership, Role, SchoolClass, Section

from .factories import (
    GradeFactory,
    SchoolFactory,
    StudentProfileFactory,
    UserFactory,
    consecutive_years,
)

CLASS_NAMES = ("9-A", "9-B", "10-A", "10-B", "11-A", "12-A")
STUDENTS_PER_CLASS = 4
SECTION_CAPACITY = 30

# 24 surnames, in alphabetical order, so each class's students sort predictably.
SURNAMES = [
    *("Abbott", "Baker", "Carter", "Dalton", "Evans", "Fisher", "Garcia", "Hughes"),
    *("Ibsen", "Jensen", "Kline", "Lopez", "Moreno", "Nolan", "Olsen", "Patel"),
    *("Quinn", "Reyes", "Silva", "Turner", "Upton", "Vance", "Walsh", "Young"),
]


def _homeroom(school, year, grade, name, actor):
    school_class = SchoolClass.objects.create(
        school=school,
        academic_year=year,
        grade=grade,
        name=name,
        code=name,
        kind=SchoolClass.Kind.HOMEROOM,
        created_by=actor,
        updated_by=actor,
    )
    Section.objects.create(
        school=school, school_class=school_class, name="A", capacity=SECTION_CAPACITY
    )
    return school_class


@pytest.fixture
def promotion_school(db):
    """A school with grades 9–12, years 2025-2026 (current) and 2026-2027, homeroom classes
    9-A, 9-B, 10-A, 10-B, 11-A and 12-A in both years (each with one section "A" of 30
    seats), and four students per class enrolled in 2025-2026 with roll numbers 1–4 (and a
    membership of their class).

    Returns a namespace: school, admin, from_year, to_year, grades ({level: Grade}),
    from_classes and to_classes ({"9-A": SchoolClass, …}), students ({class name:
    [StudentProfile, …]} in roll-number order), enrollments ({student pk: Enrollment}).
    The students of a class have consecutive surnames from SURNAMES (9-A: Abbott…Dalton).
    """
    school = SchoolFactory(name="Promotion High")
    admin = UserFactory(school=school, role=Role.ADMIN, username="promo-admin")
    from_year, to_year = consecutive_years(school)
    grades = {level: GradeFactory(school=school, level=level) for level in (9, 10, 11, 12)}
    from_classes, to_classes = {}, {}
    students, enrollments = {}, {}
    surnames = iter(SURNAMES)
    for name in CLASS_NAMES:
        grade = grades[int(name.split("-")[0])]
        from_classes[name] = _homeroom(school, from_year, grade, name, admin)
        to_classes[name] = _homeroom(school, to_year, grade, name, admin)
        section = from_classes[name].sections.get()
        students[name] = []
        for roll in range(1, STUDENTS_PER_CLASS + 1):
            user = UserFactory(
                school=school,
                role=Role.STUDENT,
                first_name=f"Pupil{roll}",
                last_name=next(surnames),
            )
            student = StudentProfileFactory(
                school=school, user=user, student_number=f"S{len(enrollments) + 1:03d}"
            )
            students[name].append(student)
            enrollments[student.pk] = Enrollment.objects.create(
                school=school,
                student=student,
                academic_year=from_year,
                grade=grade,
                school_class=from_classes[name],
                section=section,
                roll_number=roll,
                enrollment_date=from_year.start_date,
            )
            Membership.objects.create(
                school=school,
                student=student,
                school_class=from_classes[name],
                joined_on=from_year.start_date,
            )
    return SimpleNamespace(
        school=school,
        admin=admin,
        from_year=from_year,
        to_year=to_year,
        grades=grades,
        from_classes=from_classes,
        to_classes=to_classes,
        students=students,
        enrollments=enrollments,
    )
