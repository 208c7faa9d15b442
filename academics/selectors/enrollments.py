"""Reads for the enrollments list (docs/design/promotion.md: step 5's "View the new
enrollments"): a school's years, grades, classes and sections to filter by, and the
enrollments that match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from ..models import AcademicYear, Enrollment, Grade, PromotionRun, SchoolClass, Section


@dataclass
class EnrollmentListing:
    """What the enrollments list shows: the choices of its filters and the matching
    enrollments (a lazy queryset, for the caller to paginate)."""

    years: list[AcademicYear]
    year: AcademicYear | None
    grades: list[Grade]
    classes: list[SchoolClass]
    sections: list[Section]
    run: PromotionRun | None
    enrollments: QuerySet[Enrollment]


def enrollment_listing(*, school_id: int, chosen: Mapping) -> EnrollmentListing:
    """The enrollments of school `school_id` in one year, filtered by `chosen` (the
    cleaned EnrollmentFilterForm: year, grade, school_class, section, status and run ids;
    absent or empty keys don't filter).

    The year is the chosen one, else the current year, else the latest; the enrollments
    are ordered by grade, class, roll number and name, with student, grade, class and
    section loaded. `run` keeps only the enrollments that promotion run created. Unknown
    ids simply match nothing. Five queries here (years, grades, classes, sections when a
    class is chosen, the run when one is chosen); the enrollments are read by the caller.
    """
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
    return EnrollmentListing(
        years=years,
        year=year,
        grades=grades,
        classes=classes,
        sections=sections,
        run=run,
        enrollments=enrollments,
    )
