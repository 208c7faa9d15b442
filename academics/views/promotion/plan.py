"""Promotion step 2, mode and filters (docs/design/promotion.md):
`/promotion/new/plan/?from_year=…&to_year=…` (or `/promotion/<run>/plan/`); posting plans
the run (`plan_promotion`) and stores it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ...access import wants_partial
from ...forms import MODE_HELP, PlanForm
from ...models import AcademicYear, Enrollment, PromotionAction, PromotionMode, PromotionRun
from ...selectors import promotion as selectors
from ...services.promotion import (
    PromotionError,
    open_run,
    plan_promotion,
    validate_prerequisites,
)
from ...validators import id_from
from .common import PLAN_TEMPLATE, _not_a_draft, promotion_view, started_message


@dataclass
class StudentGroup:
    """The eligible students of one class (step 2's lists)."""

    label: str
    grade_id: int
    level: int
    class_id: int | None
    section_ids: set = field(default_factory=set)
    students: list = field(default_factory=list)


def _student_groups(enrollments: Iterable[Enrollment]) -> list[StudentGroup]:
    groups: dict = {}
    for e in enrollments:
        key = e.school_class_id or f"grade-{e.grade_id}"
        if key not in groups:
            label = f"{e.school_class} ({e.grade})" if e.school_class else f"{e.grade}, no class"
            groups[key] = StudentGroup(
                label=label, grade_id=e.grade_id, level=e.grade.level, class_id=e.school_class_id
            )
        groups[key].students.append(e)
        if e.section_id:
            groups[key].section_ids.add(e.section_id)
    return sorted(groups.values(), key=lambda g: (g.level, g.label.lower()))


def _ids(values) -> set[int]:
    """The ids among `values` (query-string or posted text); anything else is left out."""
    return {pk for value in values if (pk := id_from(value)) is not None}


def _choices_from(data, run: PromotionRun | None) -> dict:
    """What the step-2 form shows as chosen: the submitted data, else the run's stored
    filters, else the defaults (automatic, nothing filtered)."""
    if data is not None:
        return {
            "mode": data.get("mode") or PromotionMode.AUTOMATIC,
            "grades": _ids(data.getlist("grades")),
            "classes": _ids(data.getlist("classes")),
            "sections": _ids(data.getlist("sections")),
            "exclude": _ids(data.getlist("exclude")),
            "students": _ids(data.getlist("students")),
            "default_action": data.get("default_action", ""),
        }
    filters = run.filters if run is not None else {}
    return {
        "mode": run.mode if run is not None else PromotionMode.AUTOMATIC,
        "grades": set(filters.get("grades", [])),
        "classes": set(filters.get("classes", [])),
        "sections": set(filters.get("sections", [])),
        "exclude": set(filters.get("exclude", [])),
        "students": set(filters.get("students", [])),
        "default_action": filters.get("default_action", ""),
    }


def _plan(
    request: HttpRequest,
    *,
    from_year: AcademicYear,
    to_year: AcademicYear,
    run: PromotionRun | None = None,
) -> HttpResponse:
    user = request.user
    school = user.school
    eligible = selectors.eligible_enrollments(school=school, from_year=from_year, to_year=to_year)
    if request.method == "POST":
        form = PlanForm(request.POST, school=school, from_year=from_year, eligible=eligible)
        if form.is_valid():
            try:
                run = plan_promotion(
                    school=school,
                    from_year=from_year,
                    to_year=to_year,
                    mode=form.cleaned_data["mode"],
                    filters=form.filters(),
                    actor=user,
                    run=run,
                )
            except PromotionError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                count = selectors.run_row_count(run=run)
                messages.success(
                    request,
                    f"Planned {count} student{'s' if count != 1 else ''}: check the plan below, "
                    "change what needs changing, then continue.",
                )
                return redirect("academics:promotion_preview", run.pk)
        chosen = _choices_from(request.POST, run)
    else:
        form = PlanForm(school=school, from_year=from_year, eligible=eligible)
        chosen = _choices_from(request.GET if request.GET.get("refresh") else None, run)
    enrollments = list(eligible)
    visible = [
        e
        for e in enrollments
        if (not chosen["grades"] or e.grade_id in chosen["grades"])
        and (not chosen["classes"] or e.school_class_id in chosen["classes"])
        and (not chosen["sections"] or e.section_id in chosen["sections"])
    ]
    context = {
        "form": form,
        "run": run,
        "from_year": from_year,
        "to_year": to_year,
        "chosen": chosen,
        "modes": [(value, label, MODE_HELP[value]) for value, label in PromotionMode.choices],
        "actions": PromotionAction.choices,
        "grades": list(form.fields["grades"].queryset),
        "classes": list(form.fields["classes"].queryset.select_related("grade")),
        "sections": list(form.fields["sections"].queryset),
        "all_groups": _student_groups(enrollments),
        "groups": _student_groups(visible),
        "eligible_count": len(enrollments),
        "visible_count": len(visible),
        "edited": selectors.edited_row_count(run=run) if run is not None else 0,
        "year_query": urlencode({"from_year": from_year.pk, "to_year": to_year.pk}),
        "step": 2,
    }
    if run is not None:
        context["action_url"] = reverse("academics:promotion_plan", args=[run.pk])
    else:
        context["action_url"] = f"{reverse('academics:promotion_plan_new')}?{context['year_query']}"
    template = PLAN_TEMPLATE + ("#student-picker" if wants_partial(request) else "")
    return render(request, template, context)


@promotion_view
def plan_new(request: HttpRequest) -> HttpResponse:
    """Step 2 for years with no draft yet (`?from_year=&to_year=`). Posting plans a new
    run; if another admin started one for these years meanwhile, theirs is opened."""
    school_id = request.user.school_id
    from_year = selectors.school_year(school_id=school_id, year_id=request.GET.get("from_year"))
    to_year = selectors.school_year(school_id=school_id, year_id=request.GET.get("to_year"))
    draft = open_run(school=request.user.school, from_year=from_year, to_year=to_year)
    if draft is not None and not wants_partial(request):
        messages.info(request, started_message(draft, request.user))
        return redirect("academics:promotion_preview", draft.pk)
    try:
        validate_prerequisites(school=request.user.school, from_year=from_year, to_year=to_year)
    except PromotionError as exc:
        for message in exc.messages:
            messages.error(request, message)
        query = urlencode({"from_year": from_year.pk, "to_year": to_year.pk})
        return redirect(f"{reverse('academics:promotion_start')}?{query}")
    return _plan(request, from_year=from_year, to_year=to_year)


@promotion_view
def plan_again(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 2 for a draft: its stored choices, which posting plans again (replacing the
    edits made in step 3, as the page warns)."""
    run = selectors.school_run(school_id=request.user.school_id, run_id=run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    return _plan(request, from_year=run.from_year, to_year=run.to_year, run=run)
