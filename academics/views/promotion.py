"""The promotion wizard (seed 004, 4.1; issue 7, "Wizard"): history, five steps, undo.

- `/promotion/`: every run of the school, newest first, drafts in progress to continue.
- Step 1 `/promotion/new/`: the years (with dates and student counts); the next year can
  be created here. A draft someone already started for the chosen years is continued.
- Step 2 `/promotion/new/plan/?from_year=…&to_year=…` (or `/promotion/<run>/plan/`): mode
  and filters; posting plans the run (`plan_promotion`) and stores it.
- Step 3 `/promotion/<run>/preview/`: summary, alerts, the table with inline editing per
  row, bulk actions on ticked rows, "Rebalance sections", "Discard this plan".
- Step 4 `/promotion/<run>/confirm/`: final summary, estimated time, checkbox, Execute.
- Step 5 `/promotion/<run>/`: what was done, the log, the rows, Undo.

Admins and principals only (a superuser counts as admin); others 403, another school's
run 404. Every screen works as plain links and forms; htmx only swaps parts (step 1's
form, step 2's student list, step 3's rows and summary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ..access import PROMOTION_ROLES, htmx_sign_in_again, role_required, wants_partial
from ..forms import (
    MODE_HELP,
    BulkForm,
    ConfirmForm,
    NextYearForm,
    PlanForm,
    RowEditForm,
    year_label,
    years_with_counts,
)
from ..models import (
    AcademicYear,
    Enrollment,
    Grade,
    PromotionAction,
    PromotionLog,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    SchoolClass,
    Section,
    User,
)
from ..services.promotion import (
    PromotionError,
    PromotionSummary,
    create_academic_year,
    discard_run,
    estimate_seconds,
    execute_promotion,
    get_eligible_students,
    next_year_defaults,
    open_run,
    plan_promotion,
    rebalance_run,
    run_rows,
    summarise_run,
    undo_blockers,
    undo_promotion,
    update_promotion_rows,
    validate_prerequisites,
)
from ..validators import MAX_ID

START_TEMPLATE = "academics/promotion/start.html"
PLAN_TEMPLATE = "academics/promotion/plan.html"
PREVIEW_TEMPLATE = "academics/promotion/preview.html"
CONFIRM_TEMPLATE = "academics/promotion/confirm.html"
DETAIL_TEMPLATE = "academics/promotion/detail.html"
HISTORY_TEMPLATE = "academics/promotion/history.html"
TARGETED = (PromotionAction.PROMOTE, PromotionAction.RETAIN)


def promotion_view(view: Callable) -> Callable:
    """Admins and principals only; a signed-out htmx request signs in as a whole page."""
    return htmx_sign_in_again("academics:promotion_history")(role_required(*PROMOTION_ROLES)(view))


def _run_for(user: User, run_id: int) -> PromotionRun:
    """The user's school's run, or 404 (another school's run is not there)."""
    return get_object_or_404(
        PromotionRun.objects.filter(school_id=user.school_id).select_related(
            "school", "from_year", "to_year", "created_by", "executed_by", "reverted_by"
        ),
        pk=run_id,
    )


def _year_for(user: User, year_id) -> AcademicYear:
    try:
        year_id = int(year_id)
    except (TypeError, ValueError):
        year_id = 0
    return get_object_or_404(AcademicYear.objects.filter(school_id=user.school_id), pk=year_id)


def humane_seconds(seconds: float) -> str:
    """A duration as a person would say it: "less than a second", "about 2 seconds",
    "about 3 minutes"."""
    if seconds < 1:
        return "less than a second"
    if seconds < 90:
        n = round(seconds)
        return f"about {n} second{'s' if n != 1 else ''}"
    n = round(seconds / 60)
    return f"about {n} minutes"


def started_message(run: PromotionRun, user: User) -> str:
    """Who started a draft and when, for the admin who opens it next."""
    who = "You" if run.created_by_id == user.pk else str(run.created_by or "Someone")
    when = timezone.localtime(run.created_at)
    return f"{who} started this promotion on {when:%-d %b %Y at %H:%M}; you are continuing it."


def _counts_text(counts: dict) -> str:
    parts = [
        f"{counts.get(PromotionAction.PROMOTE, 0)} promoted",
        f"{counts.get(PromotionAction.RETAIN, 0)} retained",
        f"{counts.get(PromotionAction.GRADUATE, 0)} graduated",
        f"{counts.get(PromotionAction.LEAVE, 0)} left",
    ]
    return ", ".join(parts)


# --- history ---------------------------------------------------------------------------------


@promotion_view
def history(request: HttpRequest) -> HttpResponse:
    """Every run of the school, newest first (years, mode, status, who and when, the
    counts of its logs), drafts in progress first with "Continue". A constant number of
    queries: the runs with their row counts, then all their logs."""
    runs = list(
        PromotionRun.objects.filter(school_id=request.user.school_id)
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
    drafts = [run for run in runs if run.status == PromotionRun.Status.DRAFT]
    return render(request, HISTORY_TEMPLATE, {"runs": runs, "drafts": drafts})


# --- step 1: the years -----------------------------------------------------------------------


def _default_from(years: list[AcademicYear]) -> AcademicYear | None:
    """The current year, else the latest with students waiting, else the latest."""
    current = next((y for y in years if y.is_current), None)
    waiting = next((y for y in years if y.waiting), None)
    return current or waiting or (years[0] if years else None)


def _year_after(years: list[AcademicYear], year: AcademicYear | None) -> AcademicYear | None:
    """The first year starting after `year` starts (`years` are latest first)."""
    if year is None:
        return None
    later = [y for y in years if y.start_date > year.start_date]
    return later[-1] if later else None


def _start_context(
    request: HttpRequest, *, data=None, year_form: NextYearForm | None = None
) -> dict:
    user = request.user
    years = list(years_with_counts(user.school))
    by_id = {str(y.pk): y for y in years}
    data = (data or request.GET).copy()
    from_year = by_id.get(data.get("from_year", "")) or _default_from(years)
    trigger = request.htmx.trigger_name if request.htmx else ""
    to_year = by_id.get(data.get("to_year", ""))
    if to_year is None or trigger == "from_year":
        to_year = _year_after(years, from_year)
    for year in years:
        year.label = year_label(year)
    next_year = _year_after(years, from_year)
    if year_form is None and from_year is not None and next_year is None:
        try:
            defaults = next_year_defaults(from_year)
        except ValueError:  # a year ending in 9999 has no next one to propose (issue 8)
            defaults = {}
        year_form = NextYearForm(
            initial={**defaults, "source": from_year.pk, "copy_classes": True},
            school=user.school,
        )
    drafts = list(
        PromotionRun.objects.filter(
            school_id=user.school_id, status=PromotionRun.Status.DRAFT
        ).select_related("from_year", "to_year", "created_by")
    )
    pair_draft = next(
        (
            d
            for d in drafts
            if from_year
            and to_year
            and (d.from_year_id, d.to_year_id) == (from_year.pk, to_year.pk)
        ),
        None,
    )
    return {
        "years": years,
        "pair_draft": pair_draft,
        "from_year": from_year,
        "to_year": to_year,
        "next_year": next_year,
        "year_form": year_form,
        "drafts": drafts,
        "problems": [],
        "step": 1,
    }


@promotion_view
def start(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the years. "Next" (a GET with `next`) checks them
    (`validate_prerequisites`); a draft already started for them is continued (with who
    started it and when), else step 2 opens. htmx redraws the form when the From year
    changes (the To year follows it; "Create the next year" appears when there is none)."""
    context = _start_context(request)
    if request.GET.get("next") and not wants_partial(request):
        from_year, to_year = context["from_year"], context["to_year"]
        if from_year is None or to_year is None:
            context["problems"] = ["Choose both years (create the next year first if needed)."]
        else:
            try:
                validate_prerequisites(
                    school=request.user.school, from_year=from_year, to_year=to_year
                )
            except PromotionError as exc:
                context["problems"] = exc.messages
            else:
                draft = open_run(school=request.user.school, from_year=from_year, to_year=to_year)
                if draft is not None:
                    messages.info(request, started_message(draft, request.user))
                    return redirect("academics:promotion_preview", draft.pk)
                query = urlencode({"from_year": from_year.pk, "to_year": to_year.pk})
                return redirect(f"{reverse('academics:promotion_plan_new')}?{query}")
    template = START_TEMPLATE + ("#years-form" if wants_partial(request) else "")
    return render(request, template, context)


@promotion_view
@require_POST
def create_year(request: HttpRequest) -> HttpResponse:
    """Step 1's "Create the next year" (`create_academic_year`): with its homeroom classes
    and sections copied from the From year when the box is ticked. Errors are shown in
    the form; success goes back to step 1 with the new year chosen as To year."""
    form = NextYearForm(request.POST, school=request.user.school)
    if form.is_valid():
        data = form.cleaned_data
        try:
            year = create_academic_year(
                school=request.user.school,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                copy_classes_from=data["source"] if data["copy_classes"] else None,
                actor=request.user,
            )
        except PromotionError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            copied = SchoolClass.objects.filter(academic_year=year).count()
            copy_note = (
                f" with {copied} homeroom class{'es' if copied != 1 else ''} copied from "
                f"{data['source']}"
                if data["copy_classes"]
                else ""
            )
            messages.success(request, f"Created {year}{copy_note}.")
            query = urlencode({"from_year": data["source"].pk, "to_year": year.pk})
            url = f"{reverse('academics:promotion_start')}?{query}"
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    source = request.POST.get("source", "")
    context = _start_context(request, data={"from_year": source}, year_form=form)
    if wants_partial(request):
        return render(request, START_TEMPLATE + "#create-year", context)
    return render(request, START_TEMPLATE, context)


# --- step 2: mode and filters ----------------------------------------------------------------


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
    ids = set()
    for value in values:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return ids


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


def _edited_rows(run: PromotionRun) -> int:
    """How many rows of a draft were changed in step 3 (a class or section chosen, notes
    written, or an action other than the plan's default)."""
    highest = Grade.objects.filter(school_id=run.school_id).order_by("-level").first()
    default = (run.filters or {}).get("default_action") or ""
    edited = 0
    for action, grade_id, class_chosen, section_chosen, notes in run.rows.values_list(
        "action", "from_enrollment__grade", "class_chosen", "section_chosen", "notes"
    ):
        expected = default or (
            PromotionAction.GRADUATE
            if highest is not None and grade_id == highest.pk
            else PromotionAction.PROMOTE
        )
        if action != expected or class_chosen or section_chosen or notes:
            edited += 1
    return edited


def _plan(
    request: HttpRequest,
    *,
    from_year: AcademicYear,
    to_year: AcademicYear,
    run: PromotionRun | None = None,
) -> HttpResponse:
    user = request.user
    school = user.school
    eligible = get_eligible_students(academic_year=from_year, to_year=to_year).filter(school=school)
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
                count = run.rows.count()
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
        "edited": _edited_rows(run) if run is not None else 0,
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
    from_year = _year_for(request.user, request.GET.get("from_year"))
    to_year = _year_for(request.user, request.GET.get("to_year"))
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
    run = _run_for(request.user, run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    return _plan(request, from_year=run.from_year, to_year=run.to_year, run=run)


def _not_a_draft(request: HttpRequest, run: PromotionRun) -> HttpResponse:
    """A step that changes the plan, opened on a run that is no longer being planned."""
    status = run.get_status_display().lower()
    messages.info(request, f"This promotion was already {status}; its plan can't be changed.")
    url = reverse("academics:promotion_detail", args=[run.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- step 3: preview and adjust --------------------------------------------------------------


def _target_classes(run: PromotionRun) -> list[SchoolClass]:
    """The classes rows can be sent to: active classes with a grade, of the target year
    or of no year, by grade and name (one query)."""
    return list(
        SchoolClass.objects.filter(
            Q(academic_year__isnull=True) | Q(academic_year_id=run.to_year_id),
            school_id=run.school_id,
            is_active=True,
            grade__isnull=False,
        )
        .select_related("grade")
        .order_by("grade__level", "name", "pk")
    )


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
        "class_groups": _class_groups(_target_classes(run)),
        "step": 3,
    }


@promotion_view
def preview(request: HttpRequest, run_id: int) -> HttpResponse:
    """Step 3: the stored plan (`summarise_run`): counts, what blocks it, the table with
    an inline editor per row and bulk actions. Not paginated: the whole school in one
    table, in a constant number of queries."""
    run = _run_for(request.user, run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    context = _preview_context(run)
    template = PREVIEW_TEMPLATE + ("#preview-body" if wants_partial(request) else "")
    return render(request, template, context)


def _row_of(run: PromotionRun, row_id: int) -> PromotionRow:
    return get_object_or_404(run_rows(run), pk=row_id)


def _int_or_none(value) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    # An id no bigint column holds is no id: querying with it overflows (issue 8).
    return number if number is None or abs(number) <= MAX_ID else None


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
            state[key] = _int_or_none(source.get(key))
            was[key] = _int_or_none(source.get(f"was_{key}"))
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
    grades = list(Grade.objects.filter(school_id=run.school_id).order_by("level"))
    targeted = state["action"] in TARGETED
    auto_grade = None
    if state["action"] == PromotionAction.RETAIN:
        auto_grade = next((g for g in grades if g.pk == enrollment.grade_id), None)
    elif state["action"] == PromotionAction.PROMOTE:
        auto_grade = next((g for g in grades if g.level > enrollment.grade.level), None)
    grade_id = state["to_grade"] or (auto_grade.pk if auto_grade else None)
    kind = enrollment.school_class.kind if enrollment.school_class else SchoolClass.Kind.HOMEROOM
    classes = []
    if targeted and grade_id:
        classes = list(
            SchoolClass.objects.filter(
                Q(academic_year__isnull=True) | Q(academic_year_id=run.to_year_id),
                school_id=run.school_id,
                grade_id=grade_id,
                kind=kind,
                is_active=True,
            ).order_by("name", "pk")
        )
    class_id = state["to_class"]
    sections = []
    if targeted and class_id:
        sections = list(Section.objects.filter(school_class_id=class_id, is_active=True))
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
    run = _run_for(request.user, run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    if not request.htmx:
        return redirect(f"{reverse('academics:promotion_preview', args=[run.pk])}#prow-{row_id}")
    return render(request, PREVIEW_TEMPLATE + "#row", {"run": run, "row": _row_of(run, row_id)})


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
    run = _run_for(request.user, run_id)
    if run.status != PromotionRun.Status.DRAFT:
        return _not_a_draft(request, run)
    current = _row_of(run, row_id)
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
    run = _run_for(request.user, run_id)
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
    run = _run_for(request.user, run_id)
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
    run = _run_for(request.user, run_id)
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
        {"run": run, "screen": "discard", "rows_count": run.rows.count(), "step": 3},
    )


# --- step 4: confirm and execute -------------------------------------------------------------


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
    run = _run_for(request.user, run_id)
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
    run = _run_for(request.user, run_id)
    if run.status == PromotionRun.Status.DRAFT:
        return redirect("academics:promotion_preview", run.pk)
    logs = list(run.logs.select_related("promoted_by").order_by("-created_at", "-pk"))
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
    run = _run_for(request.user, run_id)
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
