"""The promotion history and a run's last steps (docs/design/promotion.md): `/promotion/`
lists every run of the school; step 4 `/promotion/<run>/confirm/` executes it; step 5
`/promotion/<run>/` shows what was done and undoes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ...forms import ConfirmForm
from ...models import Enrollment, PromotionAction, PromotionLog, PromotionRun
from ...selectors import promotion as selectors
from ...services.promotion import (
    PromotionError,
    estimate_seconds,
    execute_promotion,
    run_rows,
    summarise_run,
    undo_blockers,
    undo_promotion,
)
from .common import (
    CONFIRM_TEMPLATE,
    DETAIL_TEMPLATE,
    HISTORY_TEMPLATE,
    _counts_text,
    _not_a_draft,
    humane_seconds,
    promotion_view,
)


@promotion_view
def history(request: HttpRequest) -> HttpResponse:
    """Every run of the school, newest first (years, mode, status, who and when, the
    counts of its logs), drafts in progress first with "Continue". A constant number of
    queries: the runs with their row counts, then all their logs."""
    runs = selectors.run_history(school_id=request.user.school_id)
    drafts = [run for run in runs if run.status == PromotionRun.Status.DRAFT]
    return render(request, HISTORY_TEMPLATE, {"runs": runs, "drafts": drafts})


def _confirm_context(run: PromotionRun, form: ConfirmForm, errors: Iterable[str] = ()) -> dict:
    summary = summarise_run(run)
    return {
        "run": run,
        "summary": summary,
        "counts": summary.counts,
        "form": form,
        "errors": list(errors),
        "estimate": humane_seconds(estimate_seconds(summary.total)),
        "step": 4,
    }


@promotion_view
def confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 4: the final summary, the estimated time (`estimate_seconds`), the checkbox
    and Execute (`execute_promotion`). Without the checkbox nothing happens; a refusal
    (PromotionError, PromotionBusy) comes back here with its reasons; a run already
    executed (a second press, another admin) says so and links to its results."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    if request.method != "POST":
        return render(request, CONFIRM_TEMPLATE, _confirm_context(run, ConfirmForm()))
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return render(request, CONFIRM_TEMPLATE, _confirm_context(run, form))
    try:
        result = execute_promotion(run=run, actor=request.user)
    except PromotionError as exc:
        run.refresh_from_db(fields=["status"])
        if run.status != PromotionRun.Status.DRAFT:
            return _not_a_draft(request, run)
        return render(request, CONFIRM_TEMPLATE, _confirm_context(run, form, exc.messages))
    counts = {
        PromotionAction.PROMOTE: result.promoted_count,
        PromotionAction.RETAIN: result.retained_count,
        PromotionAction.GRADUATE: result.graduated_count,
        PromotionAction.LEAVE: result.left_count,
    }
    messages.success(
        request,
        f"Promotion done: {result.total} student{'s' if result.total != 1 else ''} — "
        f"{_counts_text(counts)} (in {result.seconds:.1f} s).",
    )
    return redirect("academics:promotion_detail", run.pk)


# --- step 5: results, undo -------------------------------------------------------------------


@promotion_view
def detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 5 and a run's page in the history: status, its log entries (who, when,
    counts, seconds), every row (who went where, the status the old enrollment had), the
    link to the new enrollments, and Undo (or why it can't be undone). A draft opens its
    preview."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status == PromotionRun.Status.DRAFT:
        return redirect("academics:promotion_preview", run.pk)
    logs = selectors.run_logs(run=run)
    rows = list(run_rows(run))
    executed_log = next((log for log in logs if log.event == PromotionLog.Event.EXECUTED), None)
    status_labels = dict(Enrollment.Status.choices)
    for item in rows:
        item.previous_status_label = status_labels.get(item.previous_status, "")
    blockers = undo_blockers(run) if run.status == PromotionRun.Status.EXECUTED else []
    context = {
        "run": run,
        "logs": logs,
        "rows": rows,
        "executed_log": executed_log,
        "blockers": blockers,
        "enrollments_url": reverse("academics:enrollments")
        + "?"
        + urlencode({"year": run.to_year_id, "run": run.pk}),
        "step": 5,
    }
    return render(request, DETAIL_TEMPLATE, context)


@promotion_view
@require_POST
def undo(request: HttpRequest, run_id: int) -> HttpResponse:
    """Undo an executed run (`undo_promotion`); refused with the reasons once attendance
    or bills exist in the target year."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    try:
        log = undo_promotion(run=run, actor=request.user)
    except PromotionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        n = log.total_students
        messages.success(
            request,
            f"Promotion undone: {n} student{'s' if n != 1 else ''} "
            f"{'are' if n != 1 else 'is'} back in {run.from_year} as they were.",
        )
    return redirect("academics:promotion_detail", run.pk)
