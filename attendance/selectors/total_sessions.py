"""Reads for total-sessions overrides (docs/design/total-sessions.md)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from academics.models import (
    Enrollment,
    Membership,
    Role,
    SchoolClass,
    StudentProfile,
    Subject,
    User,
)

from ..models import COUNTABLE_STATUSES, PRESENT_STATUSES, AttendanceRecord, TotalSessionsOverride
from .percentages import (
    AttendanceRow,
    as_rows,
    attendance_list_memberships,
    visible_classes,
    with_attendance_totals,
)


def countable_records_covered(
    *, student: StudentProfile, school_class: SchoolClass, subject: Subject | None = None
) -> int:
    """The countable records an override for (student, class[, subject]) measures against.

    The same records the percentage counts (docs/design/attendance.md): status P, A, IL or UL, not
    orphaned (EC-ATT-02), of that class (and subject, when given), dated inside one of the
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
    in_membership = Membership.objects.active_on(OuterRef("date")).filter(
        student=OuterRef("student"), school_class=OuterRef("school_class")
    )
    records = AttendanceRecord.objects.filter(
        school_class=school_class,
        status__in=COUNTABLE_STATUSES,
        is_orphaned=False,
    ).filter(Exists(in_membership))
    if subject is not None:
        records = records.filter(subject=subject)
    return records


def is_member_of(*, student: StudentProfile, school_class: SchoolClass) -> bool:
    """True if `student` has ever had a membership of `school_class` (an override is
    only for a student of the class). One query."""
    return Membership.objects.filter(student=student, school_class=school_class).exists()


def has_total_sessions(
    *, student: StudentProfile, school_class: SchoolClass, subject: Subject | None
) -> bool:
    """True if an override for (student, class, subject) exists already (`subject` None:
    the whole class's). One query."""
    return TotalSessionsOverride.objects.filter(
        student=student, school_class=school_class, subject=subject
    ).exists()


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
    its advisor), may set totals there (docs/design/total-sessions.md, permissions).
    Which roles may edit at all is `access.TOTAL_SESSIONS_EDITORS`."""
    if user.school_id != school_class.school_id:
        return False
    if user.is_school_admin:
        return True
    return (
        user.role == Role.TEACHER and visible_classes(user=user).filter(pk=school_class.pk).exists()
    )


# --- the attendance list's edit screens and the JSON endpoint -----------------------------


def school_memberships(*, user: User) -> QuerySet[Membership]:
    """The memberships of the user's school with their class and student (another
    school's is then a 404)."""
    return Membership.objects.filter(school_id=user.school_id).select_related(
        "school_class", "student__user"
    )


def school_classes(*, user: User) -> QuerySet[SchoolClass]:
    """The classes of the user's school (another school's is then a 404)."""
    return SchoolClass.objects.filter(school_id=user.school_id)


def list_row(*, membership: Membership) -> AttendanceRow:
    """The membership's attendance-list row, counted as the list counts it (present,
    countable, the override, the percentage). One query."""
    annotated = with_attendance_totals(
        Membership.objects.filter(pk=membership.pk).select_related("student__user", "school_class")
    )
    return as_rows(annotated)[0]


def students_listed(
    *, user: User, school_class: SchoolClass, today: datetime.date
) -> tuple[list[StudentProfile], int]:
    """The distinct students the attendance list shows `user` for `school_class` (every
    page), by name, and how many of them have left it (every membership ended before
    `today`, school-local). One query."""
    memberships = (
        attendance_list_memberships(user=user, school_class=school_class)
        .select_related("student__user")
        .order_by("student__user__last_name", "student__user__first_name", "student_id")
    )
    students: dict[int, StudentProfile] = {}
    still_in: set[int] = set()
    for membership in memberships:
        students.setdefault(membership.student_id, membership.student)
        if membership.left_on is None or membership.left_on >= today:
            still_in.add(membership.student_id)
    return list(students.values()), len(students.keys() - still_in)


def row_by_pk(*, model: type[StudentProfile | SchoolClass | Subject], pk: int):
    """The `model` row `pk` of any school, or None: the JSON endpoint tells a row of
    another school (404) from no row at all (400). One query."""
    return model.objects.filter(pk=pk).first()


def homeroom_class(*, student: StudentProfile) -> SchoolClass | None:
    """The student's homeroom class: their Enrollment's in the school's current
    AcademicYear, or None. One query."""
    enrollment = (
        Enrollment.objects.filter(
            student=student,
            academic_year__school_id=student.school_id,
            academic_year__is_current=True,
        )
        .select_related("school_class")
        .first()
    )
    return enrollment.school_class if enrollment else None


def is_taught_in(*, subject: Subject, school_class: SchoolClass) -> bool:
    """True if `subject` is the class's own subject, has a timetable slot in it, or has
    attendance records there. At most two queries."""
    return (
        school_class.subject_id == subject.pk
        or school_class.timetable_slots.filter(subject=subject).exists()
        or school_class.attendance_records.filter(subject=subject).exists()
    )


def present_and_actual(
    *, student: StudentProfile, school_class: SchoolClass, subject: Subject | None
) -> tuple[int, int]:
    """Present (P) and countable records behind a total's percentage. One query.

    Without a subject, as the attendance list counts them (`with_attendance_totals` over
    the student's memberships of the class); for one subject, the records the override
    covers (`covered_records`, same rules, that subject only).
    """
    if subject is None:
        memberships = with_attendance_totals(
            Membership.objects.filter(student=student, school_class=school_class)
        )
        present = actual = 0
        for membership in memberships:
            present += membership.present_count
            actual += membership.countable_count
        return present, actual
    counts = (
        covered_records(school_class=school_class, subject=subject)
        .filter(student=student)
        .aggregate(present=Count("pk", filter=Q(status__in=PRESENT_STATUSES)), actual=Count("pk"))
    )
    return counts["present"], counts["actual"]
