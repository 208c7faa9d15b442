"""The worlds the bad-input tests post into: a marked class (`marking`), a promotion in
planning (`wizard`) and the list pages' roles and rows (`lists`)."""

from types import SimpleNamespace

import pytest

from academics.models import Enrollment, PromotionMode, Role, School, SchoolClass, Section
from academics.services.promotion import plan_promotion
from attendance.models import Status
from attendance.services import mark_attendance
from tests.academics.conftest import promotion_school  # noqa: F401 (a fixture)
from tests.academics.factories import (
    GradeFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SectionFactory,
    StaffProfileFactory,
    StudentProfileFactory,
    TimetableSlotFactory,
    UserFactory,
    consecutive_years,
)

from .strategies import MONDAY


@pytest.fixture
def today(monkeypatch):
    """Every school's today (school-local) is MONDAY."""
    monkeypatch.setattr(School, "today", lambda school: MONDAY)
    return MONDAY


def _staff(school, role, department="Mathematics"):
    user = UserFactory(school=school, role=role)
    StaffProfileFactory(school=school, user=user, department=department)
    return user


@pytest.fixture
def marking(today):
    """Hill School: Maths 9A with two students, period 3 not marked yet and period 4
    marked on MONDAY (Adams present, Young absent) by the teacher; and another school's
    class, slot and student."""
    school = SchoolFactory(name="Hill School", edit_window_days=7)
    teacher = _staff(school, Role.TEACHER)
    admin = _staff(school, Role.ADMIN, "")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    fresh = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    marked = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=4)
    students = [
        MembershipFactory(
            school_class=school_class,
            student=UserFactory(school=school, role=Role.STUDENT, last_name=name).student_profile,
        ).student_id
        for name in ("Adams", "Young")
    ]
    mark_attendance(
        slot=marked,
        day=MONDAY,
        statuses={students[0]: Status.PRESENT, students[1]: Status.ABSENT},
        actor=teacher,
        today=MONDAY,
    )
    outsider = MembershipFactory(school_class=SchoolClassFactory(name="Elsewhere"))
    foreign_slot = TimetableSlotFactory(school_class=outsider.school_class, period_number=3)
    return SimpleNamespace(
        school=school,
        teacher=teacher,
        admin=admin,
        school_class=school_class,
        fresh=fresh,
        marked=marked,
        students=students,
        outsider=outsider.student_id,
        foreign_slot=foreign_slot,
    )


def _other_school_run():
    """Another school with two years, a class in each and one student planned: its
    years, classes, section, student and run rows are "other school" ids."""
    school = SchoolFactory(name="Valley High")
    admin = UserFactory(school=school, role=Role.ADMIN)
    first, second = consecutive_years(school)
    grade_9, grade_10 = (GradeFactory(school=school, level=level) for level in (9, 10))
    classes = []
    for year, grade in ((first, grade_9), (second, grade_10)):
        school_class = SchoolClassFactory(
            school=school, academic_year=year, grade=grade, kind=SchoolClass.Kind.HOMEROOM
        )
        SectionFactory(school_class=school_class, name="A")
        classes.append(school_class)
    student = StudentProfileFactory(school=school)
    Enrollment.objects.create(
        school=school,
        student=student,
        academic_year=first,
        grade=grade_9,
        school_class=classes[0],
        section=classes[0].sections.get(),
        roll_number=1,
        enrollment_date=first.start_date,
    )
    run = plan_promotion(
        school=school, from_year=first, to_year=second, mode=PromotionMode.AUTOMATIC, actor=admin
    )
    return SimpleNamespace(
        ids=[
            first.pk,
            second.pk,
            grade_9.pk,
            grade_10.pk,
            *(c.pk for c in classes),
            *Section.objects.filter(school=school).values_list("pk", flat=True),
            student.pk,
        ],
        run=run,
        rows=list(run.rows.values_list("pk", flat=True)),
    )


@pytest.fixture
def wizard(promotion_school):  # noqa: F811 (the fixture imported above)
    """The promotion school with an automatic plan (a draft run of its 24 students), and
    another school's run."""
    p = promotion_school
    run = plan_promotion(
        school=p.school,
        from_year=p.from_year,
        to_year=p.to_year,
        mode=PromotionMode.AUTOMATIC,
        actor=p.admin,
    )
    rows = {
        row.from_enrollment.student_id: row for row in run.rows.select_related("from_enrollment")
    }
    other = _other_school_run()
    own_ids = {
        "grades": [g.pk for g in p.grades.values()],
        "from_classes": [c.pk for c in p.from_classes.values()],
        "to_classes": [c.pk for c in p.to_classes.values()],
        "from_sections": list(
            Section.objects.filter(school_class__academic_year=p.from_year).values_list(
                "pk", flat=True
            )
        ),
        "to_sections": list(
            Section.objects.filter(school_class__academic_year=p.to_year).values_list(
                "pk", flat=True
            )
        ),
        "students": [s.pk for group in p.students.values() for s in group],
    }
    return SimpleNamespace(p=p, run=run, rows=rows, other=other, own=own_ids)


@pytest.fixture
def lists(wizard, today):
    """The promotion school, with a teaching slot of 9-A, a marked period, and its roles."""
    p = wizard.p
    teacher = _staff(p.school, Role.TEACHER)
    accountant = UserFactory(school=p.school, role=Role.ACCOUNTANT)
    school_class = p.from_classes["9-A"]
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=2)
    students = [s.pk for s in p.students["9-A"]]
    mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={pk: Status.PRESENT for pk in students},
        actor=teacher,
        today=MONDAY,
    )
    return SimpleNamespace(
        w=wizard,
        admin=p.admin,
        teacher=teacher,
        accountant=accountant,
        school_class=school_class,
        students=students,
    )
