"""Where each student goes (docs/design/promotion.md): capacity shortfalls, a missing next
grade or class, which class continues which, and grades ordered by level. The school is
`promotion_school` (tests/academics/conftest.py) unless a test builds its own.
"""

import pytest

from academics.models import (
    Enrollment,
    Grade,
    Membership,
    PromotionRun,
    Role,
    SchoolClass,
)
from academics.services.promotion import (
    PromotionError,
    preview_promotion,
    rebalance_run,
    summarise_run,
    update_promotion_rows,
)

from ..factories import (
    GradeFactory,
    SchoolFactory,
    UserFactory,
    consecutive_years,
)
from .helpers import (
    GRADUATE,
    PROMOTE,
    add_homeroom,
    class_list,
    enroll,
    enrollment_in,
    execute,
    plan,
    preview,
    row_of,
    state,
    student,
)

pytestmark = pytest.mark.django_db


# --- capacity, missing grades and classes ----------------------------------------------------


def test_a_class_short_of_seats_is_reported_and_refused_until_resolved(promotion_school):
    s = promotion_school
    section = s.to_classes["10-A"].sections.get()
    section.capacity = 3
    section.save()

    summary = preview(s)
    assert not summary.can_execute
    [shortfall] = summary.shortfalls
    assert (shortfall.school_class, shortfall.students, shortfall.seats, shortfall.short_by) == (
        s.to_classes["10-A"],
        4,
        3,
        1,
    )
    assert shortfall.message.startswith(
        "10-A is 1 over capacity: 4 students for 3 free seats. Raise a section's capacity"
    )
    assert summary.problems == [shortfall.message]

    run = plan(s)
    before = state()
    with pytest.raises(PromotionError) as refused:
        execute(s, run)
    assert refused.value.messages == [shortfall.message]
    assert state() == before

    section.capacity = 4
    section.save()
    rebalance_run(run=run, actor=s.admin)
    assert summarise_run(run).can_execute
    assert execute(s, run).promoted_count == 20
    assert [sec for _, sec, _ in class_list(s.to_year, "10-A")] == ["A"] * 4


def test_raising_the_capacity_is_enough_for_execution(promotion_school):
    s = promotion_school
    section = s.to_classes["11-A"].sections.get()
    section.capacity = 5  # 8 students go to 11-A
    section.save()
    run = plan(s)
    [shortfall] = summarise_run(run).shortfalls
    assert (shortfall.school_class.name, shortfall.short_by) == ("11-A", 3)

    section.capacity = 8
    section.save()

    assert execute(s, run).promoted_count == 20  # execution places the students again
    assert len(class_list(s.to_year, "11-A")) == 8


def test_seats_taken_since_the_plan_was_made_are_counted_at_execution(promotion_school):
    s = promotion_school
    section = s.to_classes["10-A"].sections.get()
    section.capacity = 4
    section.save()
    run = plan(s)
    assert summarise_run(run).can_execute
    enroll(s, s.to_year, s.to_classes["10-A"], surname="Zorn", section=section, roll_number=1)
    before = state()

    with pytest.raises(PromotionError, match="10-A is 1 over capacity"):
        execute(s, run)

    assert state() == before


def test_promoting_past_the_highest_grade_is_an_alert_until_a_grade_is_chosen(promotion_school):
    s = promotion_school
    upton = student(s, "Upton")
    alert = (
        "Pupil1 Upton: No grade after Grade 12 in Promotion High: choose a grade, or graduate "
        "or retain the student."
    )

    summary = preview(s, actions={upton.pk: PROMOTE})
    assert summary.alerts == [alert]
    assert not summary.can_execute
    [upton_preview] = [p for p in summary.previews() if p.student_id == upton.pk]
    assert (upton_preview.target_grade, upton_preview.target_class) == ("", "")

    run = plan(s, actions={upton.pk: PROMOTE})
    before = state()
    with pytest.raises(PromotionError) as refused:
        execute(s, run)
    assert refused.value.messages == [alert]
    assert state() == before

    update_promotion_rows(
        run=run, row_ids=[row_of(run, "Upton").pk], actor=s.admin, to_grade=s.grades[12]
    )

    summary = summarise_run(PromotionRun.objects.get(pk=run.pk))
    assert summary.alerts == [] and summary.can_execute
    execute(s, run)
    new = enrollment_in(s.to_year, upton)
    assert (new.grade, new.school_class) == (s.grades[12], s.to_classes["12-A"])


def test_graduating_instead_also_clears_the_missing_grade_alert(promotion_school):
    s = promotion_school
    upton = student(s, "Upton")
    run = plan(s, actions={upton.pk: PROMOTE})
    update_promotion_rows(
        run=run, row_ids=[row_of(run, "Upton").pk], actor=s.admin, action=GRADUATE
    )
    assert summarise_run(run).can_execute
    assert execute(s, run).graduated_count == 4


def three_classes_of_eleven(s) -> dict[str, SchoolClass]:
    """Next year's grade 11 becomes 11-Red (was 11-A), 11-Blue and 11-Green: none is named
    after 10-A or 10-B, and there are three of them for two classes of grade 10."""
    red = s.to_classes["11-A"]
    red.name = red.code = "11-Red"
    red.save()
    return {
        "11-Red": red,
        "11-Blue": add_homeroom(s, s.to_year, 11, "11-Blue"),
        "11-Green": add_homeroom(s, s.to_year, 11, "11-Green"),
    }


def test_a_class_with_no_clear_continuation_must_be_chosen(promotion_school):
    s = promotion_school
    elevens = three_classes_of_eleven(s)
    run = plan(s, filters={"grades": [s.grades[10].pk]})

    summary = summarise_run(run)
    expected = [
        f"Pupil{i} {surname}: Choose the Grade 11 class: none of 3 continues {klass}."
        for klass, surnames in (
            ("10-A", "Ibsen Jensen Kline Lopez"),
            ("10-B", "Moreno Nolan Olsen Patel"),
        )
        for i, surname in enumerate(surnames.split(), start=1)
    ]
    assert summary.alerts == expected
    assert {p.target_class for p in summary.previews()} == {""}
    before = state()
    with pytest.raises(PromotionError):
        execute(s, run)
    assert state() == before

    rows = {klass: [] for klass in ("10-A", "10-B")}
    for row in run.rows.select_related("from_enrollment__school_class"):
        rows[row.from_enrollment.school_class.name].append(row.pk)
    update_promotion_rows(run=run, row_ids=rows["10-A"], actor=s.admin, to_class=elevens["11-Red"])
    assert len(summarise_run(run).alerts) == 4
    update_promotion_rows(run=run, row_ids=rows["10-B"], actor=s.admin, to_class=elevens["11-Blue"])

    assert summarise_run(run).can_execute
    execute(s, run)
    assert [(n, r) for n, _, r in class_list(s.to_year, "11-Red")] == [
        ("Ibsen", 1),
        ("Jensen", 2),
        ("Kline", 3),
        ("Lopez", 4),
    ]
    assert [n for n, _, _ in class_list(s.to_year, "11-Blue")] == [
        "Moreno",
        "Nolan",
        "Olsen",
        "Patel",
    ]


def test_a_grade_without_classes_in_the_new_year_is_a_warning_not_a_stop(promotion_school):
    s = promotion_school
    SchoolClass.objects.filter(academic_year=s.to_year, grade=s.grades[10]).update(is_active=False)
    run = plan(s, filters={"grades": [s.grades[9].pk]})

    summary = summarise_run(run)
    assert summary.warnings == [
        f"{st.user}: No Grade 10 class in 2026-2027 yet: placed without a class."
        for st in s.students["9-A"] + s.students["9-B"]
    ]
    assert summary.alerts == [] and summary.can_execute

    execute(s, run)
    new = Enrollment.objects.filter(academic_year=s.to_year)
    assert new.count() == 8
    assert set(new.values_list("grade", "school_class", "section", "roll_number")) == {
        (s.grades[10].pk, None, None, None)
    }
    assert not Membership.objects.filter(school_class__academic_year=s.to_year).exists()


# --- which class continues which -------------------------------------------------------------


def small_school(from_classes: list[tuple[str, str]], to_classes: list[tuple[str, str]]):
    """Grades 1 and 2; `from_classes` (name, code) of grade 1 in 2025-2026 with one student
    each (surnamed after the class), `to_classes` of grade 2 in 2026-2027. Returns the
    preview of promoting everyone: {student surname: target class or alert}."""
    school = SchoolFactory(name="Ladder School")
    admin = UserFactory(school=school, role=Role.ADMIN)
    first, second = consecutive_years(school)
    one, two = GradeFactory(school=school, level=1), GradeFactory(school=school, level=2)
    GradeFactory(school=school, level=3)  # so grade 2 is not the highest

    def homeroom(year, grade, name, code):
        return SchoolClass.objects.create(
            school=school,
            academic_year=year,
            grade=grade,
            name=name,
            code=code,
            kind=SchoolClass.Kind.HOMEROOM,
            created_by=admin,
        )

    for name, code in to_classes:
        homeroom(second, two, name, code)
    for name, code in from_classes:
        klass = homeroom(first, one, name, code)
        user = UserFactory(school=school, role=Role.STUDENT, last_name=name)
        Enrollment.objects.create(
            school=school,
            student=user.student_profile,
            academic_year=first,
            grade=one,
            school_class=klass,
            enrollment_date=first.start_date,
        )
    summary = preview_promotion(school=school, from_year=first, to_year=second)
    return {p.student_name.split(" ", 1)[1]: p.target_class or p.alert for p in summary.previews()}


@pytest.mark.parametrize(
    ("from_classes", "to_classes", "expected"),
    [
        pytest.param(
            [("1-A", ""), ("1-B", "")],
            [("2-A", ""), ("2-B", ""), ("2-C", "")],
            {"1-A": "2-A", "1-B": "2-B"},
            id="by name",
        ),
        pytest.param(
            [("Mrs Smith", "101"), ("Mr Jones", "102")],
            [("Room East", "201"), ("Room North", "202"), ("Room West", "203")],
            {"Mrs Smith": "Room East", "Mr Jones": "Room North"},
            id="by code",
        ),
        pytest.param(
            [("Class 101", ""), ("Class 102", "")],
            [("Class 201", ""), ("Class 202", ""), ("Class 203", "")],
            {"Class 101": "Class 201", "Class 102": "Class 202"},
            id="by name with the level twice",
        ),
        pytest.param(
            [("1-A", ""), ("1-B", "")],
            [("Second grade", "")],
            {"1-A": "Second grade", "1-B": "Second grade"},
            id="the only class",
        ),
        pytest.param(
            [("North", ""), ("South", "")],
            [("East", ""), ("West", "")],
            {"North": "East", "South": "West"},
            id="by position",
        ),
        pytest.param(
            [("North", ""), ("South", "")],
            [("East", ""), ("West", ""), ("Centre", "")],
            {
                "North": "Choose the Grade 2 class: none of 3 continues North.",
                "South": "Choose the Grade 2 class: none of 3 continues South.",
            },
            id="no way to tell",
        ),
    ],
)
def test_the_class_that_continues_the_current_one(from_classes, to_classes, expected):
    assert small_school(from_classes, to_classes) == expected


def test_grades_below_and_above_come_from_the_levels_not_the_names(promotion_school):
    """A grade added between two others (a level in between) is the next one for the lower."""
    s = promotion_school
    Grade.objects.filter(pk=s.grades[12].pk).update(level=14)
    Grade.objects.filter(pk=s.grades[11].pk).update(level=13)
    bridge = Grade.objects.create(school=s.school, name="Bridge year", level=11)
    summary = preview(s, filters={"grades": [s.grades[10].pk]})
    assert {p.target_grade for p in summary.previews()} == {bridge.name}
    assert {p.warning for p in summary.previews()} == {
        "No Bridge year class in 2026-2027 yet: placed without a class."
    }
