"""Sections and roll numbers of a plan (docs/design/promotion.md): filled evenly in
alphabetical blocks within their capacities, chosen sections kept, seats and roll numbers
already taken in the new year counted. The school is `promotion_school`
(tests/academics/conftest.py).
"""

import pytest

from academics.models import (
    Enrollment,
    PromotionMode,
    Section,
)
from academics.services.promotion import (
    rebalance_run,
    summarise_run,
    update_promotion_rows,
)

from .helpers import (
    class_list,
    enroll,
    execute,
    plan,
    preview,
    row_of,
    student,
)

pytestmark = pytest.mark.django_db


def add_section_b(s, capacity_a: int | None = 30, capacity_b: int | None = 30) -> Section:
    """10-A of the new year gets a second section, B."""
    ten_a = s.to_classes["10-A"]
    ten_a.sections.filter(name="A").update(capacity=capacity_a)
    return Section.objects.create(
        school=s.school, school_class=ten_a, name="B", capacity=capacity_b
    )


def test_sections_are_filled_evenly_in_alphabetical_blocks(promotion_school):
    s = promotion_school
    add_section_b(s)
    execute(s, plan(s, filters={"grades": [s.grades[9].pk]}))
    assert class_list(s.to_year, "10-A") == [
        ("Abbott", "A", 1),
        ("Baker", "A", 2),
        ("Carter", "B", 3),
        ("Dalton", "B", 4),
    ]


def test_sections_are_filled_within_their_capacity(promotion_school):
    s = promotion_school
    add_section_b(s, capacity_a=1)
    summary = preview(s, filters={"grades": [s.grades[9].pk]})
    assert summary.shortfalls == []
    assert [(p.student_name, p.target_section) for p in summary.previews()][:4] == [
        ("Pupil1 Abbott", "A"),
        ("Pupil2 Baker", "B"),
        ("Pupil3 Carter", "B"),
        ("Pupil4 Dalton", "B"),
    ]


def test_a_chosen_section_is_kept_when_the_others_are_rebalanced(promotion_school):
    s = promotion_school
    section_b = add_section_b(s)
    run = plan(s, filters={"grades": [s.grades[9].pk]})
    abbott = row_of(run, "Abbott")

    changed = update_promotion_rows(
        run=run,
        row_ids=[abbott.pk],
        actor=s.admin,
        to_class=s.to_classes["10-A"],
        to_section=section_b,
    )

    # Abbott moved to B; Carter to A to keep the sizes even (Baker stays in A, Dalton in B).
    assert changed == {abbott.pk, row_of(run, "Carter").pk}
    sections = {r.student.user.last_name: r.to_section.name for r in summarise_run(run).rows}
    assert {n: sections[n] for n in ("Abbott", "Baker", "Carter", "Dalton")} == {
        "Abbott": "B",
        "Baker": "A",
        "Carter": "A",
        "Dalton": "B",
    }
    execute(s, run)
    assert sorted((n, sec) for n, sec, _ in class_list(s.to_year, "10-A")) == [
        ("Abbott", "B"),
        ("Baker", "A"),
        ("Carter", "A"),
        ("Dalton", "B"),
    ]


def test_rebalancing_the_run_forgets_the_chosen_sections(promotion_school):
    s = promotion_school
    section_b = add_section_b(s)
    run = plan(s, filters={"grades": [s.grades[9].pk]})
    update_promotion_rows(
        run=run,
        row_ids=[row_of(run, "Abbott").pk],
        actor=s.admin,
        to_class=s.to_classes["10-A"],
        to_section=section_b,
    )

    moved = rebalance_run(run=run, actor=s.admin)

    assert moved == {row_of(run, "Abbott").pk, row_of(run, "Carter").pk}
    assert {n: row_of(run, n).to_section.name for n in ("Abbott", "Baker", "Carter", "Dalton")} == {
        "Abbott": "A",
        "Baker": "A",
        "Carter": "B",
        "Dalton": "B",
    }


def test_sections_count_the_students_already_in_the_new_year(promotion_school):
    s = promotion_school
    add_section_b(s)
    ten_a = s.to_classes["10-A"]
    section_a = ten_a.sections.get(name="A")
    enroll(s, s.to_year, ten_a, surname="Zorn", section=section_a, roll_number=1)
    enroll(s, s.to_year, ten_a, surname="Zuber", section=section_a, roll_number=2)

    execute(s, plan(s, filters={"grades": [s.grades[9].pk]}))

    # A had two already: B takes the first two newcomers, then they alternate (3 and 3).
    assert class_list(s.to_year, "10-A") == [
        ("Zorn", "A", 1),
        ("Zuber", "A", 2),
        ("Abbott", "A", 3),
        ("Baker", "B", 4),
        ("Carter", "B", 5),
        ("Dalton", "B", 6),
    ]


def test_roll_numbers_are_unique_per_class_and_continue_after_those_in_use(promotion_school):
    s = promotion_school
    ten_a = s.to_classes["10-A"]
    enroll(s, s.to_year, ten_a, surname="Zorn", roll_number=1)
    enroll(s, s.to_year, ten_a, surname="Zuber", roll_number=7)

    execute(s, plan(s))

    assert class_list(s.to_year, "10-A") == [
        ("Zorn", "", 1),
        ("Zuber", "", 7),
        ("Abbott", "A", 8),
        ("Baker", "A", 9),
        ("Carter", "A", 10),
        ("Dalton", "A", 11),
    ]
    for school_class in s.to_classes.values():
        numbers = list(
            Enrollment.objects.filter(
                academic_year=s.to_year, school_class=school_class
            ).values_list("roll_number", flat=True)
        )
        assert len(numbers) == len(set(numbers)) and None not in numbers


def test_a_later_run_continues_the_roll_numbers_of_an_earlier_one(promotion_school):
    s = promotion_school
    execute(s, plan(s, mode=PromotionMode.MANUAL, filters={"students": [student(s, "Carter").pk]}))
    rest = [student(s, n).pk for n in ("Abbott", "Baker", "Dalton")]
    execute(s, plan(s, mode=PromotionMode.MANUAL, filters={"students": rest}))
    assert class_list(s.to_year, "10-A") == [
        ("Carter", "A", 1),
        ("Abbott", "A", 2),
        ("Baker", "A", 3),
        ("Dalton", "A", 4),
    ]
