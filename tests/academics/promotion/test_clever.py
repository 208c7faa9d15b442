"""Promotion on the real Clever district (docs/design/promotion.md).

../shared/data/clever-district is imported once for the module, inside a transaction that
is rolled back after its last test (each test runs in a savepoint of it, so tests don't
see each other's promotions). The district's year is 2015-2016 (8/1/15–6/1/16); each test
creates 2016-2017 with `manage.py promote_students --create-year`, which copies the
school's homeroom classes, and promotes automatically, as a school would.

What the files hold (schools.csv, sections.csv, students.csv):
- Pineapple Elementary School (13K123): Kindergarten–Grade 5, three homerooms a grade
  ("Class 001, Homeroom - 001 - H. Willms (Section 1)" … "Class 503, …"), 60 students in
  Kindergarten and 62 in each other grade. Grade 5 is its highest grade.
- City High School (02M800): Grades 9–12, three homerooms a grade (Class 901–903, then
  101–103, 111–113, 121–123).
- Rockaway Beach Middle School (27Q321): Grades 6–8, three homerooms a grade.
No homeroom has sections, so nobody is placed in a section.

Slow-ish for a unit test (the import takes about two seconds; the module well under 30 s)
but kept in the default run: it is the only test on a real roster.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from academics.models import (
    AcademicYear,
    Enrollment,
    Membership,
    PromotionRun,
    Role,
    School,
    SchoolClass,
    StudentProfile,
    User,
)
from academics.services.promotion import undo_blockers, undo_promotion
from academics.services.roster_import import import_roster

CLEVER = Path(settings.BASE_DIR).parent / "shared" / "data" / "clever-district"
ELEMENTARY, HIGH, MIDDLE = "13K123", "02M800", "27Q321"
FROM, TO = "2015-2016", "2016-2017"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """The imported district ({school code: School}), rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        import_roster(CLEVER)
        yield {school.code: school for school in School.objects.all()}
        transaction.set_rollback(True)


def promote(school: School) -> tuple[PromotionRun, str]:
    """Create 2016-2017 and promote the school automatically, as its admin would from the
    command line. Returns the executed run and what the command printed."""
    out = StringIO()
    call_command(
        "promote_students",
        "--school", school.code, "--from", FROM, "--to", TO, "--create-year", "--yes",
        stdout=out,
    )  # fmt: skip
    run = PromotionRun.objects.get(school=school, status=PromotionRun.Status.EXECUTED)
    return run, out.getvalue()


def enrollments(school: School, year_name: str):
    return Enrollment.objects.filter(school=school, academic_year__name=year_name)


def by_level(school: School, year_name: str, **filters) -> Counter:
    return Counter(
        enrollments(school, year_name).filter(**filters).values_list("grade__level", flat=True)
    )


def assert_promoted_within_the_school(school: School, top_level: int) -> None:
    """Every grade below `top_level` moved up one grade, the whole grade; nobody is in the
    lowest grade next year; `top_level` graduated and left the school's active students."""
    before = by_level(school, FROM)
    after = by_level(school, TO)
    levels = sorted(before)
    assert levels[-1] == top_level
    assert after == {level + 1: before[level] for level in levels[:-1]}
    old = enrollments(school, FROM)
    assert set(old.filter(grade__level__lt=top_level).values_list("status", flat=True)) == {
        Enrollment.Status.PROMOTED
    }
    graduates = old.filter(grade__level=top_level)
    assert graduates.count() == before[top_level] > 0
    assert set(graduates.values_list("status", flat=True)) == {Enrollment.Status.GRADUATED}
    assert not StudentProfile.objects.filter(enrollments__in=graduates, is_active=True).exists()
    staying = StudentProfile.objects.filter(enrollments__in=old.filter(grade__level__lt=top_level))
    assert not staying.filter(is_active=False).exists()


def assert_each_class_continues_in_the_same_position(school: School) -> None:
    """The students of the n-th homeroom of a grade (by name) are all in the n-th homeroom
    of the next grade in 2016-2017: no class is split or merged."""
    homerooms = defaultdict(list)  # (year, level) → classes by name
    for c in SchoolClass.objects.filter(
        school=school, kind=SchoolClass.Kind.HOMEROOM
    ).select_related("academic_year", "grade"):
        homerooms[(c.academic_year.name, c.grade.level)].append(c)
    for classes in homerooms.values():
        classes.sort(key=lambda c: c.name)
    moves = defaultdict(set)
    new_class_of = dict(enrollments(school, TO).values_list("student", "school_class"))
    for student, old_class in (
        enrollments(school, FROM)
        .filter(status=Enrollment.Status.PROMOTED)
        .values_list("student", "school_class")
    ):
        moves[old_class].add(new_class_of[student])
    checked = 0
    for (year, level), classes in homerooms.items():
        if year != FROM or (TO, level + 1) not in homerooms:
            continue
        targets = homerooms[(TO, level + 1)]
        assert len(targets) == len(classes)
        for old_class, new_class in zip(classes, targets, strict=True):
            assert moves[old_class.pk] == {new_class.pk}, (old_class.name, new_class.name)
            checked += 1
    assert checked == len(moves) > 0


def assert_roll_numbers_run_from_one_per_class(school: School) -> None:
    rolls = defaultdict(list)
    for class_id, roll in enrollments(school, TO).values_list("school_class", "roll_number"):
        rolls[class_id].append(roll)
    assert rolls and None not in rolls
    for numbers in rolls.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_pineapple_elementary_promotes_k_to_4_inside_the_school_and_graduates_grade_5(
    district,
):
    school = district[ELEMENTARY]
    assert by_level(school, FROM) == {0: 60, 1: 62, 2: 62, 3: 62, 4: 62, 5: 62}

    run, out = promote(school)

    assert "Kindergarten     60  60 → Grade 1" in out
    assert "Grade 5          62  62 graduating" in out
    assert "Done in" in out and "308 promoted, 0 retained, 62 graduated, 0 left" in out
    assert f"/promotion/{run.pk}/" in out
    new_year = AcademicYear.objects.get(school=school, name=TO)
    assert (new_year.start_date.isoformat(), new_year.end_date.isoformat()) == (
        "2016-08-01",
        "2017-06-01",
    )
    assert_promoted_within_the_school(school, top_level=5)
    assert by_level(school, TO) == {1: 60, 2: 62, 3: 62, 4: 62, 5: 62}
    # "Class 001, Homeroom" (Kindergarten) moves on to the 2016-2017 copy of "Class 101,
    # Homeroom" (Grade 1), and so on up the school: 001→101, 102→202, …, 403→503.
    class_001 = SchoolClass.objects.get(
        school=school, academic_year__name=FROM, name__startswith="Class 001, Homeroom"
    )
    kindergarten = set(
        enrollments(school, FROM).filter(school_class=class_001).values_list("student", flat=True)
    )
    assert len(kindergarten) == 20
    landed = set(
        enrollments(school, TO)
        .filter(student__in=kindergarten)
        .values_list("school_class__name", "school_class__academic_year__name", "grade__name")
    )
    assert len(landed) == 1
    ((name, year, grade),) = landed
    assert name.startswith("Class 101, Homeroom") and (year, grade) == (TO, "Grade 1")
    new_class = dict(enrollments(school, TO).values_list("student", "school_class__name"))
    for student, old in (
        enrollments(school, FROM)
        .filter(status=Enrollment.Status.PROMOTED)
        .values_list("student", "school_class__name")
    ):
        number = int(re.match(r"Class (\d+)", old).group(1))
        assert new_class[student].startswith(f"Class {number + 100:03d}, Homeroom"), old
    assert_each_class_continues_in_the_same_position(school)
    assert_roll_numbers_run_from_one_per_class(school)


def test_city_high_school_graduates_grade_12_and_promotes_9_to_11(district):
    school = district[HIGH]

    promote(school)

    assert_promoted_within_the_school(school, top_level=12)
    assert set(by_level(school, TO)) == {10, 11, 12}
    assert_each_class_continues_in_the_same_position(school)
    assert_roll_numbers_run_from_one_per_class(school)


def test_the_middle_school_graduates_grade_8(district):
    school = district[MIDDLE]

    promote(school)

    assert_promoted_within_the_school(school, top_level=8)
    assert set(by_level(school, TO)) == {7, 8}
    assert_each_class_continues_in_the_same_position(school)
    assert_roll_numbers_run_from_one_per_class(school)


def snapshot(school: School) -> dict:
    return {
        "enrollments": sorted(
            Enrollment.objects.filter(school=school).values_list(
                "pk", "academic_year", "grade", "school_class", "section", "roll_number", "status"
            )
        ),
        "students": sorted(
            StudentProfile.objects.filter(school=school).values_list("pk", "is_active")
        ),
        "memberships": sorted(
            Membership.objects.filter(school=school).values_list(
                "pk", "student", "school_class", "joined_on", "left_on"
            )
        ),
    }


def test_undoing_one_school_puts_it_back_as_it_was_and_leaves_the_others_promoted(district):
    elementary, high = district[ELEMENTARY], district[HIGH]
    before = snapshot(elementary)
    run, _ = promote(elementary)
    promote(high)
    high_after = snapshot(high)
    assert snapshot(elementary) != before
    principal = User.objects.create(username="c-roderick", role=Role.PRINCIPAL, school=elementary)

    assert undo_blockers(run) == []
    undo_promotion(run=run, actor=principal)

    assert snapshot(elementary) == before
    assert not enrollments(elementary, TO).exists()
    assert snapshot(high) == high_after
    run.refresh_from_db()
    assert run.status == PromotionRun.Status.REVERTED
