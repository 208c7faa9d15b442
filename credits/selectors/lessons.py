"""A student's credits page: balances with their last change, make-up lessons, the tutors
a lesson can be booked with, and a pair's history (docs/design/credits.md)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from academics.models import StudentProfile, User

from ..models import CreditChange, MakeupCredit, MakeupLesson
from .students import visible_students


def own_student(*, user: User) -> StudentProfile | None:
    """The signed-in student's own profile (with their user) in their school, or None."""
    return (
        StudentProfile.objects.filter(school_id=user.school_id, user=user)
        .select_related("user")
        .first()
    )


def visible_lesson(*, user: User, lesson_id: int) -> MakeupLesson | None:
    """The make-up lesson `lesson_id` with its student and tutor, if its student is one
    `user` may see (`visible_students`); None otherwise."""
    return (
        MakeupLesson.objects.filter(
            school_id=user.school_id, student__in=visible_students(user=user)
        )
        .select_related("student__user", "tutor")
        .filter(pk=lesson_id)
        .first()
    )


def visible_credit(*, user: User, credit_id: int) -> MakeupCredit | None:
    """The student–tutor pair `credit_id` with its student and tutor, if its student is
    one `user` may see (`visible_students`); None otherwise."""
    return (
        MakeupCredit.objects.filter(
            school_id=user.school_id, student__in=visible_students(user=user)
        )
        .select_related("student__user", "tutor")
        .filter(pk=credit_id)
        .first()
    )


def credit_changes(*, credit: MakeupCredit) -> QuerySet[CreditChange]:
    """The pair's history, newest first, with who made each change and its lesson."""
    return credit.changes.select_related("changed_by", "lesson").order_by("-changed_at", "-pk")


def credit_balances(*, student: StudentProfile) -> list[MakeupCredit]:
    """The student's pairs by tutor name, each with its last change (`last_kind`,
    `last_at`, `last_by_id`, and `last_label`, `last_by`: the user, None for the system).
    Two queries, whatever the count."""
    last = CreditChange.objects.filter(credit=OuterRef("pk")).order_by("-changed_at", "-pk")
    credits = list(
        MakeupCredit.objects.filter(student=student)
        .select_related("tutor")
        .annotate(
            last_kind=Subquery(last.values("kind")[:1]),
            last_at=Subquery(last.values("changed_at")[:1]),
            last_by_id=Subquery(last.values("changed_by_id")[:1]),
        )
        .order_by("tutor__last_name", "tutor__first_name", "tutor_id")
    )
    by_ids = {c.last_by_id for c in credits if c.last_by_id}
    people = User.objects.in_bulk(by_ids) if by_ids else {}
    for credit in credits:
        credit.last_label = CreditChange.Kind(credit.last_kind).label if credit.last_kind else ""
        credit.last_by = people.get(credit.last_by_id)
    return credits


def student_lessons(*, student: StudentProfile) -> list[MakeupLesson]:
    """The student's make-up lessons, latest first, with tutor and who booked and
    finished them. One query."""
    return list(
        MakeupLesson.objects.filter(student=student)
        .select_related("tutor", "booked_by", "finished_by")
        .order_by("-scheduled_for", "-pk")
    )


def credit_holders(*, student: StudentProfile) -> list[User]:
    """The active tutors holding an available credit of the student's, by name: the only
    ones a lesson can be booked with ("Credits can only be used with the tutor who issued
    them"; a departed tutor teaches no more lessons)."""
    return list(
        User.objects.filter(
            school_id=student.school_id,
            is_active=True,
            makeup_credits_issued__student=student,
            makeup_credits_issued__available__gt=0,
        ).order_by("last_name", "first_name", "username")
    )


def tutors_by_ids(*, ids: list[int]) -> QuerySet[User]:
    """The users `ids`, by name (the booking form's tutor choices)."""
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")


def pair_balance(*, student: StudentProfile, tutor: User) -> MakeupCredit:
    """The pair's credit as it is now. Raises MakeupCredit.DoesNotExist without one."""
    return MakeupCredit.objects.get(student=student, tutor=tutor)


def school_user(*, school_id: int, user_id: int) -> User | None:
    """The user `user_id` of the school, or None (another school's user included)."""
    return User.objects.filter(school_id=school_id, pk=user_id).first()


def available_by_student(*, students: QuerySet[StudentProfile]) -> dict[int, int]:
    """Each of `students`' make-up credits still available, summed over their tutors
    (docs/design/credits.md): student pk → count; a student without credits is absent.
    One query, whatever the number of students."""
    rows = (
        MakeupCredit.objects.filter(student__in=students)
        .values("student_id")
        .annotate(total=Sum("available"))
        .order_by()
    )
    return {row["student_id"]: row["total"] for row in rows}


def student_lesson(*, student: StudentProfile, lesson_id: int) -> MakeupLesson | None:
    """The make-up lesson `lesson_id` of `student` (a student the caller already may
    see), with its tutor; None for anyone else's lesson. One query."""
    return (
        MakeupLesson.objects.filter(student=student, pk=lesson_id)
        .select_related("student__user", "tutor")
        .first()
    )
