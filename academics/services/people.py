"""Writes about people: users and their profiles."""

from __future__ import annotations

from ..models import Role, StudentProfile, User


def ensure_student_profile(*, user: User) -> tuple[StudentProfile | None, bool]:
    """Give a student user the StudentProfile every student must have
    (docs/design/total-sessions.md).

    Args:
        user: any user; users whose role is not student are left alone.

    Returns:
        (profile, created): the student's profile and whether it was created now;
        (None, False) for a non-student, or for a student with no school (a profile
        belongs to a school, so such a user is reported by `fix_student_profiles`).
    """
    if user.role != Role.STUDENT or user.school_id is None:
        return None, False
    profile = StudentProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile, False
    return StudentProfile.objects.create(user=user, school_id=user.school_id), True
