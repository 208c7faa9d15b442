"""Who a user may see, tutors and their students, and balances per student
(docs/design/credits.md)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from academics.models import Membership, Role, SchoolClass, StudentProfile, User

from ..access import TUTOR_ROLES, can_read_all_credits, is_student, is_tutor
from ..models import MakeupCredit


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
    """A tutor's own students ("a tutor, for their own students"): those with a
    membership, current on `today` (school-local), in a class the tutor teaches or
    advises, and those already holding a credit with the tutor."""
    in_classes = Membership.objects.active_on(today).filter(school_class__in=tutor_classes(tutor))
    return StudentProfile.objects.filter(school_id=tutor.school_id).filter(
        Q(pk__in=in_classes.values("student_id"))
        | Q(pk__in=MakeupCredit.objects.filter(tutor=tutor).values("student_id"))
    )


def visible_students(*, user: User) -> QuerySet[StudentProfile]:
    """The students whose make-up credits `user` may see, on every credits page (the list,
    the dialog, a student's page and lessons, a pair's history): every student of the
    school for admins and principals, a tutor's own students (`tutor_students`, on the
    school's today), a student themself, nobody for anyone else (docs/design/credits.md;
    docs/design/roles.md). Unordered, nothing joined; the tutor's case reads the school."""
    students = StudentProfile.objects.filter(school_id=user.school_id)
    if can_read_all_credits(user):
        return students
    if is_tutor(user):
        return tutor_students(tutor=user, today=user.school.today())
    if is_student(user):
        return students.filter(user=user)
    return students.none()


def visible_student(*, user: User, student_id: int) -> StudentProfile | None:
    """The student `student_id` with their user, if `user` may see them
    (`visible_students`); None otherwise, another school's student included."""
    return visible_students(user=user).select_related("user").filter(pk=student_id).first()


def listed_students(
    *, user: User, q: str = "", include_inactive: bool = False
) -> QuerySet[StudentProfile]:
    """The student list: the students `user` may see with their user, by name. Each word
    of `q` must be found in the first or last name, username or student number; students
    who left are listed only with `include_inactive`."""
    students = visible_students(user=user).select_related("user")
    for word in q.split():
        students = students.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(student_number__icontains=word)
        )
    if not include_inactive:
        students = students.filter(is_active=True)
    return students.order_by("user__last_name", "user__first_name", "pk")


def tutor_choices(*, user: User) -> QuerySet[User]:
    """The tutors `user` may set credits for: an admin any active tutor of the school, a
    tutor only themself ("a tutor, for their own students")."""
    if user.has_role(Role.ADMIN):
        return school_tutors(school_id=user.school_id)
    return User.objects.filter(pk=user.pk, is_active=True)


def pair_credits(*, tutor: User, students: list[StudentProfile]) -> dict[int, MakeupCredit]:
    """StudentProfile pk → the pair's credit with `tutor`, for those of `students` that
    have one. One query."""
    return {c.student_id: c for c in MakeupCredit.objects.filter(tutor=tutor, student__in=students)}


def assigned_tutor_ids(*, student: StudentProfile, today: datetime.date) -> list[int]:
    """The tutors who teach or advise the student's current classes on `today`
    (school-local): the "assigned tutors" listed first in the dialog for a single
    student."""
    classes = Membership.objects.active_on(today).filter(student=student)
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
    """ "User must have permission to edit credits" (docs/design/credits.md): an admin of
    the school sets anyone's; a tutor sets only their own (tutor == user), for their own
    students."""
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
    """The list's cell: "3 credits (2 with Tutor A, 1 with Tutor B)"; "0 credits"."""
    with_available = [b for b in balances if b.available]
    total = sum(b.available for b in with_available)
    text = f"{total} credit{'s' if total != 1 else ''}"
    if with_available:
        text += " (" + ", ".join(f"{b.available} with {b.tutor_name}" for b in with_available) + ")"
    return text
