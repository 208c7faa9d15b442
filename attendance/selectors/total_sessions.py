"""Reads for total-sessions overrides (seed 000, "Dynamic total sessions")."""

from __future__ import annotations

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from academics.models import Membership, Role, SchoolClass, StudentProfile, Subject, User

from ..models import COUNTABLE_STATUSES, AttendanceRecord, TotalSessionsOverride
from .percentages import visible_classes

# Who may set a student's total sessions (issue 4): admins, and teachers of that class.
TOTAL_SESSIONS_EDITORS = (Role.ADMIN, Role.TEACHER)


def countable_records_covered(
    *, student: StudentProfile, school_class: SchoolClass, subject: Subject | None = None
) -> int:
    """The countable records an override for (student, class[, subject]) measures against.

    The same records the percentage counts (seed 001): status P, A, IL or UL, not orphaned
    (EC-ATT-02), of that class (and subject, when given), dated inside one of the
    student's memberships of the class (EC-ATT-01: only from the join date).
    """
    return (
        covered_records(school_class=school_class, subject=subject).filter(student=student).count()
    )


def countable_records_by_student(
    *, school_class: SchoolClass, subject: Subject | None = None, student_ids
) -> dict[int, int]:
    """`countable_records_covered` for many students of one class in one query:
    StudentProfile pk → count (students without records are absent from the dict)."""
    return dict(
        covered_records(school_class=school_class, subject=subject)
        .filter(student_id__in=student_ids)
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .values_list("student_id", "n")
    )


def covered_records(
    *, school_class: SchoolClass, subject: Subject | None = None
) -> QuerySet[AttendanceRecord]:
    """Countable, live records of `school_class` dated inside their student's membership."""
    in_membership = Membership.objects.filter(
        student=OuterRef("student"),
        school_class=OuterRef("school_class"),
        joined_on__lte=OuterRef("date"),
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("date")))
    records = AttendanceRecord.objects.filter(
        school_class=school_class,
        status__in=COUNTABLE_STATUSES,
        is_orphaned=False,
    ).filter(Exists(in_membership))
    if subject is not None:
        records = records.filter(subject=subject)
    return records


def with_actual_records(
    overrides: QuerySet[TotalSessionsOverride],
) -> QuerySet[TotalSessionsOverride]:
    """Annotate each override with `actual_records`: the countable records it covers, as
    `countable_records_covered` counts them, in one correlated subquery for the page
    (an override without a subject covers every subject of its class)."""
    covered = (
        covered_records(school_class=OuterRef("school_class"))
        .filter(student=OuterRef("student"))
        .filter(subject=Coalesce(OuterRef("subject"), F("subject")))
        .order_by()
        .values("student")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return overrides.annotate(
        actual_records=Coalesce(Subquery(covered, output_field=IntegerField()), 0)
    )


def can_edit_total_sessions(*, user: User, school_class: SchoolClass) -> bool:
    """Admins of the class's school, and teachers of that class (a timetable slot in it, or
    its advisor), may set totals there (issue 4; seed 000, "Permission Issues")."""
    if user.school_id != school_class.school_id:
        return False
    if user.is_school_admin:
        return True
    return (
        user.role == Role.TEACHER and visible_classes(user=user).filter(pk=school_class.pk).exists()
    )
