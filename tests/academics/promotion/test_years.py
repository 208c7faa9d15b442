"""The years of a promotion (docs/design/promotion.md): creating the next one with its
homerooms, the prerequisites, and who is eligible. The school is `promotion_school`
(tests/academics/conftest.py).
"""

import datetime

import pytest

from academics.models import (
    AcademicYear,
    Enrollment,
    Section,
)
from academics.services.promotion import (
    PromotionError,
    create_academic_year,
    get_eligible_students,
    validate_prerequisites,
)

from ..factories import (
    AcademicYearFactory,
    SchoolClassFactory,
    SchoolFactory,
)
from .helpers import (
    add_homeroom,
    class_list,
    enrollment_in,
    execute,
    next_year,
    plan,
    student,
)

pytestmark = pytest.mark.django_db


# --- the years ---------------------------------------------------------------------------------


def test_creating_the_next_year_copies_the_homerooms_and_their_sections(promotion_school):
    s = promotion_school
    ten_a = s.to_classes["10-A"]
    Section.objects.create(school=s.school, school_class=ten_a, name="B", capacity=25)
    Section.objects.create(
        school=s.school, school_class=ten_a, name="C", capacity=25, is_active=False
    )
    SchoolClassFactory(
        school=s.school, academic_year=s.to_year, grade=s.grades[10], name="Chemistry 10"
    )
    closed = add_homeroom(s, s.to_year, 9, "9-C")
    closed.is_active = False
    closed.save()

    year = next_year(s)

    assert (year.name, year.start_date, year.end_date, year.is_current, year.created_by) == (
        "2027-2028",
        datetime.date(2027, 8, 16),
        datetime.date(2028, 6, 30),
        False,
        s.admin,
    )
    copied = {
        c.name: (
            c.grade.level,
            c.kind,
            c.code,
            sorted((sec.name, sec.capacity) for sec in c.sections.all()),
        )
        for c in year.classes.select_related("grade").prefetch_related("sections")
    }
    assert copied == {
        name: (
            int(name.split("-")[0]),
            "homeroom",
            name,
            [("A", 30), ("B", 25)] if name == "10-A" else [("A", 30)],
        )
        for name in ("9-A", "9-B", "10-A", "10-B", "11-A", "12-A")
    }


def create_year(s, name="2027-2028", start=(2027, 8, 16), end=(2028, 6, 30), copy_from=None):
    return create_academic_year(
        school=s.school,
        name=name,
        start_date=datetime.date(*start),
        end_date=datetime.date(*end),
        copy_classes_from=copy_from,
        actor=s.admin,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": " 2026-2027 "}, "Promotion High already has an academic year called 2026-2027."),
        (
            {"start": (2027, 6, 1)},
            "2027-2028 would overlap 2026-2027 (17 Aug 2026 – 30 Jun 2027).",
        ),
        ({"end": (2027, 8, 1)}, "The year must end after it starts."),
        ({"name": "  "}, "Give the year a name, e.g. 2026-2027."),
    ],
    ids=["name taken", "overlap", "ends before it starts", "no name"],
)
def test_creating_a_year_that_does_not_fit_is_refused(promotion_school, kwargs, message):
    s = promotion_school
    with pytest.raises(PromotionError) as refused:
        create_year(s, **kwargs)
    assert refused.value.messages == [message]
    assert AcademicYear.objects.filter(school=s.school).count() == 2


def test_classes_are_not_copied_from_another_schools_year(promotion_school):
    s = promotion_school
    theirs = AcademicYearFactory(school=SchoolFactory(), name="2025-2026")
    with pytest.raises(PromotionError, match="only be copied from a year of this school"):
        create_year(s, copy_from=theirs)
    assert not AcademicYear.objects.filter(school=s.school, name="2027-2028").exists()


def test_prerequisites_of_a_promotion(promotion_school):
    s = promotion_school
    with pytest.raises(PromotionError) as backwards:
        validate_prerequisites(school=s.school, from_year=s.to_year, to_year=s.from_year)
    assert backwards.value.messages == [
        "2025-2026 must start after 2026-2027 ends (30 Jun 2027).",
        "No student of 2026-2027 is waiting to be promoted.",
    ]

    theirs = AcademicYearFactory(school=SchoolFactory(), name="2026-2027")
    with pytest.raises(PromotionError) as foreign:
        validate_prerequisites(school=s.school, from_year=s.from_year, to_year=theirs)
    assert foreign.value.messages == ["Both academic years must belong to this school."]

    with pytest.raises(PromotionError, match="two different academic years"):
        validate_prerequisites(school=s.school, from_year=s.from_year, to_year=s.from_year)

    validate_prerequisites(school=s.school, from_year=s.from_year, to_year=s.to_year)
    execute(s, plan(s))
    with pytest.raises(PromotionError) as done:
        plan(s)
    assert done.value.messages == ["No student of 2025-2026 is waiting to be promoted."]


def test_students_already_placed_in_the_new_year_are_not_eligible(promotion_school):
    s = promotion_school
    abbott = student(s, "Abbott")
    Enrollment.objects.create(
        school=s.school,
        student=abbott,
        academic_year=s.to_year,
        grade=s.grades[10],
        school_class=s.to_classes["10-A"],
        roll_number=1,
        enrollment_date=s.to_year.start_date,
    )
    dropped = enrollment_in(s.from_year, student(s, "Evans"))
    dropped.status = "dropped"
    dropped.save()

    eligible = get_eligible_students(academic_year=s.from_year, to_year=s.to_year)

    names = [e.student.user.last_name for e in eligible]
    assert len(names) == 22 and "Abbott" not in names and "Evans" not in names
    assert names == sorted(names)
    execute(s, plan(s))
    assert enrollment_in(s.from_year, abbott).status == "active"  # untouched
    assert [(n, r) for n, _, r in class_list(s.to_year, "10-A")] == [
        ("Abbott", 1),
        ("Baker", 2),
        ("Carter", 3),
        ("Dalton", 4),
    ]
