"""Promotion step 3, changing a draft plan (docs/design/promotion.md): editing rows,
rebalancing sections, discarding the plan.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction

from ...models import (
    Grade,
    PromotionAction,
    PromotionRow,
    PromotionRun,
    SchoolClass,
    Section,
    User,
)
from .locks import _locked
from .plans import _ladder_for, run_rows
from .shapes import PromotionError
from .targets import _rebalance_all, _set_targets


def _draft_for_update(run: PromotionRun) -> PromotionRun:
    run = _locked(run)
    if run.status != PromotionRun.Status.DRAFT:
        raise PromotionError(
            f"Run #{run.pk} is {run.get_status_display().lower()}: its plan can't be changed."
        )
    return run


@transaction.atomic
def update_promotion_rows(
    *,
    run: PromotionRun,
    row_ids: Collection[int],
    actor: User,
    action: str | None = None,
    to_grade: Grade | None = None,
    to_class: SchoolClass | None = None,
    to_section: Section | None = None,
    notes: str | None = None,
) -> set[int]:
    """Change one or more rows of a draft run (step 3's inline edit and bulk actions).

    Args:
        row_ids: rows of `run`; any other id is refused.
        action: a PromotionAction; changing it plans the row's targets again.
        to_grade: the grade to promote into (the custom grade for a missing next grade,
            docs/design/promotion.md); the class is then matched again.
        to_class: a class of the target grade in the target year (chosen by the user).
        to_section: a section of that class (kept by rebalancing).
        notes: free text kept on the new enrollment.
    None leaves a field as it is.

    Sections and roll numbers of every class the rows left or joined are rebalanced.
    Returns the ids of every row that changed (the edited ones and the rebalanced ones).
    Raises PromotionError (nothing written) for a choice that doesn't fit.
    """
    run = _draft_for_update(run)
    ladder = _ladder_for(run)
    all_rows = list(run_rows(run))
    by_id = {row.pk: row for row in all_rows}
    wanted = set(row_ids)
    if not wanted or not wanted <= set(by_id):
        raise PromotionError("Choose rows of this promotion.")
    if action is not None and action not in PromotionAction.values:
        raise PromotionError(f'"{action}" is not an action.')
    if to_grade is not None and to_grade.school_id != run.school_id:
        raise PromotionError("Choose a grade of this school.")
    if to_class is not None and (
        to_class.school_id != run.school_id
        or to_class.academic_year_id not in (None, run.to_year_id)
        or not to_class.is_active
    ):
        raise PromotionError(f"Choose a class of {run.to_year}.")
    if to_section is not None and (
        to_class is None or to_section.school_class_id != to_class.pk or not to_section.is_active
    ):
        raise PromotionError("Choose a section of the chosen class.")
    before = {
        row.pk: (row.action, row.to_grade_id, row.to_class_id, row.to_section_id, row.roll_number)
        for row in all_rows
    }
    touched_classes = set()
    for row_id in wanted:
        row = by_id[row_id]
        touched_classes.add(row.to_class_id)
        if notes is not None:
            row.notes = notes.strip()[:500]
        if action is not None and action != row.action:
            row.action = action
            row.to_grade = None
            row.class_chosen = row.section_chosen = False
            _set_targets(row, ladder)
        if to_grade is not None:
            if row.action not in (PromotionAction.PROMOTE, PromotionAction.RETAIN):
                raise PromotionError(
                    f"{row.student.user} is set to {row.get_action_display().lower()}: "
                    "a grade applies only to promoted or retained students."
                )
            if to_grade.pk != row.to_grade_id:
                row.to_grade = to_grade
                row.class_chosen = row.section_chosen = False
                _set_targets(row, ladder, keep_choices=True)
        if to_class is not None:
            if row.action not in (PromotionAction.PROMOTE, PromotionAction.RETAIN):
                raise PromotionError(
                    f"{row.student.user} is set to {row.get_action_display().lower()}: "
                    "a class applies only to promoted or retained students."
                )
            if row.to_grade_id is None:
                raise PromotionError(f"Choose {row.student.user}'s grade first.")
            if to_class.grade_id != row.to_grade_id:
                raise PromotionError(
                    f"{to_class} is not a class of {row.to_grade} (the grade {row.student.user}"
                    " goes into)."
                )
            row.to_class = to_class
            row.class_chosen = True
            row.alert = ""
            if not row.to_section_id or row.to_section.school_class_id != to_class.pk:
                row.section_chosen = False
        if to_section is not None:
            row.to_section = to_section
            row.section_chosen = True
        touched_classes.add(row.to_class_id)
    touched_classes.discard(None)
    affected = [r for r in all_rows if r.to_class_id in touched_classes or r.pk in wanted]
    _rebalance_all(affected, ladder)
    for row in affected:
        if row.to_class_id is None:
            row.to_section = None
            row.roll_number = None
    changed = {
        row.pk
        for row in all_rows
        if row.pk in wanted
        or before[row.pk]
        != (row.action, row.to_grade_id, row.to_class_id, row.to_section_id, row.roll_number)
    }
    PromotionRow.objects.bulk_update(
        [by_id[pk] for pk in changed],
        [
            "action",
            "to_grade",
            "to_class",
            "to_section",
            "class_chosen",
            "section_chosen",
            "roll_number",
            "alert",
            "warning",
            "notes",
        ],
        batch_size=1000,
    )
    run.updated_by = actor
    run.save(update_fields=["updated_by", "updated_at"])
    return changed


@transaction.atomic
def rebalance_run(*, run: PromotionRun, actor: User) -> set[int]:
    """Spread every target class of a draft run over its sections again, forgetting the
    sections the user chose ("Rebalance sections"). Returns the ids of the rows moved."""
    run = _draft_for_update(run)
    ladder = _ladder_for(run)
    rows = list(run_rows(run))
    before = {row.pk: (row.to_section_id, row.roll_number) for row in rows}
    for row in rows:
        row.section_chosen = False
    _rebalance_all(rows, ladder)
    changed = [row for row in rows if before[row.pk] != (row.to_section_id, row.roll_number)]
    PromotionRow.objects.bulk_update(
        rows, ["to_section", "section_chosen", "roll_number"], batch_size=1000
    )
    run.updated_by = actor
    run.save(update_fields=["updated_by", "updated_at"])
    return {row.pk for row in changed}


@transaction.atomic
def discard_run(*, run: PromotionRun, actor: User) -> PromotionRun:
    """Give up a plan that was never executed; its rows are deleted, the run is kept as
    discarded. Raises PromotionError for a run that is not a draft."""
    run = _draft_for_update(run)
    run.rows.all().delete()
    run.status = PromotionRun.Status.DISCARDED
    run.updated_by = actor
    run.save(update_fields=["status", "updated_by", "updated_at"])
    return run
