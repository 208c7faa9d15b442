"""Who a guardian follows (docs/design/roles.md, "Guardians"; docs/manual/guardians.md).

Every app asks these, never `Guardianship` directly in a view: a guardian reaches a child
only through their own guardianships in their own school, so another child — of the
same school or another — is simply not in the queryset (a 404).
"""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Guardianship, Role, StudentProfile, User


def guardian_links(*, user: User) -> QuerySet[Guardianship]:
    """The guardianships of `user` (a signed-in user) in their school; none unless their
    role is guardian. Unordered, nothing joined."""
    if user.role != Role.GUARDIAN or user.school_id is None:
        return Guardianship.objects.none()
    return Guardianship.objects.filter(school_id=user.school_id, guardian__user=user)


def children_of(*, user: User) -> QuerySet[StudentProfile]:
    """The students `user` is a guardian of (`guardian_links`), unordered; none for a
    user whose role is not guardian."""
    return StudentProfile.objects.filter(
        school_id=user.school_id, pk__in=guardian_links(user=user).values("student_id")
    )


def is_guardian_of(*, user: User, student: StudentProfile) -> bool:
    """Is `user` (role guardian) a guardian of `student`, in the student's school? One
    query; False at once for any other role."""
    if user.role != Role.GUARDIAN or user.school_id != student.school_id:
        return False
    return guardian_links(user=user).filter(student_id=student.pk).exists()
