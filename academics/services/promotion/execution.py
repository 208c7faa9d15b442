"""Promotion step 4, executing a stored plan (docs/design/promotion.md) in one
transaction with bulk statements, so the work does not grow a query per student (see
`academics/benchmark_promotion.py`); and how long that should take here.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from ...models import (
    Enrollment,
    Membership,
    PromotionAction,
    PromotionLog,
    PromotionRow,
    PromotionRun,
    School,
    StudentProfile,
    User,
)
from .locks import _lock_years, _locked
from .plans import _ladder_for, run_rows
from .shapes import PromotionError, PromotionResult, _summary
from .targets import _rebalance_all

# Seconds per student assumed by `estimate_seconds` before this installation has measured
# its own: `manage.py bench_promotion` executed 2,000 students in 1.0–1.6 s on the
# development machine, SQLite and PostgreSQL alike (README "Figures"); rounded up.
DEFAULT_SECONDS_PER_STUDENT = 0.001


def execute_promotion(
    *, run: PromotionRun, actor: User, school: School | None = None
) -> PromotionResult:
    """Carry out a stored plan in one transaction (docs/design/promotion.md).

    For each row: promote and retain create the student's enrollment in the target year
    (grade, class, section, roll number, status active; with a membership of the new
    class) and mark the old one promoted or retained; graduate and leave mark the old
    enrollment graduated or left and make the student inactive. Old enrollments are never
    deleted. The academic years are locked first (a second run between the same years at
    the same time is refused with PromotionBusy), then the plan is checked again: every old
    enrollment still active, nobody already enrolled in the target year, no alert, no class
    over capacity. Any failure rolls everything back.

    `school`, when given, is the school the caller acts for: a run of another school is
    refused (the wizard and the command pass theirs).

    Returns the PromotionResult, with the PromotionLog's id. Raises PromotionError
    (nothing written) when the plan can't be carried out.
    """
    if school is not None and run.school_id != school.pk:
        raise PromotionError("That promotion belongs to another school.")
    started = time.perf_counter()
    with transaction.atomic():
        _lock_years(run)
        run = _locked(run)
        if run.status != PromotionRun.Status.DRAFT:
            raise PromotionError(
                f"Run #{run.pk} is already {run.get_status_display().lower()}; nothing was changed."
            )
        ladder = _ladder_for(run)
        rows = list(run_rows(run))
        if not rows:
            raise PromotionError("This promotion has no students.")
        _check_still_current(run, rows)
        planned = {r.pk: (r.to_section_id, r.section_chosen, r.roll_number) for r in rows}
        # Seats may have been taken since the plan was made: rebalance the sections the
        # user did not choose, then refuse if anything is still wrong.
        shortfalls = _rebalance_all(rows, ladder)
        summary = _summary(rows, shortfalls)
        if summary.problems:
            raise PromotionError(summary.problems)
        counts = _apply(run, rows, actor=actor, planned=planned)
        seconds = time.perf_counter() - started
        now = timezone.now()
        run.status = PromotionRun.Status.EXECUTED
        run.executed_at, run.executed_by, run.updated_by = now, actor, actor
        run.save(update_fields=["status", "executed_at", "executed_by", "updated_by", "updated_at"])
        log = _log(
            run, PromotionLog.Event.EXECUTED, counts, actor=actor, seconds=seconds, notes=run.notes
        )
    return PromotionResult(
        success=True,
        promoted_count=log.promoted_count,
        retained_count=log.retained_count,
        graduated_count=log.graduated_count,
        left_count=log.left_count,
        errors=[],
        log_id=log.pk,
        run_id=run.pk,
        seconds=seconds,
    )


def _check_still_current(run: PromotionRun, rows: list[PromotionRow]) -> None:
    moved = [r for r in rows if r.from_enrollment.status != Enrollment.Status.ACTIVE]
    enrolled = set(
        Enrollment.objects.filter(
            academic_year=run.to_year, student__in=[r.student_id for r in rows]
        ).values_list("student", flat=True)
    )
    problems = []
    if moved:
        names = ", ".join(str(r.student.user) for r in moved[:5])
        problems.append(
            f"{len(moved)} students of this plan were promoted, retained or removed since it "
            f"was made ({names}{'…' if len(moved) > 5 else ''}). Plan the run again."
        )
    if enrolled:
        names = ", ".join(str(r.student.user) for r in rows if r.student_id in enrolled)
        problems.append(
            f"{len(enrolled)} students of this plan are already enrolled in {run.to_year} "
            f"({names[:200]}). Plan the run again."
        )
    if problems:
        raise PromotionError(problems)


_OLD_STATUS = {
    PromotionAction.PROMOTE: Enrollment.Status.PROMOTED,
    PromotionAction.RETAIN: Enrollment.Status.RETAINED,
    PromotionAction.GRADUATE: Enrollment.Status.GRADUATED,
    PromotionAction.LEAVE: Enrollment.Status.LEFT,
}


def _apply(
    run: PromotionRun,
    rows: list[PromotionRow],
    *,
    actor: User,
    planned: Mapping[int, tuple[int | None, bool, int | None]],
) -> Counter:
    """The writes of an execution: a few statements per table, whatever the number of rows.

    Updates go by value (one UPDATE per new status, say) or through a subquery, not with
    bulk_update: its CASE over every id makes each row's update scan the whole list, which
    took seconds for 2,000 students (`benchmark_promotion`). `planned` is each row's stored
    (to_section, section_chosen, roll_number), so only rows the rebalance moved are saved.
    """
    to_year = run.to_year
    staying = [r for r in rows if r.action in (PromotionAction.PROMOTE, PromotionAction.RETAIN)]
    new_enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                school_id=run.school_id,
                student_id=r.student_id,
                academic_year=to_year,
                grade_id=r.to_grade_id,
                school_class_id=r.to_class_id,
                section_id=r.to_section_id,
                roll_number=r.roll_number,
                status=Enrollment.Status.ACTIVE,
                enrollment_date=to_year.start_date,
                notes=r.notes,
                created_by=actor,
                updated_by=actor,
            )
            for r in staying
        ],
        batch_size=1000,
    )
    for row, enrollment in zip(staying, new_enrollments, strict=True):
        row.new_enrollment = enrollment
    _add_memberships(run, staying, actor=actor)
    now = timezone.now()
    new_status: dict[str, list[int]] = defaultdict(list)
    before: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for row in rows:
        enrollment = row.from_enrollment
        row.previous_status = enrollment.status
        row.previous_student_active = row.student.is_active
        before[(row.previous_status, row.previous_student_active)].append(row.pk)
        enrollment.status = _OLD_STATUS[row.action]
        enrollment.updated_by, enrollment.updated_at = actor, now
        new_status[enrollment.status].append(enrollment.pk)
    for status, ids in new_status.items():
        Enrollment.objects.filter(pk__in=ids).update(
            status=status, updated_by=actor, updated_at=now
        )
    leaving = [
        r.student
        for r in rows
        if r.action in (PromotionAction.GRADUATE, PromotionAction.LEAVE) and r.student.is_active
    ]
    for student in leaving:
        student.is_active = False
        student.updated_by, student.updated_at = actor, now
    if leaving:
        StudentProfile.objects.filter(pk__in=[s.pk for s in leaving]).update(
            is_active=False, updated_by=actor, updated_at=now
        )
    for (status, active), ids in before.items():
        PromotionRow.objects.filter(pk__in=ids).update(
            previous_status=status, previous_student_active=active
        )
    if staying:
        # A student has one enrollment a year, and the new one was made just now.
        PromotionRow.objects.filter(pk__in=[r.pk for r in staying]).update(
            new_enrollment=Subquery(
                Enrollment.objects.filter(
                    academic_year=to_year, student=OuterRef("student")
                ).values("pk")[:1]
            )
        )
    joined = [r for r in staying if r.new_membership is not None]
    if joined:
        # Unique per student, class and first day: the membership made just now.
        PromotionRow.objects.filter(pk__in=[r.pk for r in joined]).update(
            new_membership=Subquery(
                Membership.objects.filter(
                    student=OuterRef("student"),
                    school_class=OuterRef("to_class"),
                    joined_on=to_year.start_date,
                ).values("pk")[:1]
            )
        )
    moved = [
        r for r in rows if planned.get(r.pk) != (r.to_section_id, r.section_chosen, r.roll_number)
    ]
    PromotionRow.objects.bulk_update(
        moved, ["to_section", "section_chosen", "roll_number"], batch_size=1000
    )
    return Counter(row.action for row in rows)


def _add_memberships(run: PromotionRun, rows: list[PromotionRow], *, actor: User) -> None:
    """A homeroom placement implies a membership of the class (DOMAIN.md), from the first
    day of the new year; one the student already has is left alone."""
    placed = [r for r in rows if r.to_class_id is not None]
    joined_on = run.to_year.start_date
    existing = set(
        Membership.objects.filter(
            school_class__in={r.to_class_id for r in placed},
            student__in=[r.student_id for r in placed],
            joined_on=joined_on,
        ).values_list("student", "school_class")
    )
    new_rows = [r for r in placed if (r.student_id, r.to_class_id) not in existing]
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                school_id=run.school_id,
                student_id=r.student_id,
                school_class_id=r.to_class_id,
                joined_on=joined_on,
                created_by=actor,
                updated_by=actor,
            )
            for r in new_rows
        ],
        batch_size=1000,
    )
    for row, membership in zip(new_rows, memberships, strict=True):
        row.new_membership = membership


def _log(
    run: PromotionRun, event: str, counts: Counter, *, actor: User, seconds: float, notes: str
) -> PromotionLog:
    """The audit entry of an execution or undo, with its counts (docs/design/promotion.md)."""
    return PromotionLog.objects.create(
        school=run.school,
        run=run,
        event=event,
        from_academic_year=run.from_year,
        to_academic_year=run.to_year,
        promoted_by=actor,
        promotion_type=run.mode,
        total_students=sum(counts.values()),
        promoted_count=counts[PromotionAction.PROMOTE],
        retained_count=counts[PromotionAction.RETAIN],
        graduated_count=counts[PromotionAction.GRADUATE],
        left_count=counts[PromotionAction.LEAVE],
        seconds=seconds,
        notes=notes,
    )


def estimate_seconds(students: int) -> float:
    """How long executing a run of `students` students should take, from this
    installation's measured speed (its last executions), else the benchmark's figure."""
    measured = list(
        PromotionLog.objects.filter(event=PromotionLog.Event.EXECUTED, total_students__gt=0)
        .order_by("-created_at")
        .values_list("seconds", "total_students")[:20]
    )
    total_students = sum(n for _, n in measured)
    if total_students >= 50:
        per_student = sum(s for s, _ in measured) / total_students
    else:
        per_student = DEFAULT_SECONDS_PER_STUDENT
    return max(0.1, students * per_student)
