"""Who is told about a student (docs/design/notifications.md, "Who gets what")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from academics.models import Guardianship, StudentProfile, User


def absence_recipients(*, student_ids: Iterable[int]) -> dict[int, list[User]]:
    """StudentProfile pk → the users to tell about that student's absences: each active
    guardian with an email address who has not switched absence notices off. One query."""
    result: dict[int, list[User]] = defaultdict(list)
    links = Guardianship.objects.filter(
        student_id__in=list(student_ids),
        guardian__notify_absences=True,
        guardian__user__is_active=True,
    ).exclude(guardian__user__email="")
    for link in links.select_related("guardian__user").order_by("student_id", "guardian_id"):
        result[link.student_id].append(link.guardian.user)
    return result


def bill_recipients(*, student_ids: Iterable[int]) -> dict[int, list[User]]:
    """StudentProfile pk → the users to tell about that student's bills: the active
    guardians with an email address who want bill notices; a student none of whose
    guardians has an email address is told themself (if they have one). A guardian who
    switched bill notices off is not replaced by the student. Two queries."""
    student_ids = list(student_ids)
    result: dict[int, list[User]] = defaultdict(list)
    reachable: set[int] = set()
    links = (
        Guardianship.objects.filter(student_id__in=student_ids, guardian__user__is_active=True)
        .exclude(guardian__user__email="")
        .select_related("guardian__user")
        .order_by("student_id", "guardian_id")
    )
    for link in links:
        reachable.add(link.student_id)
        if link.guardian.notify_bills:
            result[link.student_id].append(link.guardian.user)
    alone = [pk for pk in student_ids if pk not in reachable]
    if alone:
        students = (
            StudentProfile.objects.filter(pk__in=alone, user__is_active=True)
            .exclude(user__email="")
            .select_related("user")
        )
        for student in students:
            result[student.pk].append(student.user)
    return result
