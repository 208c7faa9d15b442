"""Promotion step 1, the years (docs/design/promotion.md): whether two years allow a
promotion, the dates proposed for the next year, and creating it with last year's
homerooms copied.
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction

from ...models import (
    AcademicYear,
    Enrollment,
    School,
    SchoolClass,
    Section,
    User,
)
from .shapes import PromotionError


def validate_prerequisites(
    *, school: School, from_year: AcademicYear, to_year: AcademicYear
) -> None:
    """Check that students can be promoted from `from_year` into `to_year`
    (docs/design/promotion.md).

    Both years must be the school's, `to_year` must start after `from_year` ends, and
    `from_year` must hold enrollments still waiting to be promoted (status active).

    Raises PromotionError listing every problem.
    """
    problems = []
    if from_year.school_id != school.pk or to_year.school_id != school.pk:
        raise PromotionError("Both academic years must belong to this school.")
    if from_year.pk == to_year.pk:
        raise PromotionError("Choose two different academic years.")
    if to_year.start_date <= from_year.end_date:
        problems.append(
            f"{to_year} must start after {from_year} ends ({from_year.end_date:%-d %b %Y})."
        )
    if not Enrollment.objects.filter(
        academic_year=from_year, status=Enrollment.Status.ACTIVE
    ).exists():
        problems.append(f"No student of {from_year} is waiting to be promoted.")
    if problems:
        raise PromotionError(problems)


def next_year_defaults(from_year: AcademicYear) -> dict:
    """Name and dates for the year after `from_year`: each number in the name and both dates
    one year on ("2025-2026" → "2026-2027")."""

    def plus_one(d: datetime.date) -> datetime.date:
        try:
            return d.replace(year=d.year + 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year + 1, day=28)

    name = re.sub(r"\d{4}", lambda m: str(int(m.group()) + 1), from_year.name)
    if name == from_year.name:
        name = f"{from_year.name} (next)"
    return {
        "name": name,
        "start_date": plus_one(from_year.start_date),
        "end_date": plus_one(from_year.end_date),
    }


@transaction.atomic
def create_academic_year(
    *,
    school: School,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    copy_classes_from: AcademicYear | None,
    actor: User,
) -> AcademicYear:
    """Create the school's next academic year (wizard step 1).

    Args:
        name: unique in the school, e.g. "2026-2027".
        start_date, end_date: school-local; the year may not overlap another of the school.
        copy_classes_from: a year whose active homeroom classes (name, code, grade, advisor)
            and their active sections (name, capacity) are copied into the new year, so
            5-A of this year has a 5-A next year for 4-A to be promoted into; None copies
            nothing.

    Returns the new year (not current: making it current is the office's decision).
    Raises PromotionError for a taken name, reversed dates or an overlap.
    """
    name = name.strip()
    if not name:
        raise PromotionError("Give the year a name, e.g. 2026-2027.")
    if end_date <= start_date:
        raise PromotionError("The year must end after it starts.")
    years = AcademicYear.objects.filter(school=school)
    if years.filter(name__iexact=name).exists():
        raise PromotionError(f"{school} already has an academic year called {name}.")
    overlap = years.filter(start_date__lte=end_date, end_date__gte=start_date).first()
    if overlap is not None:
        raise PromotionError(
            f"{name} would overlap {overlap} "
            f"({overlap.start_date:%-d %b %Y} – {overlap.end_date:%-d %b %Y})."
        )
    year = AcademicYear.objects.create(
        school=school,
        name=name,
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
        updated_by=actor,
    )
    if copy_classes_from is not None:
        if copy_classes_from.school_id != school.pk:
            raise PromotionError("Classes can only be copied from a year of this school.")
        _copy_homerooms(source=copy_classes_from, target=year, actor=actor)
    return year


def _copy_homerooms(*, source: AcademicYear, target: AcademicYear, actor: User) -> None:
    classes = list(
        SchoolClass.objects.filter(
            academic_year=source,
            kind=SchoolClass.Kind.HOMEROOM,
            is_active=True,
            grade__isnull=False,
        ).order_by("pk")
    )
    copies = SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                school_id=c.school_id,
                academic_year=target,
                grade_id=c.grade_id,
                subject_id=c.subject_id,
                name=c.name,
                code=c.code,
                kind=c.kind,
                advisor_id=c.advisor_id,
                created_by=actor,
                updated_by=actor,
            )
            for c in classes
        ]
    )
    copy_of = {c.pk: copy for c, copy in zip(classes, copies, strict=True)}
    Section.objects.bulk_create(
        [
            Section(
                school_id=s.school_id,
                school_class=copy_of[s.school_class_id],
                name=s.name,
                capacity=s.capacity,
                created_by=actor,
                updated_by=actor,
            )
            for s in Section.objects.filter(school_class__in=classes, is_active=True)
        ]
    )
