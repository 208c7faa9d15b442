"""Promotion steps 2 and 3, making the plan (docs/design/promotion.md): previewing it
without writing, storing it as a draft run with a row per student, and reading a stored
plan back with its counts, alerts and capacity shortfalls.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from ...models import (
    AcademicYear,
    PromotionAction,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    School,
    User,
)
from .shapes import CapacityShortfall, PromotionError, PromotionSummary, _summary
from .targets import _filtered, _Ladder, _name_key, _rebalance_all, _targets, get_eligible_students
from .years import validate_prerequisites

FILTER_KEYS = ("grades", "classes", "sections", "exclude", "students", "default_action")


def _clean_filters(filters: Mapping | None) -> dict:
    filters = dict(filters or {})
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise PromotionError(f"Unknown filter: {', '.join(sorted(unknown))}.")
    clean: dict = {}
    for key in ("grades", "classes", "sections", "exclude", "students"):
        ids = filters.get(key) or []
        try:
            clean[key] = sorted({int(i) for i in ids})
        except (TypeError, ValueError) as exc:
            raise PromotionError(f"The {key} filter takes ids.") from exc
    action = filters.get("default_action") or ""
    if action and action not in PromotionAction.values:
        raise PromotionError(f'"{action}" is not an action.')
    clean["default_action"] = action
    return clean


def preview_promotion(
    *,
    school: School,
    from_year: AcademicYear,
    to_year: AcademicYear,
    filters: Mapping | None = None,
    actions: Mapping[int, str] | None = None,
) -> PromotionSummary:
    """The plan for promoting from `from_year` into `to_year`, written nowhere
    (docs/design/promotion.md; the command's --dry-run).

    Args:
        filters: grades, classes, sections (ids: only students placed there), students
            (ids: only these — manual mode), exclude (ids: not these), default_action (a
            PromotionAction for every student — bulk mode; empty: automatic).
        actions: student id → PromotionAction for named students (the command's --retain
            and --leave).

    A fixed number of queries for any number of students. Raises PromotionError when the
    years don't allow a promotion.
    """
    validate_prerequisites(school=school, from_year=from_year, to_year=to_year)
    filters = _clean_filters(filters)
    ladder = _Ladder(school=school, from_year=from_year, to_year=to_year)
    enrollments = list(
        _filtered(get_eligible_students(academic_year=from_year, to_year=to_year), filters)
    )
    rows = _targets(
        enrollments=enrollments,
        ladder=ladder,
        default_action=filters["default_action"] or None,
        actions=actions,
    )
    shortfalls = _rebalance_all(rows, ladder)
    rows.sort(key=lambda r: _name_key(r.student))
    return _summary(rows, shortfalls)


def open_run(
    *, school: School, from_year: AcademicYear, to_year: AcademicYear
) -> PromotionRun | None:
    """The run being planned for these years, if someone has started one."""
    return (
        PromotionRun.objects.filter(
            school=school,
            from_year=from_year,
            to_year=to_year,
            status=PromotionRun.Status.DRAFT,
        )
        .select_related("created_by")
        .first()
    )


@transaction.atomic
def plan_promotion(
    *,
    school: School,
    from_year: AcademicYear,
    to_year: AcademicYear,
    mode: str,
    filters: Mapping | None = None,
    actions: Mapping[int, str] | None = None,
    actor: User,
    run: PromotionRun | None = None,
) -> PromotionRun:
    """Make the plan and store it (wizard step 2 → 3): a draft PromotionRun with one row
    per student, so the wizard survives a reload and other admins see it.

    `mode` is a PromotionMode: bulk needs `filters["default_action"]`, manual needs
    `filters["students"]`. Given `run` (a draft of the same years), its rows are planned
    again from scratch with the new filters; without one, a new draft is made, or the
    existing draft of these years is planned again.

    Returns the run. Raises PromotionError (nothing written) when the years don't allow a
    promotion, the mode lacks its choice, or no student matches the filters.
    """
    if mode not in PromotionMode.values:
        raise PromotionError(f'"{mode}" is not a promotion mode.')
    filters = _clean_filters(filters)
    if mode == PromotionMode.BULK and not filters["default_action"]:
        raise PromotionError("Bulk mode applies one action to everyone: choose it.")
    if mode == PromotionMode.MANUAL and not filters["students"]:
        raise PromotionError("Manual mode promotes the students you pick: pick at least one.")
    summary = preview_promotion(
        school=school, from_year=from_year, to_year=to_year, filters=filters, actions=actions
    )
    if not summary.rows:
        raise PromotionError("No student matches these choices.")
    if run is None:
        run = open_run(school=school, from_year=from_year, to_year=to_year)
    if run is not None:
        run = PromotionRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PromotionRun.Status.DRAFT:
            raise PromotionError(
                f"Run #{run.pk} was {run.get_status_display().lower()} meanwhile by another "
                "admin: start a new plan from the promotion history."
            )
        if (run.school_id, run.from_year_id, run.to_year_id) != (
            school.pk,
            from_year.pk,
            to_year.pk,
        ):
            raise PromotionError("That run is for other years.")
        run.rows.all().delete()
        run.mode, run.filters, run.updated_by = mode, filters, actor
        run.save(update_fields=["mode", "filters", "updated_by", "updated_at"])
    else:
        try:
            with transaction.atomic():
                run = PromotionRun.objects.create(
                    school=school,
                    from_year=from_year,
                    to_year=to_year,
                    mode=mode,
                    filters=filters,
                    created_by=actor,
                    updated_by=actor,
                )
        except IntegrityError as exc:  # another admin started one at this very moment
            raise PromotionError(
                f"Someone else has just started a promotion from {from_year} to {to_year}: "
                "open it from the promotion history."
            ) from exc
    for row in summary.rows:
        row.run = run
    PromotionRow.objects.bulk_create(summary.rows, batch_size=1000)
    return run


def run_rows(run: PromotionRun) -> QuerySet[PromotionRow]:
    """The run's rows by name, with everything the preview shows loaded (one query)."""
    return run.rows.select_related(
        "student__user",
        "from_enrollment__grade",
        "from_enrollment__school_class",
        "from_enrollment__section",
        "to_grade",
        "to_class",
        "to_section",
    ).order_by("student__user__last_name", "student__user__first_name", "pk")


def _ladder_for(run: PromotionRun) -> _Ladder:
    ignore = []
    if run.status == PromotionRun.Status.EXECUTED:
        ignore = list(
            run.rows.exclude(new_enrollment=None).values_list("new_enrollment", flat=True)
        )
    return _Ladder(
        school=run.school, from_year=run.from_year, to_year=run.to_year, ignore_enrollments=ignore
    )


def summarise_run(run: PromotionRun, *, ladder: _Ladder | None = None) -> PromotionSummary:
    """The stored plan's preview: rows, counts, alerts and capacity shortfalls (computed
    from the rows and the target year as they are now). A fixed number of queries."""
    rows = list(run_rows(run))
    ladder = ladder or _ladder_for(run)
    shortfalls = []
    if run.status == PromotionRun.Status.DRAFT:
        shortfalls = _shortfalls(rows, ladder)
    return _summary(rows, shortfalls)


def _shortfalls(rows: list[PromotionRow], ladder: _Ladder) -> list[CapacityShortfall]:
    """The capacity check of stored rows: the shortfalls execution would meet (it places
    the students whose section the user did not choose again), without moving anyone."""
    kept = [(row, row.to_section, row.section_chosen, row.roll_number) for row in rows]
    shortfalls = _rebalance_all(list(rows), ladder)
    for row, section, chosen, roll_number in kept:
        row.to_section, row.section_chosen, row.roll_number = section, chosen, roll_number
    return shortfalls
