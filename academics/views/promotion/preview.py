"""Promotion step 3, preview and adjust (docs/design/promotion.md):
`/promotion/<run>/preview/` shows the summary, alerts and the table, with inline editing
per row, bulk actions on ticked rows, "Rebalance sections" and "Discard this plan".
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ...access import wants_partial
from ...forms import BulkForm, RowEditForm
from ...models import PromotionAction, PromotionRow, PromotionRun, SchoolClass
from ...selectors import promotion as selectors
from ...services.promotion import (
    PromotionError,
    PromotionSummary,
    discard_run,
    grade_after,
    rebalance_run,
    summarise_run,
    update_promotion_rows,
)
from ...validators import id_from
from .common import PREVIEW_TEMPLATE, TARGETED, _not_a_draft, promotion_view


def _class_groups(classes: list[SchoolClass]) -> list[tuple[str, list[SchoolClass]]]:
    groups: dict[str, list[SchoolClass]] = {}
    for school_class in classes:
        groups.setdefault(str(school_class.grade), []).append(school_class)
    return list(groups.items())


def _preview_context(run: PromotionRun, summary: PromotionSummary | None = None) -> dict:
    summary = summary or summarise_run(run)
    return {
        "run": run,
        "summary": summary,
        "rows": summary.rows,
        "counts": summary.counts,
        "actions": PromotionAction.choices,
        "class_groups": _class_groups(
            list(selectors.target_classes(school_id=run.school_id, to_year_id=run.to_year_id))
        ),
        "step": 3,
    }


@promotion_view
def preview(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 3: the stored plan (`summarise_run`): counts, what blocks it, the table with
    an inline editor per row and bulk actions. Not paginated: the whole school in one
    table, in a constant number of queries."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    context = _preview_context(run)
    template = PREVIEW_TEMPLATE + ("#preview-body" if wants_partial(request) else "")
    return render(request, template, context)


def _editor_context(request: HttpRequest, run: PromotionRun, row: PromotionRow) -> dict:
    """The inline editor of `row`: the values it shows (the row's, or those of a redraw
    after the action, grade or class changed) and the options that fit them."""
    enrollment = row.from_enrollment
    state = {
        "action": row.action,
        "to_grade": row.to_grade_id,
        "to_class": row.to_class_id,
        "to_section": row.to_section_id,
        "notes": row.notes,
    }
    was = {
        "to_grade": row.to_grade_id,
        "to_class": row.to_class_id,
        "to_section": row.to_section_id,
    }
    source = request.POST if request.method == "POST" else request.GET
    if "action" in source:  # a redraw, or a refused save
        if source.get("action") in PromotionAction.values:
            state["action"] = source["action"]
        state["notes"] = source.get("notes", "")
        for key in ("to_grade", "to_class", "to_section"):
            state[key] = id_from(source.get(key))
            was[key] = id_from(source.get(f"was_{key}"))
        changed = request.htmx.trigger_name if request.htmx else ""
        if not changed and request.method == "GET" and source.get("was_action") != state["action"]:
            changed = "action"  # "Update choices" without JS: the action was changed
        resets = {
            "action": ("to_grade", "to_class", "to_section"),
            "to_grade": ("to_class", "to_section"),
            "to_class": ("to_section",),
        }.get(changed, ())
        for key in resets:
            state[key] = was[key] = None
    grades = selectors.school_grades(school_id=run.school_id)
    targeted = state["action"] in TARGETED
    auto_grade = None
    if state["action"] == PromotionAction.RETAIN:
        auto_grade = next((g for g in grades if g.pk == enrollment.grade_id), None)
    elif state["action"] == PromotionAction.PROMOTE:
        auto_grade = grade_after(enrollment.grade, grades)
    grade_id = state["to_grade"] or (auto_grade.pk if auto_grade else None)
    kind = enrollment.school_class.kind if enrollment.school_class else SchoolClass.Kind.HOMEROOM
    classes = []
    if targeted and grade_id:
        classes = selectors.classes_for_editor(run=run, grade_id=grade_id, kind=kind)
    class_id = state["to_class"]
    sections = []
    if targeted and class_id:
        sections = selectors.active_sections(class_id=class_id)
    return {
        "run": run,
        "row": row,
        "state": state,
        "was": was,
        "targeted": targeted,
        "grades": grades,
        "auto_grade": auto_grade,
        "edit_classes": classes,
        "edit_sections": sections,
        "actions": PromotionAction.choices,
    }


@promotion_view
def row(request: HttpRequest, run_id: int, row_id: int) -> HttpResponse:
    """One row as stored (the inline editor's Cancel / Escape); a plain request goes back
    to the table."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    if not request.htmx:
        return redirect(f"{reverse('academics:promotion_preview', args=[run.pk])}#prow-{row_id}")
    return render(
        request,
        PREVIEW_TEMPLATE + "#row",
        {"run": run, "row": selectors.run_row(run=run, row_id=row_id)},
    )


@promotion_view
def edit_row(request: HttpRequest, run_id: int, row_id: int) -> HttpResponse:
    """Step 3's inline edit of one row (`update_promotion_rows`): action, target grade,
    class and section, notes.

    GET draws the editor (htmx: the row; plain: the preview page with that row as a
    form), redrawn with fitting options when the action, grade or class changes. POST
    saves what the user changed and answers (htmx) the saved row, every other row the
    change moved (sections and roll numbers are rebalanced) and the summary; a plain post
    goes back to the table. A refused change keeps the editor open with the reason.
    """
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    current = selectors.run_row(run=run, row_id=row_id)
    error = ""
    if request.method == "POST":
        form = RowEditForm(request.POST, run=run)
        if form.is_valid():
            changes = form.changes(current)
            try:
                changed = update_promotion_rows(
                    run=run, row_ids=[current.pk], actor=request.user, **changes
                )
            except PromotionError as exc:
                error = " ".join(exc.messages)
            else:
                return _saved(request, run, current.pk, changed)
        else:
            error = " ".join(m for errors in form.errors.values() for m in errors)
    context = _editor_context(request, run, current) | {"error": error}
    if request.htmx:
        return render(request, PREVIEW_TEMPLATE + "#row-editor", context)
    return render(
        request, PREVIEW_TEMPLATE, _preview_context(run) | context | {"editing": current.pk}
    )


def _saved(request: HttpRequest, run: PromotionRun, row_id: int, changed: set[int]):
    summary = summarise_run(run)
    saved = next(r for r in summary.rows if r.pk == row_id)
    message = f"Saved {saved.student.user}: {saved.get_action_display()}"
    if saved.action in TARGETED and saved.to_grade_id:
        message += f" → {saved.to_grade}" + (f", {saved.to_class}" if saved.to_class_id else "")
    others = changed - {row_id}
    if others:
        message += f" ({len(others)} other row{'s' if len(others) != 1 else ''} rebalanced)"
    message += "."
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{reverse('academics:promotion_preview', args=[run.pk])}#prow-{row_id}")
    context = _preview_context(run, summary) | {
        "row": saved,
        "moved": [r for r in summary.rows if r.pk in others],
        "message": message,
    }
    return render(request, PREVIEW_TEMPLATE + "#row-saved", context)


def _preview_answer(request: HttpRequest, run: PromotionRun, *, message: str = "",
                    error: str = "") -> HttpResponse:  # fmt: skip
    """After a bulk action or a rebalance: the refreshed summary and table (htmx), or
    back to the table with the message."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif message:
            messages.success(request, message)
        return redirect("academics:promotion_preview", run.pk)
    context = _preview_context(run) | {"message": message, "error": error}
    return render(request, PREVIEW_TEMPLATE + "#preview-body", context)


@promotion_view
@require_POST
def bulk(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 3's bulk actions: set the action, or the class, of every ticked row."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    form = BulkForm(request.POST, run=run)
    if not form.is_valid():
        error = " ".join(m for errors in form.errors.values() for m in errors)
        return _preview_answer(request, run, error=error)
    data = form.cleaned_data
    rows = data["rows"]
    changes = {}
    if data["op"] == "action":
        changes["action"] = data["action"]
        what = PromotionAction(data["action"]).label
    else:
        changes["to_class"] = data["to_class"]
        what = str(data["to_class"])
    try:
        update_promotion_rows(run=run, row_ids=[r.pk for r in rows], actor=request.user, **changes)
    except PromotionError as exc:
        return _preview_answer(request, run, error=" ".join(exc.messages))
    n = len(rows)
    return _preview_answer(
        request, run, message=f"Set {n} student{'s' if n != 1 else ''} to {what}."
    )


@promotion_view
@require_POST
def rebalance(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 3's "Rebalance sections" (`rebalance_run`): every target class spread evenly over its
    sections again, forgetting sections chosen by hand."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    try:
        moved = rebalance_run(run=run, actor=request.user)
    except PromotionError as exc:
        return _preview_answer(request, run, error=" ".join(exc.messages))
    n = len(moved)
    return _preview_answer(
        request,
        run,
        message=f"Sections rebalanced: {n} student{'s' if n != 1 else ''} moved."
        if n
        else "Sections rebalanced: everyone was already in place.",
    )


@promotion_view
def discard(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 3's "Discard this plan" (`discard_run`): GET asks for confirmation, POST discards."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    if request.method == "POST":
        try:
            discard_run(run=run, actor=request.user)
        except PromotionError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("academics:promotion_preview", run.pk)
        messages.success(request, f"Discarded the plan from {run.from_year} to {run.to_year}.")
        return redirect("academics:promotion_history")
    return render(
        request,
        PREVIEW_TEMPLATE,
        {
            "run": run,
            "screen": "discard",
            "rows_count": selectors.run_row_count(run=run),
            "step": 3,
        },
    )
