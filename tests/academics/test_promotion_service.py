"""Academic-year promotion through the service (seed 004; issue 7): the seed's testing
checklist (section 7), then capacity, missing grades and classes, the stored plan and its
edits, undo, the years themselves, class matching and query counts.

The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, homerooms
9-A, 9-B, 10-A, 10-B, 11-A, 12-A in 2025-2026 and 2026-2027, four students a class
(9-A: Abbott, Baker, Carter, Dalton; 9-B: Evans … Hughes; 10-A: Ibsen … Lopez; 10-B:
Moreno … Patel; 11-A: Quinn … Turner; 12-A: Upton … Young).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Membership,
    PromotionAction,
    PromotionLog,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    Role,
    SchoolClass,
    Section,
    StudentProfile,
)
from academics.services import promotion
from academics.services.promotion import (
    PromotionError,
    PromotionService,
    create_academic_year,
    discard_run,
    execute_promotion,
    get_eligible_students,
    open_run,
    plan_promotion,
    preview_promotion,
    rebalance_run,
    summarise_run,
    undo_blockers,
    undo_promotion,
    update_promotion_rows,
    validate_prerequisites,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.billing.factories import BillFactory

from .factories import (
    AcademicYearFactory,
    GradeFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentProfileFactory,
    UserFactory,
    consecutive_years,
)

pytestmark = pytest.mark.django_db

PROMOTE, RETAIN = PromotionAction.PROMOTE, PromotionAction.RETAIN
GRADUATE, LEAVE = PromotionAction.GRADUATE, PromotionAction.LEAVE


# --- helpers ---------------------------------------------------------------------------------


def plan(s, *, mode=PromotionMode.AUTOMATIC, filters=None, actions=None, to_year=None, actor=None):
    return plan_promotion(
        school=s.school,
        from_year=s.from_year,
        to_year=to_year or s.to_year,
        mode=mode,
        filters=filters,
        actions=actions,
        actor=actor or s.admin,
    )


def execute(s, run):
    return execute_promotion(run=run, actor=s.admin)


def preview(s, **kwargs):
    return preview_promotion(school=s.school, from_year=s.from_year, to_year=s.to_year, **kwargs)


def student(s, surname: str) -> StudentProfile:
    return next(st for group in s.students.values() for st in group if st.user.last_name == surname)


def row_of(run, surname: str) -> PromotionRow:
    return run.rows.get(student__user__last_name=surname)


def class_list(year, class_name: str) -> list[tuple[str, str, int]]:
    """(surname, section, roll number) of the class's enrollments in `year`, by roll number."""
    return [
        (e.student.user.last_name, e.section.name if e.section else "", e.roll_number)
        for e in Enrollment.objects.filter(academic_year=year, school_class__name=class_name)
        .select_related("student__user", "section")
        .order_by("roll_number")
    ]


def enrollment_in(year, st: StudentProfile) -> Enrollment | None:
    return Enrollment.objects.filter(academic_year=year, student=st).first()


def state() -> dict:
    """Everything a promotion writes, to compare before and after."""
    return {
        "enrollments": sorted(
            Enrollment.objects.values_list(
                "pk",
                "student",
                "academic_year",
                "grade",
                "school_class",
                "section",
                "roll_number",
                "status",
                "notes",
            )
        ),
        "students": sorted(StudentProfile.objects.values_list("pk", "is_active")),
        "memberships": sorted(
            Membership.objects.values_list("pk", "student", "school_class", "joined_on")
        ),
        "runs": sorted(PromotionRun.objects.values_list("pk", "status", "executed_at")),
        "rows": sorted(
            PromotionRow.objects.values_list(
                "pk",
                "action",
                "to_grade",
                "to_class",
                "to_section",
                "section_chosen",
                "class_chosen",
                "roll_number",
                "alert",
                "notes",
                "new_enrollment",
                "new_membership",
                "previous_status",
                "previous_student_active",
            )
        ),
        "logs": sorted(PromotionLog.objects.values_list("pk", "event")),
    }


def add_homeroom(s, year, level: int, name: str, capacity: int | None = 30) -> SchoolClass:
    school_class = SchoolClass.objects.create(
        school=s.school,
        academic_year=year,
        grade=s.grades[level],
        name=name,
        code=name,
        kind=SchoolClass.Kind.HOMEROOM,
    )
    Section.objects.create(school=s.school, school_class=school_class, name="A", capacity=capacity)
    return school_class


def enroll(s, year, school_class, *, surname: str, section=None, roll_number=None) -> Enrollment:
    """A student the office enrolled by hand (a transfer), with no enrollment before."""
    user = UserFactory(school=s.school, role=Role.STUDENT, first_name="New", last_name=surname)
    return Enrollment.objects.create(
        school=s.school,
        student=user.student_profile,
        academic_year=year,
        grade=school_class.grade,
        school_class=school_class,
        section=section,
        roll_number=roll_number,
        enrollment_date=year.start_date,
    )


def next_year(s) -> AcademicYear:
    return create_academic_year(
        school=s.school,
        name="2027-2028",
        start_date=datetime.date(2027, 8, 16),
        end_date=datetime.date(2028, 6, 30),
        copy_classes_from=s.to_year,
        actor=s.admin,
    )


def plan_onward(s, third: AcademicYear) -> PromotionRun:
    return plan_promotion(
        school=s.school,
        from_year=s.to_year,
        to_year=third,
        mode=PromotionMode.AUTOMATIC,
        actor=s.admin,
    )


# --- seed 004, section 7: the testing checklist ---------------------------------------------


def test_promote_all_students_automatically(promotion_school):
    s = promotion_school
    result = execute(s, plan(s))

    assert result.success and result.errors == []
    counts = (result.promoted_count, result.retained_count, result.graduated_count)
    assert counts + (result.left_count,) == (20, 0, 4, 0)
    # Each grade moves up one, into the class that continues its own; roll numbers 1..N
    # by name in each class (10-A and 10-B both continue into the only 11-A).
    assert class_list(s.to_year, "10-A") == [
        ("Abbott", "A", 1),
        ("Baker", "A", 2),
        ("Carter", "A", 3),
        ("Dalton", "A", 4),
    ]
    assert [surname for surname, _, _ in class_list(s.to_year, "10-B")] == [
        "Evans",
        "Fisher",
        "Garcia",
        "Hughes",
    ]
    assert class_list(s.to_year, "11-A") == [
        (surname, "A", roll)
        for roll, surname in enumerate(
            ["Ibsen", "Jensen", "Kline", "Lopez", "Moreno", "Nolan", "Olsen", "Patel"], start=1
        )
    ]
    assert [surname for surname, _, _ in class_list(s.to_year, "12-A")] == [
        "Quinn",
        "Reyes",
        "Silva",
        "Turner",
    ]
    assert class_list(s.to_year, "9-A") == class_list(s.to_year, "9-B") == []
    for old in Enrollment.objects.filter(academic_year=s.from_year).select_related("grade"):
        new = enrollment_in(s.to_year, old.student)
        if old.grade.level == 12:
            assert new is None
        else:
            assert new.grade.level == old.grade.level + 1
            assert (new.status, new.enrollment_date) == ("active", s.to_year.start_date)
    # The old enrollments are all still there, marked promoted (or graduated), unchanged
    # otherwise.
    old = Enrollment.objects.filter(academic_year=s.from_year)
    assert old.count() == 24
    assert sorted(old.values_list("status", flat=True)) == ["graduated"] * 4 + ["promoted"] * 20
    assert old.get(student=student(s, "Abbott")).school_class == s.from_classes["9-A"]


def test_promote_with_manual_selections(promotion_school):
    s = promotion_school
    chosen = [student(s, "Baker"), student(s, "Fisher")]
    run = plan(s, mode=PromotionMode.MANUAL, filters={"students": [st.pk for st in chosen]})

    result = execute(s, run)

    assert (result.total, result.promoted_count) == (2, 2)
    assert class_list(s.to_year, "10-A") == [("Baker", "A", 1)]
    assert class_list(s.to_year, "10-B") == [("Fisher", "A", 1)]
    assert Enrollment.objects.filter(academic_year=s.to_year).count() == 2
    untouched = Enrollment.objects.filter(academic_year=s.from_year).exclude(student__in=chosen)
    assert set(untouched.values_list("status", flat=True)) == {"active"}
    assert set(
        Enrollment.objects.filter(student__in=chosen, academic_year=s.from_year).values_list(
            "status", flat=True
        )
    ) == {"promoted"}


def test_manual_mode_needs_a_choice_of_students(promotion_school):
    s = promotion_school
    with pytest.raises(PromotionError, match="pick at least one"):
        plan(s, mode=PromotionMode.MANUAL, filters={"grades": [s.grades[9].pk]})
    assert not PromotionRun.objects.exists()


def test_retain_specific_students(promotion_school):
    s = promotion_school
    baker = student(s, "Baker")
    run = plan(s, actions={baker.pk: RETAIN})

    result = execute(s, run)

    assert (result.promoted_count, result.retained_count) == (19, 1)
    new = enrollment_in(s.to_year, baker)
    assert (new.grade, new.school_class, new.section.name, new.roll_number) == (
        s.grades[9],
        s.to_classes["9-A"],  # 9-A of the new year, not the old one
        "A",
        1,
    )
    assert enrollment_in(s.from_year, baker).status == "retained"
    assert [surname for surname, _, _ in class_list(s.to_year, "10-A")] == [
        "Abbott",
        "Carter",
        "Dalton",
    ]


def test_graduate_the_highest_grade(promotion_school):
    s = promotion_school
    run = plan(s)
    assert {row_of(run, n).action for n in ("Upton", "Vance", "Walsh", "Young")} == {GRADUATE}

    execute(s, run)

    for graduate in s.students["12-A"]:
        graduate.refresh_from_db()
        assert enrollment_in(s.from_year, graduate).status == "graduated"
        assert not graduate.is_active
        assert enrollment_in(s.to_year, graduate) is None
        assert not Membership.objects.filter(
            student=graduate, school_class__academic_year=s.to_year
        ).exists()


def test_students_who_left(promotion_school):
    s = promotion_school
    jensen = student(s, "Jensen")
    run = plan(s, actions={jensen.pk: LEAVE})

    result = execute(s, run)

    assert result.left_count == 1
    jensen.refresh_from_db()
    assert not jensen.is_active
    assert enrollment_in(s.from_year, jensen).status == "left"
    assert enrollment_in(s.to_year, jensen) is None
    assert "Jensen" not in [surname for surname, _, _ in class_list(s.to_year, "11-A")]


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


def test_a_second_plan_for_the_same_years_opens_the_run_in_progress(promotion_school):
    s = promotion_school
    first = plan(s)
    colleague = UserFactory(school=s.school, role=Role.ADMIN)
    assert open_run(school=s.school, from_year=s.from_year, to_year=s.to_year) == first

    second = plan(
        s,
        mode=PromotionMode.MANUAL,
        filters={"students": [student(s, "Abbott").pk]},
        actor=colleague,
    )

    assert second.pk == first.pk
    assert PromotionRun.objects.count() == 1
    assert [r.student.user.last_name for r in summarise_run(second).rows] == ["Abbott"]
    # The database itself refuses a second draft for the same years.
    with pytest.raises(IntegrityError), transaction.atomic():
        PromotionRun.objects.create(school=s.school, from_year=s.from_year, to_year=s.to_year)


def test_an_executed_run_cannot_be_executed_again(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    before = state()

    with pytest.raises(PromotionError) as refused:
        execute(s, run)

    assert refused.value.messages == [f"Run #{run.pk} is already executed; nothing was changed."]
    assert state() == before
    assert Enrollment.objects.filter(academic_year=s.to_year).count() == 20


def test_a_stale_plan_is_refused(promotion_school):
    """Someone enrolled a student of the plan into the new year by hand after it was made."""
    s = promotion_school
    run = plan(s)
    abbott = student(s, "Abbott")
    Enrollment.objects.create(
        school=s.school,
        student=abbott,
        academic_year=s.to_year,
        grade=s.grades[10],
        enrollment_date=s.to_year.start_date,
    )
    before = state()

    with pytest.raises(PromotionError) as refused:
        execute(s, run)

    assert refused.value.messages == [
        "1 students of this plan are already enrolled in 2026-2027 (Pupil1 Abbott). "
        "Plan the run again."
    ]
    assert state() == before


def fail_after(seen: dict, what: str):
    def fail(*args, **kwargs):
        seen["new enrollments"] = Enrollment.objects.filter(academic_year__name="2026-2027").count()
        seen["promoted"] = Enrollment.objects.filter(status="promoted").count()
        raise RuntimeError(f"the server went away during {what}")

    return fail


@pytest.mark.parametrize("where", ["memberships", "log"])
def test_an_error_midway_leaves_every_enrollment_as_it_was(promotion_school, monkeypatch, where):
    s = promotion_school
    run = plan(s, actions={student(s, "Baker").pk: RETAIN, student(s, "Jensen").pk: LEAVE})
    before = state()
    seen: dict = {}
    if where == "memberships":  # right after the new enrollments are written
        monkeypatch.setattr(promotion, "_add_memberships", fail_after(seen, where))
    else:  # the very last write: statuses and active flags have all changed by then
        monkeypatch.setattr(PromotionLog.objects, "create", fail_after(seen, where))

    with pytest.raises(RuntimeError):
        execute(s, run)

    assert seen["new enrollments"] == 19  # the failure came after real writes
    assert seen["promoted"] == (0 if where == "memberships" else 18)
    assert state() == before
    monkeypatch.undo()
    assert execute(s, run).total == 24  # the same plan runs once the fault is gone


def test_execution_and_undo_are_logged(promotion_school):
    s = promotion_school
    run = plan(s, actions={student(s, "Baker").pk: RETAIN, student(s, "Jensen").pk: LEAVE})
    result = execute(s, run)

    log = PromotionLog.objects.get()
    assert result.log_id == log.pk and result.run_id == run.pk
    assert (
        log.event,
        log.run,
        log.school,
        log.from_academic_year,
        log.to_academic_year,
        log.promoted_by,
        log.promotion_type,
    ) == ("executed", run, s.school, s.from_year, s.to_year, s.admin, "automatic")
    counts = (log.promoted_count, log.retained_count, log.graduated_count, log.left_count)
    assert (log.total_students, *counts) == (24, 18, 1, 4, 1)
    assert log.seconds > 0

    principal = UserFactory(school=s.school, role=Role.PRINCIPAL)
    undo_log = undo_promotion(run=run, actor=principal)

    assert PromotionLog.objects.count() == 2
    counts = (
        undo_log.promoted_count,
        undo_log.retained_count,
        undo_log.graduated_count,
        undo_log.left_count,
    )
    assert (undo_log.event, undo_log.run, undo_log.promoted_by) == ("reverted", run, principal)
    assert (undo_log.total_students, *counts) == (24, 18, 1, 4, 1)
    assert undo_log.notes == f"Undid run #{run.pk}."


def test_history_is_kept_year_by_year(promotion_school):
    s = promotion_school
    execute(s, plan(s))
    third = next_year(s)
    execute(s, plan_onward(s, third))

    def history(surname):
        return list(
            Enrollment.objects.filter(student=student(s, surname))
            .order_by("academic_year__start_date")
            .values_list("academic_year__name", "grade__level", "school_class__name", "status")
        )

    assert history("Abbott") == [
        ("2025-2026", 9, "9-A", "promoted"),
        ("2026-2027", 10, "10-A", "promoted"),
        ("2027-2028", 11, "11-A", "active"),
    ]
    assert history("Quinn") == [
        ("2025-2026", 11, "11-A", "promoted"),
        ("2026-2027", 12, "12-A", "graduated"),
    ]
    assert history("Upton") == [("2025-2026", 12, "12-A", "graduated")]
    # Each year still reads as it was: 24 in the first, 20 in the second, 16 in the third.
    per_year = {
        name: Enrollment.objects.filter(academic_year__name=name).count()
        for name in ("2025-2026", "2026-2027", "2027-2028")
    }
    assert per_year == {"2025-2026": 24, "2026-2027": 20, "2027-2028": 16}
    assert class_list(s.from_year, "9-A") == [
        ("Abbott", "A", 1),
        ("Baker", "A", 2),
        ("Carter", "A", 3),
        ("Dalton", "A", 4),
    ]


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


# --- the stored plan ---------------------------------------------------------------------------


def test_the_stored_plan_survives_a_reload(promotion_school):
    s = promotion_school
    run = plan(s)
    baker = row_of(run, "Baker")
    update_promotion_rows(
        run=run, row_ids=[baker.pk], actor=s.admin, action=RETAIN, notes="Missed the spring term"
    )

    reloaded = summarise_run(PromotionRun.objects.get(pk=run.pk))  # as a new request would

    assert reloaded.counts == {"promote": 19, "retain": 1, "graduate": 4, "leave": 0}
    previews = {p.student_name: p for p in reloaded.previews()}
    shown = previews["Pupil2 Baker"]
    assert (
        shown.action,
        shown.current_class,
        shown.target_grade,
        shown.target_class,
        shown.target_section,
        shown.roll_number,
        shown.notes,
    ) == ("retain", "9-A", "Grade 9", "9-A", "A", 1, "Missed the spring term")
    # 10-A's roll numbers were given again without Baker.
    assert [
        (p.student_name, p.roll_number) for p in previews.values() if p.target_class == "10-A"
    ] == [
        ("Pupil1 Abbott", 1),
        ("Pupil3 Carter", 2),
        ("Pupil4 Dalton", 3),
    ]
    execute(s, run)
    assert enrollment_in(s.to_year, student(s, "Baker")).notes == "Missed the spring term"


def wrong_class_grade(s, run):
    return {"row_ids": [row_of(run, "Abbott").pk], "to_class": s.to_classes["11-A"]}


def class_of_the_old_year(s, run):
    return {"row_ids": [row_of(run, "Abbott").pk], "to_class": s.from_classes["10-A"]}


def section_of_another_class(s, run):
    return {
        "row_ids": [row_of(run, "Abbott").pk],
        "to_class": s.to_classes["10-A"],
        "to_section": s.to_classes["10-B"].sections.get(),
    }


def class_for_a_graduate(s, run):
    return {"row_ids": [row_of(run, "Upton").pk], "to_class": s.to_classes["12-A"]}


def another_runs_row(s, run):
    other = plan_promotion(
        school=s.school,
        from_year=s.from_year,
        to_year=next_year(s),
        mode=PromotionMode.AUTOMATIC,
        actor=s.admin,
    )
    return {"row_ids": [row_of(run, "Baker").pk, row_of(other, "Abbott").pk], "action": RETAIN}


def not_an_action(s, run):
    return {"row_ids": [row_of(run, "Abbott").pk], "action": "skip"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (wrong_class_grade, "11-A is not a class of Grade 10 (the grade Pupil1 Abbott goes into)."),
        (class_of_the_old_year, "Choose a class of 2026-2027."),
        (section_of_another_class, "Choose a section of the chosen class."),
        (
            class_for_a_graduate,
            "Pupil1 Upton is set to graduate: a class applies only to promoted or retained "
            "students.",
        ),
        (another_runs_row, "Choose rows of this promotion."),
        (not_an_action, '"skip" is not an action.'),
    ],
    ids=lambda v: getattr(v, "__name__", "message"),
)
def test_edits_that_do_not_fit_are_refused_and_change_nothing(promotion_school, edit, message):
    s = promotion_school
    run = plan(s)
    kwargs = edit(s, run)
    before = state()

    with pytest.raises(PromotionError) as refused:
        update_promotion_rows(run=run, actor=s.admin, **kwargs)

    assert refused.value.messages == [message]
    assert state() == before


def test_an_executed_runs_plan_cannot_be_edited(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    with pytest.raises(PromotionError, match="its plan can't be changed"):
        update_promotion_rows(
            run=run, row_ids=[row_of(run, "Abbott").pk], actor=s.admin, action=RETAIN
        )


def test_a_discarded_plan_is_gone_and_a_new_one_can_start(promotion_school):
    s = promotion_school
    run = plan(s)

    discard_run(run=run, actor=s.admin)

    run.refresh_from_db()
    assert run.status == PromotionRun.Status.DISCARDED
    assert not run.rows.exists()
    assert open_run(school=s.school, from_year=s.from_year, to_year=s.to_year) is None
    with pytest.raises(PromotionError, match="is already discarded"):
        execute(s, run)
    with pytest.raises(PromotionError, match="can't be changed"):
        discard_run(run=run, actor=s.admin)
    assert not Enrollment.objects.filter(academic_year=s.to_year).exists()
    fresh = plan(s)
    assert fresh.pk != run.pk and fresh.status == PromotionRun.Status.DRAFT


# --- undo -------------------------------------------------------------------------------------


def test_undo_puts_every_enrollment_and_student_back(promotion_school):
    s = promotion_school
    run = plan(s, actions={student(s, "Baker").pk: RETAIN, student(s, "Jensen").pk: LEAVE})
    before = state()
    execute(s, run)
    assert Membership.objects.filter(school_class__academic_year=s.to_year).count() == 19

    undo_promotion(run=run, actor=s.admin)

    after = state()
    for part in ("enrollments", "students", "memberships"):
        assert after[part] == before[part], part
    run.refresh_from_db()
    assert (run.status, run.reverted_by) == (PromotionRun.Status.REVERTED, s.admin)
    assert run.reverted_at is not None
    # The years can be promoted again, by a new run.
    again = plan(s)
    assert again.pk != run.pk
    assert execute(s, again).total == 24


def test_an_undone_run_cannot_be_undone_again(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    undo_promotion(run=run, actor=s.admin)
    with pytest.raises(PromotionError) as refused:
        undo_promotion(run=run, actor=s.admin)
    assert refused.value.messages == [
        f"Run #{run.pk} is undone: only an executed run can be undone."
    ]


def assert_undo_refused(s, run, reason: str) -> None:
    assert undo_blockers(run) == [reason]
    before = state()
    with pytest.raises(PromotionError) as refused:
        undo_promotion(run=run, actor=s.admin)
    assert refused.value.messages == [reason]
    assert state() == before


def test_undo_is_refused_once_attendance_is_taken_in_the_new_year(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    abbott = student(s, "Abbott")
    maths = SchoolClassFactory(school=s.school, academic_year=s.to_year, name="Maths 10")
    membership = MembershipFactory(
        student=abbott, school_class=maths, joined_on=s.to_year.start_date
    )
    # Attendance of the year promoted from is no reason to refuse.
    AttendanceRecordFactory(membership=membership, date=datetime.date(2026, 3, 2))
    assert undo_blockers(run) == []

    AttendanceRecordFactory(membership=membership, date=datetime.date(2026, 9, 7))

    assert_undo_refused(
        s,
        run,
        "Attendance has been taken in 2026-2027 for 1 of its students (1 records): their new "
        "enrollments are in use.",
    )


def test_undo_is_refused_once_a_bill_is_issued_in_the_new_year(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    abbott = student(s, "Abbott")
    BillFactory(  # a bill of the year promoted from is no reason to refuse
        school_class__school=s.school, student=abbott
    )
    assert undo_blockers(run) == []

    BillFactory(
        school_class__school=s.school,
        student=abbott,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        due_date=datetime.date(2026, 11, 30),
        amount=Decimal("300"),
    )

    assert_undo_refused(s, run, "1 bills have been issued in 2026-2027 to its students.")


def test_undo_is_refused_once_the_students_were_promoted_onward(promotion_school):
    s = promotion_school
    first = plan(s)
    execute(s, first)
    third = next_year(s)
    onward = plan_onward(s, third)
    execute(s, onward)

    assert_undo_refused(
        s,
        first,
        "20 of its new enrollments in 2026-2027 have changed status since (promoted on, or "
        "marked as left): undo the later change first.",
    )

    undo_promotion(run=onward, actor=s.admin)  # the later one first
    undo_promotion(run=first, actor=s.admin)
    assert not Enrollment.objects.exclude(academic_year=s.from_year).exists()
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"active"}


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


def test_promoted_students_become_members_of_their_new_homeroom(promotion_school):
    s = promotion_school
    run = plan(s, actions={student(s, "Baker").pk: RETAIN})
    execute(s, run)

    new = Membership.objects.filter(school_class__academic_year=s.to_year)
    assert new.count() == 20
    assert set(new.values_list("joined_on", "left_on")) == {(s.to_year.start_date, None)}
    abbott, baker = student(s, "Abbott"), student(s, "Baker")
    assert new.get(student=abbott).school_class == s.to_classes["10-A"]
    assert new.get(student=baker).school_class == s.to_classes["9-A"]
    assert row_of(run, "Abbott").new_membership == new.get(student=abbott)
    # Last year's memberships are left as they were.
    assert Membership.objects.filter(school_class__academic_year=s.from_year).count() == 24


# --- the seed's service class -------------------------------------------------------------------


def test_the_seeds_promotion_service(promotion_school):
    s = promotion_school
    service = PromotionService(s.school, s.admin)
    service.validate_prerequisites(s.from_year, s.to_year)
    eligible = service.get_eligible_students(s.from_year, to_year=s.to_year)
    assert eligible.count() == 24
    targets = service.calculate_promotion_targets(list(eligible), s.to_year, from_year=s.from_year)
    assert sum(t.action == GRADUATE for t in targets) == 4
    assert not PromotionRow.objects.exists()  # calculated, not stored
    abbott = student(s, "Abbott")
    summary = service.preview_promotion(s.from_year, s.to_year, student_ids=[abbott.pk])
    assert [(p.student_name, p.target_class) for p in summary.previews()] == [
        ("Pupil1 Abbott", "10-A")
    ]
    run = plan(s)
    other = PromotionService(SchoolFactory(), UserFactory(role=Role.ADMIN))
    with pytest.raises(PromotionError, match="belongs to another school"):
        other.execute_promotion(run)
    assert service.execute_promotion(run).total == 24


# --- queries ---------------------------------------------------------------------------------


def school_of(size: int):
    """A school of grades 1–3 and `size` students: a third each in 1-A, 2-A and 3-A, one
    of 1-A to be retained and one of 2-A to leave."""
    school = SchoolFactory()
    admin = UserFactory(school=school, role=Role.ADMIN)
    years = [
        AcademicYearFactory(
            school=school,
            start_date=datetime.date(2025 + i, 8, 17),
            end_date=datetime.date(2026 + i, 6, 30),
            is_current=i == 0,
        )
        for i in (0, 1)
    ]
    grades = [GradeFactory(school=school, level=level) for level in (1, 2, 3)]
    classes = {}
    for year in years:
        for grade in grades:
            klass = SchoolClass.objects.create(
                school=school,
                academic_year=year,
                grade=grade,
                name=f"{grade.level}-A",
                kind=SchoolClass.Kind.HOMEROOM,
            )
            section = Section.objects.create(
                school=school, school_class=klass, name="A", capacity=size
            )
            classes[(year.pk, grade.level)] = (klass, section)
    actions = {}
    for i in range(size):
        grade = grades[i % 3]
        klass, section = classes[(years[0].pk, grade.level)]
        st = StudentProfileFactory(school=school)
        Enrollment.objects.create(
            school=school,
            student=st,
            academic_year=years[0],
            grade=grade,
            school_class=klass,
            section=section,
            roll_number=i + 1,
            enrollment_date=years[0].start_date,
        )
        if i < 2:
            actions[st.pk] = RETAIN if i == 0 else LEAVE
    return school, admin, years, actions


def test_preview_execution_and_undo_run_as_many_queries_for_60_students_as_for_10():
    counts = {}
    for size in (10, 60):
        school, admin, (first, second), actions = school_of(size)
        with CaptureQueriesContext(connection) as previewing:
            summary = preview_promotion(
                school=school, from_year=first, to_year=second, actions=actions
            )
        assert summary.can_execute and summary.total == size
        run = plan_promotion(
            school=school,
            from_year=first,
            to_year=second,
            mode=PromotionMode.AUTOMATIC,
            actions=actions,
            actor=admin,
        )
        with CaptureQueriesContext(connection) as executing:
            result = execute_promotion(run=run, actor=admin)
        assert (result.retained_count, result.left_count) == (1, 1)
        assert result.total == size
        with CaptureQueriesContext(connection) as undoing:
            undo_promotion(run=run, actor=admin)
        counts[size] = (len(previewing), len(executing), len(undoing))
    assert counts[10] == counts[60], counts


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
