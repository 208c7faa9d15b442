"""Staff-absent (SA) lifecycle screens (docs/design/attendance.md): marking a teacher absent, the
list of absences with their resolution progress, "Periods to resolve", and students' leave.

Thin views (ARCHITECTURE.md): authorise and scope, validate with a form, call one
service, render. Resolving an SA period happens on the marking screen (`attendance:mark`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from academics.access import role_required, wants_partial
from academics.models import School
from academics.validators import parse_id

from ..access import STAFF_ABSENCE_MANAGERS, TO_RESOLVE_READERS
from ..forms import (
    AbsentTeacherDayForm,
    LeaveDecisionForm,
    StaffAbsenceForm,
    StudentLeaveForm,
    SubstituteForm,
)
from ..selectors import (
    absent_teacher_choices,
    closure_on,
    is_school_user,
    leave_student_choices,
    periods_to_resolve,
    recent_absences,
    school_absences,
    school_leaves,
    substitute_choices,
    teacher_periods_on,
    with_resolution_progress,
)
from ..services import (
    LeaveError,
    StaffAbsenceError,
    StaffAbsenceResult,
    change_substitute,
    decide_student_leave,
    mark_teacher_absent,
    record_student_leave,
)

RECENT_ABSENCES = 30
# How many students a "left as they were" message names before it says "and N more".
NAMED_IN_MESSAGE = 8

# --- marking a teacher absent --------------------------------------------------------------


@role_required(*STAFF_ABSENCE_MANAGERS)
def staff_absence(request: HttpRequest) -> HttpResponse:
    """The hod's screen: mark a teacher absent (POST), and the recent absences with how
    many of their SA records are resolved."""
    school = request.user.school
    data = request.POST if request.method == "POST" else None
    # A GET may carry the teacher and date already (the no-JS "Show periods" button).
    picker_data = data if data is not None else (request.GET or None)
    if picker_data is not None:
        _teacher_in_school_or_404(school=school, teacher_id=picker_data.get("teacher"))
    teachers = absent_teacher_choices(school=school)
    picked = AbsentTeacherDayForm(picker_data, teachers=teachers)
    period_slots = _period_slots(picked)
    initial = {"date": school.today()}
    if data is None and picked.is_valid():
        initial.update(picked.cleaned_data)
    form = StaffAbsenceForm(
        data,
        teachers=teachers,
        substitutes=substitute_choices(school=school),
        period_slots=period_slots,
        initial=initial,
    )
    if data is not None and form.is_valid():
        try:
            result = mark_teacher_absent(
                teacher=form.cleaned_data["teacher"],
                day=form.cleaned_data["date"],
                periods=form.cleaned_data["periods"],
                substitute=form.cleaned_data["substitute"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                allow_clash=form.cleaned_data["allow_clash"],
            )
        except StaffAbsenceError as exc:
            form.add_error(None, str(exc))
        else:
            _report(request, result)
            return redirect("attendance:staff_absence")

    rows = recent_absences(school=school, limit=RECENT_ABSENCES)
    # Without JS, "Change" reloads this page with ?edit=<absence id>: that row shows the form.
    editing = _editing_id(request)
    edited = next((row.absence for row in rows if row.absence.pk == editing), None)
    context = {
        "form": form,
        "period_note": _period_note(picked, period_slots),
        "rows": rows,
        "editing": editing,
        "substitute_form": SubstituteForm(
            initial={"substitute": edited.substitute_id if edited else None},
            substitutes=substitute_choices(school=school),
        ),
        "today": school.today(),
    }
    return render(request, "attendance/staff_absence.html", context)


@role_required(*STAFF_ABSENCE_MANAGERS)
def staff_absence_periods(request: HttpRequest) -> HttpResponse:
    """The period checkboxes for the teacher and date picked (htmx, on change)."""
    school = request.user.school
    _teacher_in_school_or_404(school=school, teacher_id=request.GET.get("teacher"))
    if not wants_partial(request):
        # Without htmx: the whole form, with the checkboxes for that teacher and day.
        return redirect(f"{reverse('attendance:staff_absence')}?{request.GET.urlencode()}")
    teachers = absent_teacher_choices(school=school)
    picked = AbsentTeacherDayForm(request.GET, teachers=teachers)
    period_slots = _period_slots(picked)
    form = StaffAbsenceForm(
        teachers=teachers,
        substitutes=substitute_choices(school=school),
        period_slots=period_slots,
    )
    context = {"form": form, "period_note": _period_note(picked, period_slots)}
    return render(request, "attendance/staff_absence.html#period-choices", context)


def _teacher_in_school_or_404(*, school: School, teacher_id: str | None) -> None:
    """Another school's user is a missing object here, as every other school's row is."""
    user_id = parse_id(teacher_id)
    if user_id is None:
        return  # empty or junk: the form says so
    if not is_school_user(school=school, user_id=user_id):
        raise Http404("No such teacher in this school.")


def _period_slots(picked: AbsentTeacherDayForm) -> list:
    if not picked.is_valid():
        return []
    return list(
        teacher_periods_on(teacher=picked.cleaned_data["teacher"], day=picked.cleaned_data["date"])
    )


def _period_note(picked: AbsentTeacherDayForm, period_slots: list) -> str:
    """Why there is nothing to tick, when there isn't."""
    if not picked.is_valid():
        return "Choose a teacher and a date to see their periods."
    if period_slots:
        return ""
    teacher, day = picked.cleaned_data["teacher"], picked.cleaned_data["date"]
    holiday = closure_on(school_id=teacher.school_id, day=day)
    if holiday is not None:
        return f"{date_format(day, 'l j F Y')} is a holiday ({holiday.name})."
    return f"{teacher} has no periods on {date_format(day, 'l j F Y')}."


def _report(request: HttpRequest, result: StaffAbsenceResult) -> None:
    absence = result.absence
    numbers = sorted({slot.period_number for slot in result.slots})
    periods = f"period{pluralize(numbers)} " + ", ".join(str(n) for n in numbers)
    verb = "Added to the absence:" if result.extended else "Marked"
    messages.success(
        request,
        f"{verb} {absence.teacher} absent on {date_format(absence.date, 'l j F Y')}, "
        f"{periods}. {result.created} record{pluralize(result.created)} set to Staff absent.",
    )
    if result.clashes:
        messages.warning(
            request,
            _("Substitute kept although: %(clashes)s.") % {"clashes": "; ".join(result.clashes)},
        )
    if result.left_as_marked:
        named = ", ".join(
            f"{left.student_name} (P{left.period_number}: {left.status}"
            + (f" in {left.school_class}" if left.school_class else "")
            + ")"
            for left in result.left_as_marked[:NAMED_IN_MESSAGE]
        )
        more = len(result.left_as_marked) - NAMED_IN_MESSAGE
        count = len(result.left_as_marked)
        messages.warning(
            request,
            f"{count} record{pluralize(count)} already saved {pluralize(count, 'was,were')} "
            f"left as {pluralize(count, 'it was,they were')}: {named}"
            + (f" and {more} more." if more > 0 else "."),
        )


def _editing_id(request: HttpRequest) -> int | None:
    value = request.GET.get("edit", "")
    return parse_id(value)


# --- the substitute of an absence ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_ABSENCE_MANAGERS)
def absence_substitute(request: HttpRequest, absence_id: int) -> HttpResponse:
    """Edit the substitute of one absence: GET gives the row's edit form (htmx), POST
    saves it and gives the row back."""
    school = request.user.school
    absence = get_object_or_404(school_absences(school=school), pk=absence_id)
    substitutes = substitute_choices(school=school)
    list_url = reverse("attendance:staff_absence")
    if request.method == "GET":
        if not wants_partial(request):
            return redirect(f"{list_url}?edit={absence.pk}#absence-{absence.pk}")
        form = SubstituteForm(initial={"substitute": absence.substitute}, substitutes=substitutes)
        return _absence_row(request, absence, editing=True, form=form)

    form = SubstituteForm(request.POST, substitutes=substitutes)
    error = ""
    if form.is_valid():
        try:
            absence = change_substitute(
                absence=absence,
                substitute=form.cleaned_data["substitute"],
                actor=request.user,
                allow_clash=form.cleaned_data["allow_clash"],
            )
        except StaffAbsenceError as exc:
            error = str(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if wants_partial(request):
        if error:
            return _absence_row(request, absence, editing=True, form=form, error=error)
        return _absence_row(request, absence, editing=False)
    if error:
        messages.error(request, f"The substitute was not changed: {error}")
    else:
        substitute = absence.substitute or "no substitute"
        messages.success(request, f"{absence} now has {substitute} as substitute.")
    return redirect(f"{list_url}#absence-{absence.pk}")


def _absence_row(request, absence, *, editing: bool, form=None, error: str = "") -> HttpResponse:
    absence = school_absences(school=request.user.school).get(pk=absence.pk)
    (row,) = with_resolution_progress(school=request.user.school, absences=[absence])
    context = {
        "row": row,
        "editing": absence.pk if editing else None,
        "substitute_form": form,
        "row_error": error,
        "today": request.user.school.today(),
    }
    return render(request, "attendance/staff_absence.html#absence-row", context)


# --- periods to resolve -------------------------------------------------------------------


@role_required(*TO_RESOLVE_READERS)
def to_resolve(request: HttpRequest) -> HttpResponse:
    """ "Periods to resolve": each slot and date with SA records the user may resolve (the
    whole school for admin, hod and principal), oldest first, with its deadline."""
    context = {"rows": periods_to_resolve(user=request.user), "today": request.user.school.today()}
    template = "attendance/to_resolve.html"
    if wants_partial(request):
        template += "#to-resolve"
    return render(request, template, context)


# --- student leave ------------------------------------------------------------------------


@role_required(*STAFF_ABSENCE_MANAGERS)
def student_leave(request: HttpRequest) -> HttpResponse:
    """Record a student's leave (approved at once, or pending) and list the school's leave,
    pending first. Approved leave preselects IL when an SA period is resolved."""
    school = request.user.school
    data = request.POST if request.method == "POST" else None
    form = StudentLeaveForm(data, students=leave_student_choices(school=school))
    if data is not None and form.is_valid():
        try:
            leave = record_student_leave(
                student=form.cleaned_data["student"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
                approve=form.cleaned_data["approve"],
                actor=request.user,
            )
        except LeaveError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Leave recorded: {leave}.")
            return redirect("attendance:student_leave")
    context = {"form": form, "leaves": school_leaves(school=school)[:100]}
    return render(request, "attendance/student_leave.html", context)


@require_POST
@role_required(*STAFF_ABSENCE_MANAGERS)
def decide_leave(request: HttpRequest, leave_id: int) -> HttpResponse:
    """Approve or reject one leave of the user's school."""
    leave = get_object_or_404(school_leaves(school=request.user.school), pk=leave_id)
    form = LeaveDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
    else:
        try:
            leave = decide_student_leave(
                leave=leave, approve=form.cleaned_data["decision"] == "approve", actor=request.user
            )
        except LeaveError as exc:  # it overlaps an approved leave: nothing was changed
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Leave {leave.get_status_display().lower()}: {leave}.")
    return redirect("attendance:student_leave")
