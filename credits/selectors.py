"""Reads for make-up credits (seed 003): tutors, a tutor's students, balances."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from academics.models import Membership, Role, SchoolClass, StudentProfile, User

from .models import MakeupCredit

# Seed 003's tutors are the school's teaching staff.
TUTOR_ROLES = (Role.TEACHER, Role.HOD)
# Who may set credits: a tutor (for their own students, as themselves) or an admin.
CREDIT_SETTERS = (*TUTOR_ROLES, Role.ADMIN)
# Who reads every pair's balances and the reports: admins and principals (DOMAIN.md).
CREDIT_READERS = (Role.ADMIN, Role.PRINCIPAL)


def school_tutors(*, school_id: int, include_inactive: bool = False) -> QuerySet[User]:
    """The school's tutors (teachers and heads of department), by name. Deactivated ones
    are left out unless `include_inactive` (their credits still show as liability)."""
    tutors = User.objects.filter(school_id=school_id, role__in=TUTOR_ROLES)
    if not include_inactive:
        tutors = tutors.filter(is_active=True)
    return tutors.order_by("last_name", "first_name", "username")


def tutor_classes(tutor: User) -> QuerySet[SchoolClass]:
    """Classes the tutor teaches (a timetable slot of theirs) or advises."""
    return SchoolClass.objects.filter(
        Q(timetable_slots__teacher=tutor) | Q(advisor=tutor), school_id=tutor.school_id
    ).distinct()


def tutor_students(*, tutor: User, today: datetime.date) -> QuerySet[StudentProfile]:
    """A tutor's own students (issue 6: "a tutor, for their own students"): those with a
    membership, current on `today` (school-local), in a class the tutor teaches or
    advises, and those already holding a credit with the tutor."""
    in_classes = Membership.objects.filter(
        school_class__in=tutor_classes(tutor), joined_on__lte=today
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
    return StudentProfile.objects.filter(school_id=tutor.school_id).filter(
        Q(pk__in=in_classes.values("student_id"))
        | Q(pk__in=MakeupCredit.objects.filter(tutor=tutor).values("student_id"))
    )


def assigned_tutor_ids(*, student: StudentProfile, today: datetime.date) -> list[int]:
    """The tutors who teach or advise the student's current classes (the seed's
    "assigned tutors", listed first in the dialog for a single student)."""
    classes = Membership.objects.filter(student=student, joined_on__lte=today).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=today)
    )
    class_ids = classes.values("school_class_id")
    return list(
        User.objects.filter(school_id=student.school_id, role__in=TUTOR_ROLES, is_active=True)
        .filter(
            Q(timetable_slots__school_class_id__in=class_ids) | Q(advised_classes__pk__in=class_ids)
        )
        .distinct()
        .order_by("last_name", "first_name")
        .values_list("pk", flat=True)
    )


def may_set_credits(*, user: User, tutor: User, students: list[StudentProfile]) -> bool:
    """Seed 003, "User must have permission to edit credits": an admin of the school sets
    anyone's; a tutor sets only their own (tutor == user), for their own students."""
    if user.school_id is None or tutor.school_id != user.school_id:
        return False
    if any(student.school_id != user.school_id for student in students):
        return False
    if user.has_role(Role.ADMIN):
        return True
    if user.pk != tutor.pk or not user.has_role(*TUTOR_ROLES):
        return False
    own = set(
        tutor_students(tutor=tutor, today=user.school.today())
        .filter(pk__in=[s.pk for s in students])
        .values_list("pk", flat=True)
    )
    return own == {s.pk for s in students}


@dataclass(frozen=True)
class TutorBalance:
    tutor_id: int
    tutor_name: str
    available: int
    booked: int
    used: int


def balances_by_student(student_ids: list[int]) -> dict[int, list[TutorBalance]]:
    """Each student's balances per tutor, in one query: StudentProfile pk → balances with
    something on them, by tutor name (the list's "Make-Up Credits" breakdown)."""
    found: dict[int, list[TutorBalance]] = defaultdict(list)
    credits = (
        MakeupCredit.objects.filter(student_id__in=student_ids)
        .filter(Q(available__gt=0) | Q(booked__gt=0) | Q(used__gt=0))
        .select_related("tutor")
        .order_by("tutor__last_name", "tutor__first_name", "tutor_id")
    )
    for credit in credits:
        found[credit.student_id].append(
            TutorBalance(
                tutor_id=credit.tutor_id,
                tutor_name=str(credit.tutor),
                available=credit.available,
                booked=credit.booked,
                used=credit.used,
            )
        )
    return found


def credits_summary(balances: list[TutorBalance]) -> str:
    """The seed's list cell: "3 credits (2 with Tutor A, 1 with Tutor B)"; "0 credits"."""
    with_available = [b for b in balances if b.available]
    total = sum(b.available for b in with_available)
    text = f"{total} credit{'s' if total != 1 else ''}"
    if with_available:
        text += " (" + ", ".join(f"{b.available} with {b.tutor_name}" for b in with_available) + ")"
    return text
