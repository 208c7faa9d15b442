"""Reads for the promotion wizard and its history (docs/design/promotion.md).

Every function is scoped to one school: a run, year or row of another school is not
there (Http404, docs/design/roles.md). The plan itself (rows, counts, alerts) is read by
the promotion service (`summarise_run`, `run_rows`), which computes it.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import (
    AcademicYear,
    Enrollment,
    Grade,
    PromotionLog,
    PromotionRow,
    PromotionRun,
    School,
    SchoolClass,
    Section,
)
from ..services.promotion import default_action_for, get_eligible_students, run_rows
from ..validators import id_from


def school_run(*, school_id: int, run_id: int) -> PromotionRun:
    """The run `run_id` of school `school_id`, with its school, years and the users who
    created, executed and reverted it loaded (one query).

    Raises Http404 for a run of another school, or none."""
    return get_object_or_404(
        PromotionRun.objects.filter(school_id=school_id).select_related(
            "school", "from_year", "to_year", "created_by", "executed_by", "reverted_by"
        ),
        pk=run_id,
    )


def school_year(*, school_id: int, year_id: object) -> AcademicYear:
    """The academic year `year_id` of school `school_id`; `year_id` is taken as sent (a
    query-string value), anything but an id in ASCII digits (`validators.id_from`)
    matching no year.

    Raises Http404 for a year of another school, or none."""
    pk = id_from(year_id) or 0
    return get_object_or_404(AcademicYear.objects.filter(school_id=school_id), pk=pk)


def run_history(*, school_id: int) -> list[PromotionRun]:
    """Every run of school `school_id`, newest first, each with `row_count`, its logs
    (newest first, with who ran them) and `executed_log` (the log of its execution, or
    None). Two queries, whatever the number of runs."""
    runs = list(
        PromotionRun.objects.filter(school_id=school_id)
        .select_related("from_year", "to_year", "created_by", "executed_by", "reverted_by")
        .annotate(row_count=Count("rows"))
        .prefetch_related(
            Prefetch(
                "logs",
                queryset=PromotionLog.objects.select_related("promoted_by").order_by(
                    "-created_at", "-pk"
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )
    for run in runs:
        run.executed_log = next(
            (log for log in run.logs.all() if log.event == PromotionLog.Event.EXECUTED), None
        )
    return runs


def draft_runs(*, school_id: int) -> list[PromotionRun]:
    """The runs of school `school_id` still being planned (status draft), with their years
    and who started them (one query)."""
    return list(
        PromotionRun.objects.filter(
            school_id=school_id, status=PromotionRun.Status.DRAFT
        ).select_related("from_year", "to_year", "created_by")
    )


def years_with_counts(*, school: School) -> QuerySet[AcademicYear]:
    """The school's academic years, latest first, each with `students` (enrollments) and
    `waiting` (active enrollments: students not yet promoted). One query."""
    return (
        AcademicYear.objects.filter(school=school)
        .annotate(
            students=Count("enrollments"),
            waiting=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.ACTIVE)),
        )
        .order_by("-start_date", "-pk")
    )


def class_count(*, year: AcademicYear) -> int:
    """How many classes `year` has (after step 1 copied them; one query)."""
    return SchoolClass.objects.filter(academic_year=year).count()


def eligible_enrollments(
    *, school: School, from_year: AcademicYear, to_year: AcademicYear
) -> QuerySet[Enrollment]:
    """The school's enrollments of `from_year` waiting to be promoted into `to_year`
    (`get_eligible_students`), by name, with student, grade, class and section loaded."""
    return get_eligible_students(academic_year=from_year, to_year=to_year).filter(school=school)


def edited_row_count(*, run: PromotionRun) -> int:
    """How many rows of a draft were changed in step 3: a class or section chosen, notes
    written, or an action other than the one the plan gives by default
    (`default_action_for`). Two queries."""
    highest = Grade.objects.filter(school_id=run.school_id).order_by("-level").first()
    plan_action = (run.filters or {}).get("default_action") or ""
    edited = 0
    for action, grade_id, class_chosen, section_chosen, notes in run.rows.values_list(
        "action", "from_enrollment__grade", "class_chosen", "section_chosen", "notes"
    ):
        expected = default_action_for(grade_id, highest=highest, plan_action=plan_action)
        if action != expected or class_chosen or section_chosen or notes:
            edited += 1
    return edited


def target_classes(*, school_id: int, to_year_id: int) -> QuerySet[SchoolClass]:
    """The classes a promoted or retained student can be sent to: active classes with a
    grade, of the target year `to_year_id` or of no year, by grade and name, with the
    grade loaded."""
    return (
        SchoolClass.objects.filter(
            Q(academic_year__isnull=True) | Q(academic_year_id=to_year_id),
            school_id=school_id,
            is_active=True,
            grade__isnull=False,
        )
        .select_related("grade")
        .order_by("grade__level", "name", "pk")
    )


def run_row(*, run: PromotionRun, row_id: int) -> PromotionRow:
    """Row `row_id` of `run`, with what the preview shows loaded (`run_rows`).

    Raises Http404 for a row of another run, or none."""
    return get_object_or_404(run_rows(run), pk=row_id)


def school_grades(*, school_id: int) -> list[Grade]:
    """The grades of school `school_id`, by level (one query)."""
    return list(Grade.objects.filter(school_id=school_id).order_by("level"))


def classes_for_editor(*, run: PromotionRun, grade_id: int, kind: str) -> list[SchoolClass]:
    """Step 3's class choices for one row: the active classes of kind `kind` (a
    SchoolClass.Kind) and grade `grade_id`, of the run's target year or of no year, by
    name (one query)."""
    return list(
        SchoolClass.objects.filter(
            Q(academic_year__isnull=True) | Q(academic_year_id=run.to_year_id),
            school_id=run.school_id,
            grade_id=grade_id,
            kind=kind,
            is_active=True,
        ).order_by("name", "pk")
    )


def active_sections(*, class_id: int) -> list[Section]:
    """The active sections of class `class_id` (one query)."""
    return list(Section.objects.filter(school_class_id=class_id, is_active=True))


def run_logs(*, run: PromotionRun) -> list[PromotionLog]:
    """The log entries of `run` (execution, undo), newest first, with who ran them (one
    query)."""
    return list(run.logs.select_related("promoted_by").order_by("-created_at", "-pk"))


def run_row_count(*, run: PromotionRun) -> int:
    """How many students `run` plans for (one query)."""
    return run.rows.count()
