"""Dynamic total sessions (docs/design/total-sessions.md): the attendance list's inline
edit, its no-JS edit page, "Use actual", "Bulk Update Sessions" and the JSON endpoint.

Who may edit: admins, and teachers of the class (`can_edit_total_sessions`); every other
role gets 403 (JSON to a JSON request), another school's student or class a 404. Every
write goes through `attendance.services.total_sessions`, which holds the rules.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from academics.access import forbidden, htmx_sign_in_again, role_required
from academics.jsonapi import JsonBodyError, json_object_body
from academics.models import Membership, SchoolClass, StudentProfile, Subject, User
from academics.validators import parse_id

from ..access import TOTAL_SESSIONS_EDITORS
from ..forms import BulkTotalSessionsForm, TotalSessionsForm, TotalSessionsPayloadForm
from ..selectors.percentages import AttendanceRow, attendance_percentage
from ..selectors.total_sessions import (
    can_edit_total_sessions,
    homeroom_class,
    is_taught_in,
    list_row,
    present_and_actual,
    row_by_pk,
    school_classes,
    school_memberships,
    students_listed,
)
from ..services.total_sessions import (
    BulkTotalRejected,
    TotalSessionsError,
    bulk_set_total_sessions,
    check_bulk_total,
    clear_total_sessions,
    set_total_sessions,
)

TEMPLATE = "attendance/list.html"
SAVED = "Total sessions updated"
NOT_YOURS = "Only admins and the class's teachers may change its total sessions."


# --- the inline edit and its no-JS page ------------------------------------------------------


@htmx_sign_in_again("attendance:list")
@role_required(*TOTAL_SESSIONS_EDITORS)
def total_sessions_row(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The list row as it is saved (htmx "Cancel"/Escape); a plain request goes back to
    the list."""
    membership = _membership_in_school(request.user, membership_id)
    if not can_edit_total_sessions(user=request.user, school_class=membership.school_class):
        return forbidden(request, NOT_YOURS)
    return_to = _return_to(request, membership)
    if not request.htmx:
        return redirect(return_to)
    return _render_row(request, membership, return_to)


@htmx_sign_in_again("attendance:list")
@role_required(*TOTAL_SESSIONS_EDITORS)
def edit_total_sessions(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Set one student's total sessions in one class (docs/design/total-sessions.md,
    inline editing).

    htmx: GET answers the row with an input in place of the total; POST answers the saved
    row (new percentage, "(X actual)") or, when the value is refused, the input again with
    the service's message beside it (status 200, so htmx swaps it). Without htmx the same URL
    is an edit page that redirects back to the list on success.
    """
    membership = _membership_in_school(request.user, membership_id)
    if not can_edit_total_sessions(user=request.user, school_class=membership.school_class):
        return forbidden(request, NOT_YOURS)
    return_to = _return_to(request, membership)
    if request.method == "POST":
        form = TotalSessionsForm(request.POST)
        if form.is_valid():
            try:
                set_total_sessions(
                    student=membership.student,
                    school_class=membership.school_class,
                    total=form.cleaned_data["total_sessions"],
                    actor=request.user,
                )
            except TotalSessionsError as exc:
                form.add_error("total_sessions", str(exc))
            else:
                return _saved(request, membership, return_to, SAVED)
        row = _row(membership)
    else:
        row = _row(membership)
        form = TotalSessionsForm(initial={"total_sessions": row.denominator})
    context = _row_context(request, row, return_to) | {"form": form}
    if request.htmx:
        return render(request, f"{TEMPLATE}#total-edit-row", context)
    return render(request, TEMPLATE, context | {"screen": "total-edit"})


@htmx_sign_in_again("attendance:list")
@role_required(*TOTAL_SESSIONS_EDITORS)
@require_POST
def clear_total_sessions_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    """ "Use actual": remove the override, so the percentage is measured against the
    student's countable records again."""
    membership = _membership_in_school(request.user, membership_id)
    if not can_edit_total_sessions(user=request.user, school_class=membership.school_class):
        return forbidden(request, NOT_YOURS)
    clear_total_sessions(
        student=membership.student, school_class=membership.school_class, actor=request.user
    )
    return _saved(
        request, membership, _return_to(request, membership), f"{SAVED}: using actual records"
    )


def _membership_in_school(user: User, membership_id: int) -> Membership:
    return get_object_or_404(school_memberships(user=user), pk=membership_id)


def _row(membership: Membership) -> AttendanceRow:
    """The membership's list row, counted as the list counts it."""
    return list_row(membership=membership)


def _row_context(request: HttpRequest, row: AttendanceRow, return_to: str) -> dict:
    school = request.user.school
    return {
        "row": row,
        "can_edit_totals": True,
        "return_to": return_to,
        "low_below": school.low_attendance_threshold,
        "today": school.today(),
    }


def _render_row(
    request: HttpRequest, membership: Membership, return_to: str, message: str = ""
) -> HttpResponse:
    context = _row_context(request, _row(membership), return_to) | {"saved_message": message}
    return render(request, f"{TEMPLATE}#total-row-saved", context)


def _saved(
    request: HttpRequest, membership: Membership, return_to: str, message: str
) -> HttpResponse:
    if request.htmx:
        return _render_row(request, membership, return_to, message)
    messages.success(request, f"{message} for {membership.student} in {membership.school_class}.")
    return redirect(return_to)


def _list_url(school_class: SchoolClass | None = None) -> str:
    url = reverse("attendance:list")
    return f"{url}?{urlencode({'school_class': school_class.pk})}" if school_class else url


def _return_to(request: HttpRequest, membership: Membership) -> str:
    """Where the no-JS edit goes back to: the list page it came from (`next`), if that is
    a path on this site, else the list filtered to the membership's class."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return _list_url(membership.school_class)


# --- bulk update --------------------------------------------------------------------------


@role_required(*TOTAL_SESSIONS_EDITORS)
@require_POST
def bulk_total_sessions(request: HttpRequest) -> HttpResponse:
    """ "Bulk Update Sessions" (docs/design/total-sessions.md): one total for every
    student the list shows for the chosen class (all pages, not just the one on screen),
    after a confirmation step.

    All or nothing (`bulk_set_total_sessions`): when the total does not fit some students
    they are listed with the reason and nobody's total changes. The total is checked
    before the confirmation step too (`check_bulk_total`), and a refusal offers the lowest
    total every student can take, one click away.
    """
    user = request.user
    school_class = get_object_or_404(
        school_classes(user=user), pk=_positive_int(request.POST.get("school_class"))
    )
    if not can_edit_total_sessions(user=user, school_class=school_class):
        return forbidden(request, NOT_YOURS)
    students, left_count = students_listed(
        user=user, school_class=school_class, today=user.school.today()
    )
    form = BulkTotalSessionsForm(request.POST)
    context = {
        "screen": "bulk",
        "school_class": school_class,
        "students": students,
        "left_count": left_count,
        "form": form,
        "list_url": _list_url(school_class),
    }
    valid = form.is_valid()
    if not students:
        form.add_error(None, f"{school_class} has no students to update.")
        valid = False
    if not valid:
        return render(request, TEMPLATE, context)
    total = form.cleaned_data["total_sessions"]
    context["total"] = total
    if not form.cleaned_data["confirmed"]:
        # Check before asking: a confirmation for a total that will be refused wastes a
        # step (docs/design/total-sessions.md, "A whole class at once").
        try:
            check_bulk_total(students=students, school_class=school_class, total=total)
        except BulkTotalRejected as exc:
            return render(request, TEMPLATE, context | {"rejected": exc})
        return render(request, TEMPLATE, context | {"confirming": True})
    try:
        bulk_set_total_sessions(
            students=students, school_class=school_class, total=total, actor=user
        )
    except BulkTotalRejected as exc:
        return render(request, TEMPLATE, context | {"rejected": exc})
    except TotalSessionsError as exc:
        form.add_error("total_sessions", str(exc))
        return render(request, TEMPLATE, context)
    count = len(students)
    messages.success(
        request,
        f"{SAVED}: {total} for {count} student{'s' if count != 1 else ''} of {school_class}.",
    )
    return redirect(_list_url(school_class))


def _positive_int(value: str | None) -> int:
    """A posted id, or 0 (which no row has, so the lookup is a 404)."""
    return parse_id(value) or 0


# --- the JSON endpoint ---------------------------------------------------------------------


def update_total_sessions(request: HttpRequest) -> HttpResponse:
    """`POST /attendance/update-total-sessions/` (docs/design/total-sessions.md, API).

    Body (JSON object): `student_id` (StudentProfile pk), `total_sessions` (whole number
    ≥ the student's countable records), optional `class_id` (SchoolClass pk; default: the
    student's homeroom class — their Enrollment in the school's current AcademicYear) and
    `subject_id` (Subject pk; default none: the override for all the class's subjects,
    the one the attendance list shows).

    Session authentication with the CSRF token in `X-CSRFToken`, like the page's htmx.
    Answers 200 `{"success": true, student_id, class_id, subject_id, total_sessions,
    actual_sessions, present, percentage}`; 400 `{"success": false, "error"}` for any bad
    input; 401 signed out; 403 a role or teacher who may not edit; 404 another school's
    student, class or subject; 405 anything but POST.
    """
    if request.method != "POST":
        response = JsonResponse({"success": False, "error": "Use POST."}, status=405)
        response["Allow"] = "POST"
        return response
    return _update_total_sessions(request)


@role_required(*TOTAL_SESSIONS_EDITORS)
def _update_total_sessions(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        payload = json_object_body(request, example='{"student_id": 1, ...}')
    except JsonBodyError as exc:
        return _bad_request(str(exc))
    form = TotalSessionsPayloadForm(payload)
    if not form.is_valid():
        return _bad_request(form.error_message())
    data = form.cleaned_data

    student, failure = _in_school(StudentProfile, data["student_id"], user, "student")
    if failure:
        return failure
    if data["class_id"] is None:
        school_class = homeroom_class(student=student)
        if school_class is None:
            return _bad_request(
                f"{student} has no homeroom class in the current academic year: send class_id."
            )
    else:
        school_class, failure = _in_school(SchoolClass, data["class_id"], user, "class")
        if failure:
            return failure
    subject = None
    if data["subject_id"] is not None:
        subject, failure = _in_school(Subject, data["subject_id"], user, "subject")
        if failure:
            return failure
        if not is_taught_in(subject=subject, school_class=school_class):
            return _bad_request(f"{subject} is not taught in {school_class}.")
    if not can_edit_total_sessions(user=user, school_class=school_class):
        return forbidden(request, NOT_YOURS)

    try:
        override = set_total_sessions(
            student=student,
            school_class=school_class,
            subject=subject,
            total=data["total_sessions"],
            actor=user,
        )
    except TotalSessionsError as exc:
        return _bad_request(str(exc))
    present, actual = present_and_actual(
        student=student, school_class=school_class, subject=subject
    )
    percentage = attendance_percentage(present, override.total_sessions)
    return JsonResponse(
        {
            "success": True,
            "message": SAVED,
            "student_id": student.pk,
            "class_id": school_class.pk,
            "subject_id": subject.pk if subject else None,
            "total_sessions": override.total_sessions,
            "actual_sessions": actual,
            "present": present,
            "percentage": float(percentage) if percentage is not None else None,
        }
    )


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"success": False, "error": message}, status=400)


def _in_school(model, pk: int, user: User, noun: str):
    """(object, None) for a row of the user's school; otherwise (None, response): 404 for
    another school's row, 400 for an id that is no row at all."""
    found = row_by_pk(model=model, pk=pk)
    if found is None:
        return None, _bad_request(f"Unknown {noun} {pk}.")
    if found.school_id != user.school_id:
        return None, JsonResponse({"success": False, "error": f"No such {noun}."}, status=404)
    return found, None
