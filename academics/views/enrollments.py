"""The enrollments list (issue 7: step 5's "View the new enrollments"): a year's
enrollments, filtered by grade, class, section, status or the promotion run that made
them, 50 a page, in a constant number of queries.

Admins and principals only, like the promotion wizard.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import wants_partial
from ..forms import EnrollmentFilterForm
from ..models import AcademicYear, Enrollment, Grade, PromotionRun, SchoolClass, Section
from .promotion import promotion_view

PAGE_SIZE = 50
TEMPLATE = "academics/enrollments.html"


@promotion_view
def enrollment_list(request: HttpRequest) -> HttpResponse:
    """A year's enrollments (default: the current year, else the latest), by grade,
    class, roll number and name. `?run=` keeps those a promotion run created."""
    school_id = request.user.school_id
    form = EnrollmentFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    years = list(AcademicYear.objects.filter(school_id=school_id).order_by("-start_date", "-pk"))
    year = next((y for y in years if y.pk == chosen.get("year")), None)
    if year is None:
        year = next((y for y in years if y.is_current), None) or (years[0] if years else None)
    grades = list(Grade.objects.filter(school_id=school_id).order_by("level"))
    classes = list(
        SchoolClass.objects.filter(school_id=school_id, academic_year=year)
        .select_related("grade")
        .order_by("grade__level", "name", "pk")
    )
    class_id = chosen.get("school_class")
    sections = (
        list(Section.objects.filter(school_class_id=class_id).order_by("name")) if class_id else []
    )
    run = None
    if chosen.get("run"):
        run = (
            PromotionRun.objects.filter(school_id=school_id, pk=chosen["run"])
            .select_related("from_year", "to_year")
            .first()
        )
    enrollments = (
        Enrollment.objects.filter(school_id=school_id, academic_year=year)
        .select_related("student__user", "grade", "school_class", "section")
        .order_by(
            "grade__level",
            "school_class__name",
            "roll_number",
            "student__user__last_name",
            "student__user__first_name",
            "pk",
        )
    )
    if chosen.get("grade"):
        enrollments = enrollments.filter(grade_id=chosen["grade"])
    if class_id:
        enrollments = enrollments.filter(school_class_id=class_id)
    if chosen.get("section"):
        enrollments = enrollments.filter(section_id=chosen["section"])
    if chosen.get("status"):
        enrollments = enrollments.filter(status=chosen["status"])
    if chosen.get("run"):
        enrollments = enrollments.filter(
            pk__in=PromotionRun.objects.filter(school_id=school_id, pk=chosen["run"]).values(
                "rows__new_enrollment"
            )
        )
    page = Paginator(enrollments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "chosen": chosen,
        "years": years,
        "year": year,
        "grades": grades,
        "classes": classes,
        "sections": sections,
        "run": run,
        "page": page,
        "enrollments": page.object_list,
        "statuses": Enrollment.Status.choices,
        "filter_query": query.urlencode(),
    }
    return render(
        request, TEMPLATE + ("#enrollments-table" if wants_partial(request) else ""), context
    )
