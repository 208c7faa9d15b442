"""Executing a plan (docs/design/promotion.md): the testing checklist (promote, retain,
graduate, leave), a run executed once, stale plans and failures that roll back, the log,
history year by year, and the new homeroom memberships.

The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, homerooms
9-A, 9-B, 10-A, 10-B, 11-A, 12-A in 2025-2026 and 2026-2027, four students a class
(9-A: Abbott, Baker, Carter, Dalton; 9-B: Evans … Hughes; 10-A: Ibsen … Lopez; 10-B:
Moreno … Patel; 11-A: Quinn … Turner; 12-A: Upton … Young).
"""

import pytest

from academics.models import (
    Enrollment,
    Membership,
    PromotionLog,
    PromotionMode,
    PromotionRun,
    Role,
)
from academics.services.promotion import PromotionError, execution, undo_promotion

from ..factories import (
    UserFactory,
)
from .helpers import (
    GRADUATE,
    LEAVE,
    RETAIN,
    class_list,
    enrollment_in,
    execute,
    next_year,
    plan,
    plan_onward,
    row_of,
    state,
    student,
)

pytestmark = pytest.mark.django_db


# --- the testing checklist (docs/design/promotion.md) -------------------------------------


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
        monkeypatch.setattr(execution, "_add_memberships", fail_after(seen, where))
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
