"""The attendance list (docs/design/total-sessions.md, "Attendance → Attendance List")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from academics.access import role_required, wants_partial
from academics.models import Role

from ..access import can_edit_total_sessions_somewhere, can_read_registers
from ..forms import AttendanceListFilterForm
from ..selectors import attendance_list_page, own_student_profile_id, visible_classes

LIST_PAGE_SIZE = 50


@role_required(*Role.values)
def attendance_list(request: HttpRequest) -> HttpResponse:
    """Present / total sessions / percentage per student and class (docs/design/total-sessions.md),
    scoped to what the user may see; one aggregate query per page."""
    form = AttendanceListFilterForm(request.GET or None, classes=visible_classes(user=request.user))
    school_class, lowest_first = None, False
    if form.is_valid():
        school_class = form.cleaned_data["school_class"]
        lowest_first = form.cleaned_data["order"] == "lowest"
    page = attendance_list_page(
        user=request.user,
        school_class=school_class,
        lowest_first=lowest_first,
        page_number=request.GET.get("page"),
        per_page=LIST_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    context = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "school_class": school_class,
        "filter_query": query.urlencode(),
        "low_below": request.user.school.low_attendance_threshold,
        "today": request.user.school.today(),
        # Every row a teacher's list shows is of a class they teach or advise, which is
        # exactly what `can_edit_total_sessions` lets them edit, so the list needs no
        # per-class query; the edit endpoints check the class again.
        "can_edit_totals": can_edit_total_sessions_somewhere(user),
        "can_read_registers": can_read_registers(user),
        "return_to": request.get_full_path(),
        # A student user saved before profiles were automatic (docs/design/total-sessions.md,
        # "Student profile not found") sees a notice, not an error, until `fix_student_profiles`
        # runs.
        "profile_missing": user.role == Role.STUDENT and own_student_profile_id(user=user) is None,
    }
    template = "attendance/list.html"
    if wants_partial(request):
        template += "#attendance-table"
    return render(request, template, context)
